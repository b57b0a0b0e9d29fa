import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A model served by another OpenAI-compatible server (vLLM, llama.cpp's server, another Nuri),
/// reached over HTTP: how Nuri uses GPU clusters.
///
/// Several replicas share the load in turn; a replica that cannot be reached is skipped (the
/// request goes to the next one) and left out for ``downSeconds`` unless a health check finds it
/// up again sooner.
public final class RemoteBackend: Sendable {
    public let name: String
    /// The model's name on the upstream server.
    public let upstreamModel: String
    public let labels: BackendLabels
    public let created: Int
    let apiKey: String?
    let replicas: ReplicaSet
    let client: HTTPClient
    /// Time allowed for an upstream answer to start (streaming bodies may take longer).
    let timeout: TimeAmount

    /// Seconds a failed replica is skipped.
    static let downSeconds: Double = 15

    /// The process's client for upstreams. Its connect timeout is short so that a dead replica
    /// is given up quickly (the client otherwise keeps retrying the connection until the
    /// request's deadline) and the next one is tried.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(300))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init(name: String, upstreamModel: String, replicas: [String], apiKey: String?, labels: BackendLabels,
                timeoutSeconds: Int64 = 300, client: HTTPClient = RemoteBackend.sharedClient) {
        self.name = name
        self.upstreamModel = upstreamModel
        self.labels = labels
        self.apiKey = apiKey
        self.replicas = ReplicaSet(urls: replicas.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
        self.client = client
        self.timeout = .seconds(timeoutSeconds)
        created = Int(Date().timeIntervalSince1970)
    }

    /// POSTs `body` to `path` (e.g. `chat/completions`) on the first replica that answers.
    public func post(_ path: String, body: JSONValue) async throws -> HTTPClientResponse {
        let data = body.jsonBytes
        var failures: [String] = []
        for (index, base) in await replicas.order() {
            var request = HTTPClientRequest(url: "\(base)/\(path)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
            request.body = .bytes(ByteBuffer(bytes: data))
            do {
                let response = try await client.execute(request, timeout: timeout)
                await replicas.markUp(index)
                return response
            } catch {
                // Nothing was received: safe to try the next replica.
                failures.append("\(base): \(error)")
                await replicas.markDown(index, for: Self.downSeconds)
            }
        }
        throw GatewayError.backendFailed("no replica of '\(name)' answered (\(failures.joined(separator: "; ")))")
    }

    /// Checks every replica with `GET /models` and marks it up or down; runs until cancelled.
    public func checkHealth(every seconds: Double = 10) async {
        while !Task.isCancelled {
            for (index, base) in await replicas.all() {
                var request = HTTPClientRequest(url: "\(base)/models")
                if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
                let up = (try? await client.execute(request, timeout: .seconds(5)).status.code).map { $0 < 500 } ?? false
                if up { await replicas.markUp(index) } else { await replicas.markDown(index, for: Self.downSeconds) }
            }
            try? await Task.sleep(for: .seconds(seconds))
        }
    }
}

/// The replicas of a remote backend: round-robin over those not marked down.
actor ReplicaSet {
    let urls: [String]
    private var next = 0
    private var downUntil: [Int: Date] = [:]

    init(urls: [String]) {
        self.urls = urls
    }

    /// Replicas to try, in order: the healthy ones starting from the next in turn, then the ones
    /// marked down (a last resort beats failing).
    func order() -> [(Int, String)] {
        guard !urls.isEmpty else { return [] }
        let start = next
        next = (next + 1) % urls.count
        let now = Date()
        let rotated = (0..<urls.count).map { (start + $0) % urls.count }
        let healthy = rotated.filter { (downUntil[$0] ?? .distantPast) <= now }
        let down = rotated.filter { (downUntil[$0] ?? .distantPast) > now }
        return (healthy + down).map { ($0, urls[$0]) }
    }

    func all() -> [(Int, String)] { urls.enumerated().map { ($0.offset, $0.element) } }

    func markDown(_ index: Int, for seconds: Double) { downUntil[index] = Date().addingTimeInterval(seconds) }

    func markUp(_ index: Int) { downUntil[index] = nil }
}
