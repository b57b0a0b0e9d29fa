import Foundation
import Hummingbird
import HummingbirdTesting
import NuriGateway
import NuriIdentity
import NuriServer
import Testing

/// Models restricted to organisations: listed only to those who may use them, and answering a
/// caller who may not exactly as a model that does not exist.
@Suite("Per-organisation model visibility")
struct ModelVisibilityTests {
    /// Three remote models (whose upstream is unreachable: a request that gets past the gateway's
    /// checks ends in 502): one open to everyone, one for seoul-city, one for operators only.
    static let gateway: Gateway = {
        func remote(_ name: String) -> RemoteBackend {
            RemoteBackend(name: name, upstreamModel: name, replicas: ["http://127.0.0.1:9/v1"], apiKey: nil,
                          labels: BackendLabels(jurisdiction: "KR", relationship: .inHouse))
        }
        return Gateway(backends: [], remotes: [remote("open"), remote("seoul-only"), remote("operators-only")],
                       access: ["seoul-only": ModelAccess(organisations: ["Seoul-City"]), "operators-only": ModelAccess(organisations: [])])
    }()

    static func seed(_ harness: RouteHarness) async throws {
        _ = try await harness.identity.createOrganisation(name: "seoul-city", sector: .public)
        _ = try await harness.identity.createOrganisation(name: "naver", sector: .private)
        _ = try await harness.identity.createUser(name: "minji", organisation: "seoul-city", role: .member)
        _ = try await harness.identity.createUser(name: "outsider", organisation: "naver", role: .owner)
        _ = try await harness.identity.createUser(name: "both", organisation: "naver", role: .member)
        try await harness.identity.setMembership(user: "both", organisation: "seoul-city", role: .member)
    }

    static func models(_ client: some TestClientProtocol, _ token: String) async throws -> [String] {
        let response = try await client.execute(uri: "/v1/models", method: .get, headers: .bearer(token))
        #expect(response.status == .ok)
        return (try response.json()["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
    }

    @Test("GET /v1/models lists only the models the caller may use; operators see all")
    func listing() async throws {
        try await RouteHarness.run(gateway: Self.gateway) { harness, client in
            try await Self.seed(harness)
            #expect(try await Self.models(client, harness.operatorToken) == ["open", "operators-only", "seoul-only"])
            #expect(try await Self.models(client, harness.token(for: "minji", scopes: [.inference])) == ["open", "seoul-only"])
            #expect(try await Self.models(client, harness.token(for: "outsider", scopes: [.inference])) == ["open"])
            // A token scoped to one organisation acts in that one only.
            #expect(try await Self.models(client, harness.token(for: "both", scopes: [.inference])) == ["open", "seoul-only"])
            #expect(try await Self.models(client, harness.token(for: "both", org: "naver", scopes: [.inference])) == ["open"])
            // The operator's token scoped to an organisation is no longer an operator's.
            try await harness.identity.setMembership(user: "operator", organisation: "naver", role: .owner)
            #expect(try await Self.models(client, harness.token(for: "operator", org: "naver", scopes: [.inference])) == ["open"])
        }
    }

    @Test("a model the caller may not use answers 404 model_not_found, word for word as an unknown model",
          arguments: ["/v1/chat/completions", "/v1/completions", "/v1/models/{model}"])
    func noLeak(path: String) async throws {
        try await RouteHarness.run(gateway: Self.gateway) { harness, client in
            try await Self.seed(harness)
            let outsider = try await harness.token(for: "outsider", scopes: [.inference])
            func call(_ model: String) async throws -> TestResponse {
                if path.contains("{model}") {
                    return try await client.execute(uri: path.replacingOccurrences(of: "{model}", with: model), method: .get, headers: .bearer(outsider))
                }
                let body = path.hasSuffix("chat/completions")
                    ? #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}]}"# : #"{"model":"\#(model)","prompt":"hi"}"#
                return try await client.execute(uri: path, method: .post, headers: .bearer(outsider), body: .json(body))
            }
            for restricted in ["seoul-only", "operators-only"] {
                let hidden = try await call(restricted)
                let unknown = try await call("no-such-model")
                #expect(hidden.status == .notFound && unknown.status == .notFound)
                #expect(hidden.headers[.contentType] == unknown.headers[.contentType])
                func shape(_ response: TestResponse, _ name: String) throws -> NSDictionary? {
                    try JSONSerialization.jsonObject(with: Data(response.text.replacingOccurrences(of: name, with: "X").utf8)) as? NSDictionary
                }
                #expect(try shape(hidden, restricted) == shape(unknown, "no-such-model"), "\(hidden.text) vs \(unknown.text)")
                #expect(try hidden.errorBody().code == "model_not_found")
            }
        }
    }

    @Test("members of the listed organisation get through to the backend (here unreachable: 502), and the operator too")
    func allowed() async throws {
        try await RouteHarness.run(gateway: Self.gateway) { harness, client in
            try await Self.seed(harness)
            let body = ByteBuffer.json(#"{"model":"seoul-only","messages":[{"role":"user","content":"hi"}]}"#)
            for token in [try await harness.token(for: "minji", scopes: [.inference]), harness.operatorToken] {
                let response = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .bearer(token), body: body)
                #expect(response.status == .badGateway, "\(response.text)")
            }
            let show = try await client.execute(uri: "/v1/models/seoul-only", method: .get,
                                                headers: .bearer(try await harness.token(for: "minji", scopes: [.inference])))
            #expect(show.status == .ok)
        }
    }
}
