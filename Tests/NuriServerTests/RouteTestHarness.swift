import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NuriGateway
import NuriIdentity
import NuriServer
import NuriStore
import NuriTestSupport
import Testing

/// A fresh database with an operator, an organisation and a few users, and the application on
/// top of it, driven without a socket.
struct RouteHarness {
    let database: Database
    let identity: IdentityStore
    /// The operator's token (every scope).
    let operatorToken: String

    /// Runs `body` with a client for an application over a new SQLite database, serving `gateway`'s models.
    static func run(
        configure: (inout ServerConfiguration) -> Void = { _ in },
        gateway: Gateway = Gateway(backends: []),
        _ body: @escaping @Sendable (RouteHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestDatabase.with(.sqlite) { database, test in
            let identity = IdentityStore(database: database)
            let (_, issued) = try await identity.initialise()
            var configuration = ServerConfiguration()
            configuration.dataDirectory = test.directory
            configure(&configuration)
            let harness = RouteHarness(database: database, identity: identity, operatorToken: issued.secret.value)
            // Request logs are tested through the real binary (ServeTests); here they would only
            // bury the test report.
            var logger = Logger(label: "nuri.test")
            logger.logLevel = .error
            let app = Application(router: NuriApplication.router(configuration: configuration, database: database, gateway: gateway), logger: logger)
            try await app.test(.router) { client in try await body(harness, client) }
        }
    }

    /// A token for `user`, created directly in the store.
    func token(for user: String, org: String? = nil, scopes: Set<Scope>, lifetime: Int? = nil) async throws -> String {
        try await identity.issueToken(user: user, organisation: org, name: "test", scopes: scopes, lifetime: lifetime).secret.value
    }
}

extension HTTPFields {
    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }
}

extension ByteBuffer {
    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}

/// The parts of OpenAI's error shape that clients read.
struct ErrorBody: Decodable {
    struct Inner: Decodable {
        let message: String
        let type: String
        let param: String?
        let code: String?
    }
    let error: Inner
}

extension TestResponse {
    /// The body decoded as OpenAI's error shape; fails the test if it is not.
    func errorBody(sourceLocation: SourceLocation = #_sourceLocation) throws -> ErrorBody.Inner {
        let data = Data(body.readableBytesView)
        let text = String(decoding: data, as: UTF8.self)
        // All four keys are present, even when null, as OpenAI sends them.
        for key in ["\"message\"", "\"type\"", "\"param\"", "\"code\""] {
            #expect(text.contains(key), "error body lacks \(key): \(text)", sourceLocation: sourceLocation)
        }
        return try JSONDecoder().decode(ErrorBody.self, from: data).error
    }

    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }
}
