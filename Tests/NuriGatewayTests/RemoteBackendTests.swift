import NIOCore
import NIOHTTP1
import NuriGateway
import Testing

@Suite("Remote backend: replicas, failover and clients that leave")
struct RemoteBackendTests {
    static func backend(_ upstreams: [TestUpstream], client: UpstreamClient) -> RemoteBackend {
        RemoteBackend(name: "m", upstreamModel: "m", replicas: upstreams.map { "http://127.0.0.1:\($0.port)/v1" }, apiKey: nil,
                      labels: BackendLabels(jurisdiction: "KR", relationship: .inHouse), client: client)
    }

    /// Before, the cancelled exchange counted as the replica's failure: it was marked down and
    /// the request went on to the next replica, for a client nobody answers any more.
    @Test("a request cancelled while its answer is awaited (the client left) stops: no other replica is asked, none is marked down")
    func cancelledWhileWaiting() async throws {
        let first = try await TestUpstream.start(), second = try await TestUpstream.start()
        let client = UpstreamClient()
        defer { client.closeIdle() }
        let backend = Self.backend([first, second], client: client)
        let upstreams = [first, second]
        func asked() -> [Int] { upstreams.map { $0.seen.requests.count } }

        let task = Task { try await backend.post("silent", bytes: Array("{}".utf8)) }
        // A wait, not a timing: in a full run, with every suite at once on two cores, the request
        // has been seen to take more than 5 s to arrive.
        let deadline = ContinuousClock.now + .seconds(30)
        while asked().reduce(0, +) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try #require(asked().reduce(0, +) == 1)
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        try await Task.sleep(for: .milliseconds(200))
        #expect(asked().reduce(0, +) == 1, "the request went to one replica only: \(asked())")

        // Round robin goes on over both: a replica marked down would be skipped while the other is up.
        try await withDeadline(.seconds(20), "two requests after the cancelled one") {
            for _ in 0..<2 {
                let response = try await backend.post("echo", bytes: Array("{}".utf8))
                #expect(response.status == .ok)
                _ = try await response.body.collect(upTo: 1_000)
            }
        }
        let echoes = upstreams.map { $0.seen.requests.filter { $0.uri.hasSuffix("/echo") }.count }
        #expect(echoes == [1, 1], "each replica took one of the two: \(echoes)")
    }
}
