import Foundation
import Synchronization
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
    /// ``name`` as a JSON string, for the answers it goes into.
    public let nameJSON: [UInt8]
    /// The model's name on the upstream server.
    public let upstreamModel: String
    public let labels: BackendLabels
    public let created: Int
    let replicas: ReplicaSet
    /// Each replica's URL, parsed (nil: not an http(s) URL; the configuration refuses those).
    let endpoints: [UpstreamURL?]
    let client: UpstreamClient
    /// The headers every request carries (content type, the upstream's key).
    let headers: HTTPHeaders
    /// Each replica's requests for the inference paths, prepared once (nil: not an http(s) URL).
    let prepared: [String: [UpstreamRequest?]]
    /// Each replica's health check, `GET models`.
    let healthChecks: [UpstreamRequest?]
    /// Time allowed for an upstream answer to start (streaming bodies may take longer).
    let timeout: TimeAmount

    /// The paths whose requests are prepared when the backend is made.
    static let inferencePaths = ["chat/completions", "completions"]

    /// Seconds a failed replica is skipped.
    static let downSeconds: Double = 15

    public init(name: String, upstreamModel: String, replicas: [String], apiKey: String?, labels: BackendLabels,
                timeoutSeconds: Int64 = 300, client: UpstreamClient = .shared) {
        self.name = name
        nameJSON = JSONValue.string(name).jsonBytes
        self.upstreamModel = upstreamModel
        self.labels = labels
        self.replicas = ReplicaSet(urls: replicas.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
        endpoints = replicas.map(UpstreamURL.init)
        self.client = client
        var headers: HTTPHeaders = ["content-type": "application/json", "user-agent": "nuri"]
        if let apiKey { headers.add(name: "authorization", value: "Bearer \(apiKey)") }
        self.headers = headers
        let endpoints = self.endpoints
        prepared = Dictionary(uniqueKeysWithValues: Self.inferencePaths.map { path in
            (path, endpoints.map { $0.map { UpstreamRequest(.POST, $0, path: path, headers: headers) } })
        })
        healthChecks = endpoints.map { $0.map { UpstreamRequest(.GET, $0, path: "models", headers: headers) } }
        self.timeout = .seconds(timeoutSeconds)
        created = Int(Date().timeIntervalSince1970)
    }

    /// POSTs `body` to `path` (e.g. `chat/completions`) on the first replica that answers.
    public func post(_ path: String, body: JSONValue) async throws -> UpstreamResponse {
        try await post(path, bytes: body.jsonBytes)
    }

    /// POSTs a JSON text to `path` on the first replica that answers. A cancelled task (the
    /// client left) stops at once with `CancellationError`: no replica is marked down for it, and
    /// no other replica is asked.
    public func post(_ path: String, bytes: [UInt8]) async throws -> UpstreamResponse {
        let data = ByteBuffer(bytes: bytes)
        let requests = prepared[path]
        var failures: [String] = []
        for (index, base) in replicas.order() {
            do {
                guard let request = requests?[index] ?? endpoints[index].map({ UpstreamRequest(.POST, $0, path: path, headers: headers) })
                else { throw UpstreamError.connectFailed("not an http(s) URL") }
                let response = try await client.execute(request, body: data, timeout: timeout)
                replicas.markUp(index)
                return response
            } catch is CancellationError {
                // The client left: the replica did nothing wrong, and nobody waits for another.
                throw CancellationError()
            } catch {
                // Nothing was received: safe to try the next replica.
                failures.append("\(base): \(error)")
                replicas.markDown(index, for: Self.downSeconds)
            }
        }
        throw GatewayError.backendFailed("no replica of '\(name)' answered (\(failures.joined(separator: "; ")))")
    }

    /// Checks every replica with `GET /models` and marks it up or down; runs until cancelled.
    public func checkHealth(every seconds: Double = 10) async {
        while !Task.isCancelled {
            for (index, _) in replicas.all() {
                var up = false
                if let request = healthChecks[index], let response = try? await client.execute(request, timeout: .seconds(5)) {
                    up = response.status.code < 500
                    _ = try? await response.body.collect(upTo: 1 << 20)
                }
                if up { replicas.markUp(index) } else { replicas.markDown(index, for: Self.downSeconds) }
            }
            try? await Task.sleep(for: .seconds(seconds))
        }
    }
}

/// The replicas of a remote backend: round-robin over those not marked down. A lock, not an
/// actor: every request asks it twice, and each is a moment's work.
final class ReplicaSet: Sendable {
    let urls: [String]
    private struct State {
        var next = 0
        var downUntil: [Int: Date] = [:]
    }
    private let state = Mutex(State())

    init(urls: [String]) {
        self.urls = urls
    }

    /// Replicas to try, in order: the healthy ones starting from the next in turn, then the ones
    /// marked down (a last resort beats failing).
    func order() -> [(Int, String)] {
        guard !urls.isEmpty else { return [] }
        let now = Date()
        return state.withLock { state in
            let start = state.next
            state.next = (state.next + 1) % urls.count
            let rotated = (0..<urls.count).map { (start + $0) % urls.count }
            guard !state.downUntil.isEmpty else { return rotated.map { ($0, urls[$0]) } }
            let healthy = rotated.filter { (state.downUntil[$0] ?? .distantPast) <= now }
            let down = rotated.filter { (state.downUntil[$0] ?? .distantPast) > now }
            return (healthy + down).map { ($0, urls[$0]) }
        }
    }

    func all() -> [(Int, String)] { urls.enumerated().map { ($0.offset, $0.element) } }

    func markDown(_ index: Int, for seconds: Double) {
        let until = Date().addingTimeInterval(seconds)
        state.withLock { $0.downUntil[index] = until }
    }

    func markUp(_ index: Int) {
        state.withLock { state in
            if state.downUntil[index] != nil { state.downUntil[index] = nil }
        }
    }
}
