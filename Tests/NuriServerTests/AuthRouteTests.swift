import Foundation
import Hummingbird
import HummingbirdTesting
import NuriCompute
import NuriIdentity
import NuriServer
import NuriStore
import Testing

/// One protected route: how to call it, the scope it needs, and what success looks like.
struct ProtectedRoute: Sendable, CustomStringConvertible {
    let method: HTTPRequest.Method
    /// Path; `{victim}` is replaced by the id of a fresh token (for revocation); `{project}`,
    /// `{allocation}` (new), `{active}` (an approved allocation) and `{job}` by fresh compute records.
    let path: String
    /// Body; `{n}` is replaced by a fresh number so that creations do not collide.
    let body: String?
    let scope: Scope
    let success: HTTPResponse.Status

    var description: String { "\(method) \(path)" }

    static let all: [ProtectedRoute] = [
        .init(method: .get, path: "/api/orgs", body: nil, scope: .read, success: .ok),
        .init(method: .post, path: "/api/orgs", body: #"{"name":"org-{n}","sector":"academic"}"#, scope: .admin, success: .created),
        .init(method: .get, path: "/api/orgs/seoul-city", body: nil, scope: .read, success: .ok),
        .init(method: .put, path: "/api/orgs/seoul-city/members/jisoo", body: #"{"role":"admin"}"#, scope: .admin, success: .ok),
        .init(method: .get, path: "/api/users", body: nil, scope: .read, success: .ok),
        .init(method: .post, path: "/api/users", body: #"{"name":"user-{n}","org":"seoul-city"}"#, scope: .admin, success: .created),
        .init(method: .get, path: "/api/users/minji", body: nil, scope: .read, success: .ok),
        .init(method: .get, path: "/api/tokens", body: nil, scope: .read, success: .ok),
        .init(method: .post, path: "/api/tokens", body: #"{"scopes":["read"],"name":"ci"}"#, scope: .write, success: .created),
        .init(method: .delete, path: "/api/tokens/{victim}", body: nil, scope: .write, success: .ok),
        .init(method: .post, path: "/api/consents", body: """
              {"organisation":"seoul-city","subject":"p-{n}","kind":"collection_use","purpose":"care","data_items":["name"],
               "retention":"1y","consent_text":"I agree.","channel":"paper"}
              """, scope: .write, success: .created),
        .init(method: .get, path: "/api/consents?organisation=seoul-city", body: nil, scope: .read, success: .ok),
        .init(method: .get, path: "/api/data-subjects/p-1?organisation=seoul-city", body: nil, scope: .read, success: .ok),
        .init(method: .get, path: "/api/guard/policy?organisation=seoul-city", body: nil, scope: .read, success: .ok),
        .init(method: .put, path: "/api/guard/policy", body: #"{"organisation":"seoul-city","overseas":"block"}"#, scope: .write, success: .ok),
        .init(method: .get, path: "/api/audit", body: nil, scope: .read, success: .ok),
        .init(method: .get, path: "/api/audit/verify", body: nil, scope: .read, success: .ok),
        .init(method: .get, path: "/api/limits", body: nil, scope: .read, success: .ok),
        .init(method: .get, path: "/api/limits/orgs/seoul-city", body: nil, scope: .read, success: .ok),
        .init(method: .put, path: "/api/limits/orgs/seoul-city", body: #"{"requests_per_minute":60}"#, scope: .admin, success: .ok),
        .init(method: .delete, path: "/api/limits/orgs/seoul-city", body: nil, scope: .admin, success: .noContent),
        .init(method: .get, path: "/api/limits/tokens/{victim}", body: nil, scope: .read, success: .ok),
        .init(method: .put, path: "/api/limits/tokens/{victim}", body: #"{"token_budget":1000,"period":"day"}"#, scope: .admin, success: .ok),
        .init(method: .delete, path: "/api/limits/tokens/{victim}", body: nil, scope: .admin, success: .noContent),
        .init(method: .get, path: "/api/compute/projects", body: nil, scope: .read, success: .ok),
        .init(method: .post, path: "/api/compute/projects", body: #"{"organisation":"seoul-city","name":"p{n}","tier":"academic"}"#,
              scope: .admin, success: .created),
        .init(method: .get, path: "/api/compute/projects/{project}", body: nil, scope: .read, success: .ok),
        .init(method: .get, path: "/api/compute/allocations", body: nil, scope: .read, success: .ok),
        .init(method: .post, path: "/api/compute/allocations",
              body: #"{"project":"{project}","gpu_hours":100,"max_concurrent_gpus":8,"justification":"training"}"#, scope: .write, success: .created),
        .init(method: .get, path: "/api/compute/allocations/{allocation}", body: nil, scope: .read, success: .ok),
        .init(method: .get, path: "/api/compute/allocations/{allocation}/decisions", body: nil, scope: .read, success: .ok),
        .init(method: .get, path: "/api/compute/allocations/{active}/burndown", body: nil, scope: .read, success: .ok),
        .init(method: .post, path: "/api/compute/allocations/{active}/renew", body: #"{"justification":"more"}"#, scope: .write, success: .ok),
        .init(method: .post, path: "/api/compute/allocations/{allocation}/approve", body: nil, scope: .admin, success: .ok),
        .init(method: .post, path: "/api/compute/allocations/{allocation}/deny", body: #"{"reason":"no"}"#, scope: .admin, success: .ok),
        .init(method: .post, path: "/api/compute/allocations/{allocation}/change", body: #"{"gpu_hours":50,"reason":"less"}"#, scope: .admin, success: .ok),
        .init(method: .post, path: "/api/compute/allocations/{active}/revoke", body: #"{"reason":"closed"}"#, scope: .admin, success: .ok),
        // No Slurm cluster in route tests: a valid request reaches the driver and gets its 503.
        .init(method: .post, path: "/api/compute/allocations/{active}/sync", body: nil, scope: .admin, success: .serviceUnavailable),
        .init(method: .get, path: "/api/compute/jobs", body: nil, scope: .read, success: .ok),
        .init(method: .post, path: "/api/compute/jobs", body: #"{"project":"{active-project}","name":"t","gpus":1,"time_limit_minutes":5,"command":"true"}"#,
              scope: .write, success: .serviceUnavailable),
        .init(method: .get, path: "/api/compute/jobs/{job}", body: nil, scope: .read, success: .ok),
        .init(method: .post, path: "/api/compute/jobs/{job}/cancel", body: nil, scope: .write, success: .serviceUnavailable),
        .init(method: .post, path: "/api/compute/sync", body: nil, scope: .admin, success: .serviceUnavailable),
        .init(method: .get, path: "/v1/models", body: nil, scope: .inference, success: .ok),
        // No model is served in route tests: a valid request reaches the gateway and gets its 404.
        .init(method: .post, path: "/v1/chat/completions", body: #"{"model":"none","messages":[{"role":"user","content":"hi"}]}"#,
              scope: .inference, success: .notFound),
        .init(method: .post, path: "/v1/completions", body: #"{"model":"none","prompt":"hi"}"#, scope: .inference, success: .notFound),
    ]
}

@Suite("Every protected route: 401 without valid credentials, 403 without the scope, success with it")
struct AuthRouteTests {
    static func seed(_ harness: RouteHarness) async throws {
        _ = try await harness.identity.createOrganisation(name: "seoul-city", sector: .public)
        _ = try await harness.identity.createUser(name: "minji", organisation: "seoul-city", role: .owner)
        _ = try await harness.identity.createUser(name: "jisoo", organisation: "seoul-city", role: .member)
    }

    static func call(_ route: ProtectedRoute, _ client: some TestClientProtocol, _ harness: RouteHarness, headers: HTTPFields) async throws -> TestResponse {
        var path = route.path
        if path.contains("{victim}") {
            let victim = try await harness.identity.issueToken(user: "operator", name: "victim", scopes: [.read])
            path = path.replacingOccurrences(of: "{victim}", with: victim.token.id)
        }
        var body = route.body
        try await ComputeRecords.fill(&path, &body, harness)
        let filled = body.map { ByteBuffer(string: $0.replacingOccurrences(of: "{n}", with: String(Int.random(in: 0..<1_000_000_000)))) }
        return try await client.execute(uri: path, method: route.method, headers: headers, body: filled)
    }

    @Test("missing, malformed, unknown, expired and revoked tokens get 401 in OpenAI's shape", arguments: ProtectedRoute.all)
    func unauthenticated(route: ProtectedRoute) async throws {
        try await RouteHarness.run { harness, client in
            try await Self.seed(harness)
            let past = IdentityStore(database: harness.database, now: { Int(Date().timeIntervalSince1970) - 7_200 })
            let expired = try await past.issueToken(user: "operator", name: "old", scopes: Set(Scope.allCases), lifetime: 3_600).secret.value
            let revoked = try await harness.identity.issueToken(user: "operator", name: "gone", scopes: Set(Scope.allCases))
            _ = try await harness.identity.revokeToken(revoked.token.id)
            let cases: [(String, HTTPFields, String)] = [
                ("no header", [.contentType: "application/json"], "needs an API token"),
                ("not bearer", [.authorization: "Basic dXNlcjpwYXNz"], "must be `Bearer"),
                ("not a nuri token", .bearer("sk-proj-abc"), "not a Nuri token"),
                ("unknown token", .bearer(TokenSecret.generate().value), "not valid"),
                ("expired", .bearer(expired), "expired"),
                ("revoked", .bearer(revoked.secret.value), "revoked"),
            ]
            for (name, headers, expected) in cases {
                let response = try await Self.call(route, client, harness, headers: headers)
                #expect(response.status == .unauthorized, "\(route) with \(name)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(route) with \(name)")
                let error = try response.errorBody()
                #expect(error.type == "authentication_error")
                #expect(error.message.contains(expected), "\(route) with \(name): \(error.message)")
            }
        }
    }

    @Test("a valid token without the route's scope gets 403; with it, success", arguments: ProtectedRoute.all)
    func scopes(route: ProtectedRoute) async throws {
        try await RouteHarness.run { harness, client in
            try await Self.seed(harness)
            let lacking = try await harness.token(for: "operator", scopes: Set(Scope.allCases).subtracting([route.scope]))
            let forbidden = try await Self.call(route, client, harness, headers: .bearer(lacking))
            #expect(forbidden.status == .forbidden, "\(route) without \(route.scope)")
            let error = try forbidden.errorBody()
            #expect(error.type == "permission_error")
            #expect(error.message.contains(route.scope.rawValue))

            let allowed = try await Self.call(route, client, harness, headers: .bearer(harness.operatorToken))
            #expect(allowed.status == route.success, "\(route): \(allowed.text)")
        }
    }

    @Test("the Bearer scheme is read in any case, with spaces around the token and tabs after it; anything else is a 401")
    func headerShapes() async throws {
        try await RouteHarness.run { harness, client in
            let token = harness.operatorToken
            let accepted = ["Bearer \(token)", "bearer \(token)", "BEARER   \(token)", "  Bearer \(token) \t ", "BeArEr \(token)\t"]
            let refused = ["Bearer", "Bearer   ", "Bearer\(token)", "Bearerx \(token)", "Bear \(token)", "Token \(token)", "\(token)", ""]
            for header in accepted {
                try await client.execute(uri: "/api/orgs", method: .get, headers: [.authorization: header]) { (response: TestResponse) async throws in
                    #expect(response.status == .ok, "\(header.debugDescription)")
                }
            }
            for header in refused {
                try await client.execute(uri: "/api/orgs", method: .get, headers: [.authorization: header]) { (response: TestResponse) async throws in
                    #expect(response.status == .unauthorized, "\(header.debugDescription)")
                    #expect(try response.errorBody().message.contains("must be `Bearer"), "\(header.debugDescription)")
                }
            }
        }
    }
}

@Suite("Roles and visibility on the identity routes")
struct IdentityRouteTests {
    @Test("members see their own organisation; others get 404 for it, as if it did not exist")
    func organisationVisibility() async throws {
        try await RouteHarness.run { harness, client in
            try await AuthRouteTests.seed(harness)
            _ = try await harness.identity.createOrganisation(name: "naver", sector: .private)
            _ = try await harness.identity.createUser(name: "outsider", organisation: "naver")
            let member = try await harness.token(for: "jisoo", scopes: [.read])
            let outsider = try await harness.token(for: "outsider", scopes: [.read])
            try await client.execute(uri: "/api/orgs", method: .get, headers: .bearer(member)) { (response: TestResponse) async throws in
                let names = (try response.json()["data"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
                #expect(names == ["seoul-city"])
            }
            try await client.execute(uri: "/api/orgs/seoul-city", method: .get, headers: .bearer(member)) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                let members = (try response.json()["members"] as? [[String: Any]])?.compactMap { $0["user"] as? String }
                #expect(members?.sorted() == ["jisoo", "minji"])
            }
            try await client.execute(uri: "/api/orgs/seoul-city", method: .get, headers: .bearer(outsider)) { (response: TestResponse) async throws in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/users/minji", method: .get, headers: .bearer(outsider)) { (response: TestResponse) async throws in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("only operators create organisations; owners add owners, admins add members, members add no one")
    func roles() async throws {
        try await RouteHarness.run { harness, client in
            try await AuthRouteTests.seed(harness)
            _ = try await harness.identity.createUser(name: "admin1", organisation: "seoul-city", role: .admin)
            let owner = try await harness.token(for: "minji", scopes: Set(Scope.allCases))
            let admin = try await harness.token(for: "admin1", scopes: Set(Scope.allCases))
            let member = try await harness.token(for: "jisoo", scopes: Set(Scope.allCases))

            try await client.execute(uri: "/api/orgs", method: .post, headers: .bearer(owner), body: .json(#"{"name":"x","sector":"public"}"#)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/users", method: .post, headers: .bearer(admin), body: .json(#"{"name":"new1","org":"seoul-city"}"#)) { (response: TestResponse) async throws in
                #expect(response.status == .created)
                #expect(try response.json()["name"] as? String == "new1")
            }
            try await client.execute(uri: "/api/users", method: .post, headers: .bearer(admin), body: .json(#"{"name":"new2","org":"seoul-city","role":"owner"}"#)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/users", method: .post, headers: .bearer(owner), body: .json(#"{"name":"new3","org":"seoul-city","role":"owner"}"#)) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/api/users", method: .post, headers: .bearer(member), body: .json(#"{"name":"new4","org":"seoul-city"}"#)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/users", method: .post, headers: .bearer(admin), body: .json(#"{"name":"new5"}"#)) {
                #expect($0.status == .forbidden)
            }
            // Nothing refused was half-created.
            let names = try await harness.identity.users().map(\.name)
            #expect(names.contains("new1") && names.contains("new3"))
            #expect(!names.contains("new2") && !names.contains("new4") && !names.contains("new5"))
        }
    }

    @Test("a token shows its secret once at creation, works, and cannot mint wider tokens")
    func tokensOverTheAPI() async throws {
        try await RouteHarness.run { harness, client in
            try await AuthRouteTests.seed(harness)
            let minji = try await harness.token(for: "minji", scopes: [.read, .write])
            let created = try await client.execute(uri: "/api/tokens", method: .post, headers: .bearer(minji),
                                                   body: .json(#"{"scopes":["read"],"name":"notebook","expires_in":"7d"}"#))
            #expect(created.status == .created)
            let body = try created.json()
            let secret = try #require(body["token"] as? String)
            #expect(secret.hasPrefix("nuri_"))
            #expect(body["expires_at"] as? Int != nil)
            try await client.execute(uri: "/api/tokens", method: .get, headers: .bearer(secret)) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(!response.text.contains(secret), "listings never show secrets")
                #expect(!response.text.contains("secret_hash"))
            }
            try await client.execute(uri: "/api/tokens", method: .post, headers: .bearer(minji), body: .json(#"{"scopes":["admin"]}"#)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/tokens", method: .post, headers: .bearer(minji), body: .json(#"{"scopes":["read"],"user":"jisoo"}"#)) {
                #expect($0.status == .forbidden)
            }
            // Someone else's token cannot be revoked, nor learned of.
            let jisoo = try await harness.identity.issueToken(user: "jisoo", name: "j", scopes: [.read])
            try await client.execute(uri: "/api/tokens/\(jisoo.token.id)", method: .delete, headers: .bearer(minji)) {
                #expect($0.status == .notFound)
            }
            #expect(try await harness.identity.token(jisoo.token.id).revokedAt == nil)
        }
    }
}

@Suite("Bad input on the API gets a clear 4xx")
struct BadInputTests {
    @Test("malformed JSON, wrong field types, missing fields and bad values are 400s that name the problem",
          arguments: [
            (#"{"name": "x", "sector": "public""#, nil as String?, "not valid JSON"),
            (#"{"name": 42, "sector": "public"}"#, "name", "wrong type"),
            (#"{"name": "x", "sector": ["public"]}"#, "sector", "wrong type"),
            (#"{"sector": "public"}"#, "name", "missing required field 'name'"),
            (#"{"name": "x", "sector": "military"}"#, "sector", "unknown sector"),
            (#"{"name": "../etc", "sector": "public"}"#, "name", "invalid organisation name"),
            ("", nil, "empty"),
            ("[1,2,3]", nil, "wrong type"),
          ])
    func badBodies(body: String, param: String?, message: String) async throws {
        try await RouteHarness.run { harness, client in
            try await client.execute(uri: "/api/orgs", method: .post, headers: .bearer(harness.operatorToken), body: .json(body)) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                let error = try response.errorBody()
                #expect(error.type == "invalid_request_error")
                #expect(error.param == param)
                #expect(error.message.contains(message), "\(error.message)")
            }
            #expect(try await harness.identity.organisations().isEmpty, "nothing is created from a bad request")
        }
    }

    @Test("unknown fields are ignored, as OpenAI's API does")
    func unknownFields() async throws {
        try await RouteHarness.run { harness, client in
            try await client.execute(uri: "/api/orgs", method: .post, headers: .bearer(harness.operatorToken),
                                     body: .json(#"{"name":"kaist","sector":"academic","colour":"blue","nested":{"a":1}}"#)) {
                #expect($0.status == .created)
            }
        }
    }

    @Test("a body over the configured limit gets 413 naming the limit, and nothing is created")
    func oversizedBody() async throws {
        try await RouteHarness.run(configure: { $0.maxBodySize = 1_024 }) { harness, client in
            let padding = String(repeating: "x", count: 4_096)
            let body = #"{"name":"kaist","sector":"academic","padding":"\#(padding)"}"#
            try await client.execute(uri: "/api/orgs", method: .post, headers: .bearer(harness.operatorToken), body: .json(body)) { (response: TestResponse) async throws in
                #expect(response.status == .contentTooLarge)
                #expect(try response.errorBody().message.contains("1024 bytes"))
            }
            #expect(try await harness.identity.organisations().isEmpty)
        }
    }

    @Test("creating a name that exists is a 409 conflict")
    func duplicateIsConflict() async throws {
        try await RouteHarness.run { harness, client in
            for expected in [HTTPResponse.Status.created, .conflict] {
                try await client.execute(uri: "/api/orgs", method: .post, headers: .bearer(harness.operatorToken),
                                         body: .json(#"{"name":"kaist","sector":"academic"}"#)) {
                    #expect($0.status == expected)
                }
            }
        }
    }
}

/// Fresh compute records for the route matrix's placeholders, made in the store directly.
enum ComputeRecords {
    static func fill(_ path: inout String, _ body: inout String?, _ harness: RouteHarness) async throws {
        let text = path + (body ?? "")
        guard text.contains("{project}") || text.contains("{allocation}") || text.contains("{active}") || text.contains("{job}")
                || text.contains("{active-project}") else { return }
        let store = AllocationStore(database: harness.database)
        let organisation = try await harness.identity.organisation(named: "seoul-city")
        func project() async throws -> Project {
            try await store.createProject(name: "p" + String(Int.random(in: 0..<1_000_000_000)), tier: .public, description: "",
                                          organisationID: organisation.id, actor: "test")
        }
        func allocation(_ project: Project) async throws -> Allocation {
            try await store.request(AllocationRequest(gpuHours: 100, maxConcurrentGPUs: 8, justification: "test"), projectID: project.id, actor: "test")
        }
        func replace(_ placeholder: String, _ value: String) {
            path = path.replacingOccurrences(of: placeholder, with: value)
            body = body?.replacingOccurrences(of: placeholder, with: value)
        }
        if text.contains("{project}") { replace("{project}", try await project().name) }
        if text.contains("{allocation}") { replace("{allocation}", try await allocation(try await project()).id) }
        if text.contains("{active}") || text.contains("{active-project}") || text.contains("{job}") {
            let active = try await project()
            let approved = try await store.approve(try await allocation(active).id, reason: "test", actor: "test")
            replace("{active}", approved.id)
            replace("{active-project}", active.name)
            if text.contains("{job}") {
                let job = try await JobStore(database: harness.database).record(
                    JobRequest(name: "t", gpus: 1, timeLimitMinutes: 5, command: "true"), project: active, allocationID: approved.id,
                    slurmJobID: "1", actor: "test")
                replace("{job}", job.id)
            }
        }
    }
}
