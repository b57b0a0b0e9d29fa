import NIOCore
import Synchronization
import Testing

@testable import NuriGateway

/// ``UpstreamBodyChannel``, between a connection and the consumer of its answer's body: order,
/// back-pressure, endings, and what a consumer that leaves tells the connection.
@Suite("Upstream body: buffers in order, back-pressure, endings, a consumer leaving")
struct UpstreamBodyTests {
    /// What the channel told its producer.
    final class Calls: Sendable {
        let demands = Atomic(0)
        let terminations = Atomic(0)
    }

    static func channel(_ calls: Calls) -> UpstreamBodyChannel {
        UpstreamBodyChannel(lowWatermark: 4, highWatermark: 16,
                            onDemand: { calls.demands.add(1, ordering: .relaxed) },
                            onTerminate: { calls.terminations.add(1, ordering: .relaxed) })
    }

    static func buffer(_ number: Int) -> ByteBuffer { ByteBuffer(string: "part \(number)") }

    @Test("buffers come out in order, then the end; a finished body drops later buffers")
    func order() async throws {
        let calls = Calls()
        let channel = Self.channel(calls)
        for number in 0..<3 { #expect(channel.yield(Self.buffer(number)) == .produceMore) }
        channel.finish()
        #expect(channel.yield(Self.buffer(3)) == .dropped)
        var read: [String] = []
        for try await buffer in UpstreamBody(channel) { read.append(String(buffer: buffer)) }
        #expect(read == ["part 0", "part 1", "part 2"])
        // The consumer took the end: the connection has nothing to be told.
        #expect(calls.terminations.load(ordering: .relaxed) == 0)
    }

    @Test("the producer is told to stop at the high watermark and to go on below the low one, once")
    func backPressure() async throws {
        let calls = Calls()
        let channel = Self.channel(calls)
        for number in 0..<15 { #expect(channel.yield(Self.buffer(number)) == .produceMore) }
        #expect(channel.yield(Self.buffer(15)) == .stopProducing)
        var iterator = UpstreamBody(channel).makeAsyncIterator()
        // 16 waiting; taking 12 leaves 4: not yet below the low watermark.
        for number in 0..<12 { #expect(try await iterator.next().map { String(buffer: $0) } == "part \(number)") }
        #expect(calls.demands.load(ordering: .relaxed) == 0)
        _ = try await iterator.next()  // 3 left
        #expect(calls.demands.load(ordering: .relaxed) == 1)
        _ = try await iterator.next()
        #expect(calls.demands.load(ordering: .relaxed) == 1)
        #expect(channel.yield(Self.buffer(16)) == .produceMore)
    }

    @Test("a consumer waiting for the next buffer gets it, or the end, when it comes")
    func waiting() async throws {
        let calls = Calls()
        let channel = Self.channel(calls)
        let body = UpstreamBody(channel)
        let reader = Task {
            var read: [String] = []
            for try await buffer in body { read.append(String(buffer: buffer)) }
            return read
        }
        for number in 0..<5 {
            try await Task.sleep(for: .milliseconds(10))
            _ = channel.yield(Self.buffer(number))
        }
        try await Task.sleep(for: .milliseconds(10))
        channel.finish()
        #expect(try await reader.value == (0..<5).map { "part \($0)" })
    }

    @Test("a failure comes after the buffers already given, once; then the body has ended")
    func failure() async throws {
        struct Broken: Error {}
        let channel = Self.channel(Calls())
        _ = channel.yield(Self.buffer(0))
        channel.finish(Broken())
        channel.finish()  // only the first ending counts
        var iterator = UpstreamBody(channel).makeAsyncIterator()
        #expect(try await iterator.next().map { String(buffer: $0) } == "part 0")
        await #expect(throws: Broken.self) { try await iterator.next() }
        #expect(try await iterator.next() == nil)
    }

    @Test("a failure reaches a consumer that waits for it")
    func failureWhileWaiting() async throws {
        struct Broken: Error {}
        let channel = Self.channel(Calls())
        let body = UpstreamBody(channel)
        let reader = Task { for try await _ in body {} }
        try await Task.sleep(for: .milliseconds(20))
        channel.finish(Broken())
        await #expect(throws: Broken.self) { try await reader.value }
    }

    @Test("cancelling a consumer that waits ends its wait with CancellationError and tells the connection")
    func cancelled() async throws {
        let calls = Calls()
        let channel = Self.channel(calls)
        let body = UpstreamBody(channel)
        let reader = Task { for try await _ in body {} }
        try await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        await #expect(throws: CancellationError.self) { try await reader.value }
        #expect(calls.terminations.load(ordering: .relaxed) == 1)
        #expect(channel.yield(Self.buffer(0)) == .dropped)
    }

    @Test("a consumer that stops before the end tells the connection once its iterator goes")
    func leavesEarly() async throws {
        let calls = Calls()
        let channel = Self.channel(calls)
        let body = UpstreamBody(channel)
        _ = channel.yield(Self.buffer(0))
        _ = channel.yield(Self.buffer(1))
        for try await _ in body { break }
        #expect(calls.terminations.load(ordering: .relaxed) == 1)
        #expect(channel.yield(Self.buffer(2)) == .dropped)
        withExtendedLifetime(body) {}
    }

    @Test("a body dropped unread tells the connection; one read to its end does not")
    func droppedUnread() async throws {
        let calls = Calls()
        do {
            let channel = Self.channel(calls)
            _ = channel.yield(Self.buffer(0))
            _ = UpstreamBody(channel)
        }
        #expect(calls.terminations.load(ordering: .relaxed) == 1)
        do {
            let channel = Self.channel(calls)
            _ = channel.yield(Self.buffer(0))
            channel.finish()
            _ = try await UpstreamBody(channel).collect(upTo: 100)
        }
        #expect(calls.terminations.load(ordering: .relaxed) == 1)
    }
}
