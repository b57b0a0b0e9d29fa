import Foundation
import Hummingbird
import HummingbirdTesting
import NuriGateway
import NuriIdentity
import NuriServer
import Testing

/// `/api/limits`: who may read and change which limits, bad bodies, and that a change applies to
/// the next request.
@Suite("Limits over REST")
struct LimitRouteTests {
    static func seed(_ harness: RouteHarness) async throws {
        _ = try await harness.identity.createOrganisation(name: "seoul-city", sector: .public)
        _ = try await harness.identity.createOrganisation(name: "naver", sector: .private)
        _ = try await harness.identity.createUser(name: "owner1", organisation: "seoul-city", role: .owner)
        _ = try await harness.identity.createUser(name: "admin1", organisation: "seoul-city", role: .admin)
        _ = try await harness.identity.createUser(name: "member1", organisation: "seoul-city", role: .member)
        _ = try await harness.identity.createUser(name: "outsider", organisation: "naver", role: .owner)
    }

    static let everything = Set(Scope.allCases)

    @Test("an organisation's limits: operators set and delete them, members read them, others get 404")
    func organisationLimits() async throws {
        try await RouteHarness.run { harness, client in
            try await Self.seed(harness)
            let put = try await client.execute(uri: "/api/limits/orgs/seoul-city", method: .put, headers: .bearer(harness.operatorToken),
                                               body: .json(#"{"requests_per_minute":60,"tokens_per_minute":20000,"token_budget":5000000,"period":"month"}"#))
            #expect(put.status == .ok, "\(put.text)")
            let member = try await harness.token(for: "member1", scopes: Self.everything)
            let read = try await client.execute(uri: "/api/limits/orgs/seoul-city", method: .get, headers: .bearer(member))
            let body = try read.json()
            #expect(body["subject"] as? String == "organisation" && body["organisation"] as? String == "seoul-city")
            #expect(body["requests_per_minute"] as? Int == 60 && body["tokens_per_minute"] as? Int == 20000)
            #expect(body["token_budget"] as? Int == 5_000_000 && body["period"] as? String == "month")

            // The organisation's own owner may not lift its quota.
            let owner = try await harness.token(for: "owner1", scopes: Self.everything)
            let refused = try await client.execute(uri: "/api/limits/orgs/seoul-city", method: .put, headers: .bearer(owner),
                                                   body: .json(#"{"requests_per_minute":100000}"#))
            #expect(refused.status == .forbidden)
            #expect(try refused.errorBody().message.contains("operator"))
            let deleteRefused = try await client.execute(uri: "/api/limits/orgs/seoul-city", method: .delete, headers: .bearer(owner))
            #expect(deleteRefused.status == .forbidden)

            // Someone outside sees neither the limits nor that the organisation exists.
            let outsider = try await harness.token(for: "outsider", scopes: Self.everything)
            for method in [HTTPRequest.Method.get, .put, .delete] {
                let hidden = try await client.execute(uri: "/api/limits/orgs/seoul-city", method: method, headers: .bearer(outsider),
                                                      body: method == .put ? .json(#"{"requests_per_minute":1}"#) : nil)
                #expect(hidden.status == .notFound, "\(method)")
            }
            let listed = try await client.execute(uri: "/api/limits", method: .get, headers: .bearer(outsider))
            #expect((try listed.json()["data"] as? [Any])?.isEmpty == true)

            let deleted = try await client.execute(uri: "/api/limits/orgs/seoul-city", method: .delete, headers: .bearer(harness.operatorToken))
            #expect(deleted.status == .noContent)
            let after = try await client.execute(uri: "/api/limits/orgs/seoul-city", method: .get, headers: .bearer(member)).json()
            #expect(after["requests_per_minute"] is NSNull && after["token_budget"] is NSNull, "no limits read as null: unlimited")
        }
    }

    @Test("a token's limits: admins of its organisation set them, its owner only reads them, others get 404")
    func tokenLimits() async throws {
        try await RouteHarness.run { harness, client in
            try await Self.seed(harness)
            let scoped = try await harness.identity.issueToken(user: "member1", organisation: "seoul-city", name: "app", scopes: [.inference])
            let unscoped = try await harness.identity.issueToken(user: "member1", name: "personal", scopes: [.inference])
            let admin = try await harness.token(for: "admin1", scopes: Self.everything)
            let owner = try await harness.token(for: "member1", scopes: Self.everything)
            let outsider = try await harness.token(for: "outsider", scopes: Self.everything)

            let set = try await client.execute(uri: "/api/limits/tokens/\(scoped.token.id)", method: .put, headers: .bearer(admin),
                                               body: .json(#"{"requests_per_minute":5}"#))
            #expect(set.status == .ok, "\(set.text)")
            #expect(try set.json()["prefix"] as? String == scoped.token.prefix)
            // The prefix works as the path too, as in `nuri admin limits set --token`.
            let read = try await client.execute(uri: "/api/limits/tokens/\(scoped.token.prefix)", method: .get, headers: .bearer(owner))
            #expect(read.status == .ok)
            #expect(try read.json()["requests_per_minute"] as? Int == 5)
            #expect(try read.json()["organisation"] as? String == "seoul-city")

            let lift = try await client.execute(uri: "/api/limits/tokens/\(scoped.token.id)", method: .delete, headers: .bearer(owner))
            #expect(lift.status == .forbidden, "an owner cannot lift a limit an admin set")
            // An admin of the organisation has no say over a member's personal (unscoped) token;
            // it does not even learn of it.
            let personal = try await client.execute(uri: "/api/limits/tokens/\(unscoped.token.id)", method: .put, headers: .bearer(admin),
                                                    body: .json(#"{"requests_per_minute":1}"#))
            #expect(personal.status == .notFound)
            let hidden = try await client.execute(uri: "/api/limits/tokens/\(scoped.token.id)", method: .get, headers: .bearer(outsider))
            #expect(hidden.status == .notFound)

            let adminList = try await client.execute(uri: "/api/limits", method: .get, headers: .bearer(admin)).json()
            #expect((adminList["data"] as? [[String: Any]])?.compactMap { $0["token"] as? String } == [scoped.token.id])
            let operatorList = try await client.execute(uri: "/api/limits", method: .get, headers: .bearer(harness.operatorToken)).json()
            #expect((operatorList["data"] as? [Any])?.count == 1)

            let removed = try await client.execute(uri: "/api/limits/tokens/\(scoped.token.id)", method: .delete, headers: .bearer(admin))
            #expect(removed.status == .noContent)
            #expect(try await LimitStore(database: harness.database).limits(for: .token(scoped.token.id)) == nil)
        }
    }

    @Test("bad limits are 400s naming the field", arguments: [
        (#"{"requests_per_minute":0}"#, "requests_per_minute", "at least 1"),
        (#"{"token_budget":-5}"#, "token_budget", "at least 1"),
        (#"{"period":"week"}"#, "period", "day or month"),
        (#"{"tokens_per_minute":"many"}"#, "tokens_per_minute", "wrong type"),
    ])
    func badBodies(body: String, param: String, message: String) async throws {
        try await RouteHarness.run { harness, client in
            try await Self.seed(harness)
            let response = try await client.execute(uri: "/api/limits/orgs/seoul-city", method: .put, headers: .bearer(harness.operatorToken), body: .json(body))
            #expect(response.status == .badRequest)
            let error = try response.errorBody()
            #expect(error.param == param && error.message.contains(message), "\(error)")
            #expect(try await LimitStore(database: harness.database).entries().isEmpty, "nothing is set from a bad request")
        }
    }

    @Test("a limit set over REST applies to the very next request of this server")
    func appliesAtOnce() async throws {
        let gateway = Gateway(backends: [], remotes: [RemoteBackend(name: "remote", upstreamModel: "remote", replicas: ["http://127.0.0.1:9/v1"],
                                                                   apiKey: nil, labels: BackendLabels(jurisdiction: "KR", relationship: .inHouse))])
        try await RouteHarness.run(gateway: gateway) { harness, client in
            try await Self.seed(harness)
            let caller = try await harness.identity.issueToken(user: "member1", organisation: "seoul-city", name: "app", scopes: [.inference])
            let body = ByteBuffer.json(#"{"model":"remote","messages":[{"role":"user","content":"hi"}]}"#)
            func ask() async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .bearer(caller.secret.value), body: body).status
            }
            // The first request makes the limiter cache "no limits" for this token.
            #expect(try await ask() == .badGateway)
            let put = try await client.execute(uri: "/api/limits/tokens/\(caller.token.id)", method: .put, headers: .bearer(harness.operatorToken),
                                               body: .json(#"{"requests_per_minute":1}"#))
            #expect(put.status == .ok)
            #expect(try await ask() == .badGateway)
            #expect(try await ask() == .tooManyRequests)
            let deleted = try await client.execute(uri: "/api/limits/tokens/\(caller.token.id)", method: .delete, headers: .bearer(harness.operatorToken))
            #expect(deleted.status == .noContent)
            #expect(try await ask() == .badGateway)
        }
    }
}
