import Foundation
import Hummingbird
import HummingbirdTesting
import NuriIdentity
import NuriServer
import NuriStore
import Testing

@Suite("Roles on the guard's routes: consents, transfer rules, audit")
struct GuardRouteTests {
    static let consent = """
        {"subject":"p-17","kind":"third_party_provision","purpose":"summary","data_items":["name","phone"],"recipient":"gpt-x",
         "recipient_purpose":"summarise","retention":"1y","consent_text":"I agree.","channel":"app"}
        """

    @Test("members record and withdraw their organisation's consents; other organisations see 404; bad input names the field")
    func consents() async throws {
        try await RouteHarness.run { harness, client in
            try await AuthRouteTests.seed(harness)
            _ = try await harness.identity.createOrganisation(name: "naver", sector: .private)
            _ = try await harness.identity.createUser(name: "outsider", organisation: "naver")
            let member = try await harness.token(for: "jisoo", scopes: [.read, .write])
            let outsider = try await harness.token(for: "outsider", scopes: [.read, .write])

            let created = try await client.execute(uri: "/api/consents", method: .post, headers: .bearer(member), body: .json(Self.consent))
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(try created.json()["id"] as? String)
            // The SHA-256 of the consent text, as `printf 'I agree.' | sha256sum` prints it.
            #expect(try created.json()["text_hash"] as? String == "826ff0dab649a97ffdd7779a332accafb35cc161012253a19383db19289d6e02")

            // Another organisation's member: neither the consent nor the organisation exists for them.
            try await client.execute(uri: "/api/consents/\(id)", method: .get, headers: .bearer(outsider)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/consents/\(id)/withdraw", method: .post, headers: .bearer(outsider)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/consents?organisation=seoul-city", method: .get, headers: .bearer(outsider)) {
                #expect($0.status == .notFound)
            }

            let incomplete = Self.consent.replacingOccurrences(of: #""recipient":"gpt-x","#, with: "")
            try await client.execute(uri: "/api/consents", method: .post, headers: .bearer(member), body: .json(incomplete)) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                #expect(try response.errorBody().param == "recipient")
            }
            let badKind = Self.consent.replacingOccurrences(of: "third_party_provision", with: "everything")
            try await client.execute(uri: "/api/consents", method: .post, headers: .bearer(member), body: .json(badKind)) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                #expect(try response.errorBody().message.contains("overseas_transfer"))
            }

            try await client.execute(uri: "/api/consents/\(id)/withdraw", method: .post, headers: .bearer(member)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/consents/\(id)/withdraw", method: .post, headers: .bearer(member)) { #expect($0.status == .conflict) }
            try await client.execute(uri: "/api/consents?subject=p-17", method: .get, headers: .bearer(member)) { (response: TestResponse) async throws in
                let data = try response.json()["data"] as? [[String: Any]]
                #expect(data?.count == 1 && data?.first?["withdrawn_at"] is Int)
            }
        }
    }

    @Test("only admins set transfer rules; only operators read the whole audit chain; admin actions are recorded")
    func rulesAndAudit() async throws {
        try await RouteHarness.run { harness, client in
            try await AuthRouteTests.seed(harness)
            let owner = try await harness.token(for: "minji", scopes: [.read, .write])
            let member = try await harness.token(for: "jisoo", scopes: [.read, .write])
            try await client.execute(uri: "/api/guard/policy", method: .put, headers: .bearer(member), body: .json(#"{"third_party":"block"}"#)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/guard/policy", method: .put, headers: .bearer(owner), body: .json(#"{"third_party":"refuse"}"#)) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                #expect(try response.errorBody().param == "third_party")
            }
            try await client.execute(uri: "/api/guard/policy", method: .put, headers: .bearer(owner), body: .json(#"{"third_party":"block"}"#)) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(try response.json()["third_party"] as? String == "block")
            }
            try await client.execute(uri: "/api/orgs", method: .post, headers: .bearer(harness.operatorToken), body: .json(#"{"name":"kaist","sector":"academic"}"#)) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/api/audit", method: .get, headers: .bearer(owner)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/audit", method: .get, headers: .bearer(harness.operatorToken)) { (response: TestResponse) async throws in
                let actions = (try response.json()["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
                #expect(actions == ["guard.policy.set", "admin.post /api/orgs"], "\(actions)")
            }
            try await client.execute(uri: "/api/audit/verify", method: .get, headers: .bearer(harness.operatorToken)) { (response: TestResponse) async throws in
                #expect(try response.json()["intact"] as? Bool == true)
            }
        }
    }
}
