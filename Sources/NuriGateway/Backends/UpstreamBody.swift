import NIOCore
import Synchronization

/// An answer's body, buffer by buffer, as the connection reads it. One consumer iterates it
/// once. Dropping the iterator before the end (or the body, never read), or cancelling the
/// task that waits on it, closes the connection, so that the upstream stops sending.
public struct UpstreamBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let sequence: UpstreamBodyToken

    init(_ channel: UpstreamBodyChannel) {
        sequence = UpstreamBodyToken(channel, iterator: false)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let iterator: UpstreamBodyToken
        public mutating func next() async throws -> ByteBuffer? { try await iterator.channel.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        sequence.channel.iteratorMade()
        return AsyncIterator(iterator: UpstreamBodyToken(sequence.channel, iterator: true))
    }

    /// The whole body, or ``UpstreamError/bodyTooLarge(_:)`` past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var whole = ByteBuffer()
        for try await var buffer in self {
            guard whole.readableBytes + buffer.readableBytes <= limit else { throw UpstreamError.bodyTooLarge(limit) }
            if whole.readableBytes == 0 {
                whole = buffer
            } else {
                whole.writeBuffer(&buffer)
            }
        }
        return whole
    }
}

/// Tells the channel when the consumer's side goes: its iterator, or the body if it never made
/// one. (The body itself can outlive its reading: the answer's promise keeps it.)
final class UpstreamBodyToken: Sendable {
    let channel: UpstreamBodyChannel
    let iterator: Bool

    init(_ channel: UpstreamBodyChannel, iterator: Bool) {
        self.channel = channel
        self.iterator = iterator
    }

    deinit {
        if iterator {
            channel.consumerLeft()
        } else {
            channel.bodyDropped()
        }
    }
}

/// A body's buffers on their way from the connection (the producer, on its event loop) to the
/// consumer (a task, wherever it runs): in order, then the end or an error.
///
/// The producer is told to stop once `highWatermark` buffers wait, and `onDemand` runs once
/// fewer than `lowWatermark` do again. `onTerminate` runs once if the consumer leaves (goes,
/// or is cancelled while it waits) before the producer has ended the body.
///
/// Made for this one use rather than NIO's `NIOThrowingAsyncSequenceProducer`, whose generic
/// state machine, unspecialised here, looked up type metadata at run time on every answer
/// (about 6 µs of a streamed request; docs/BENCHMARKS.md).
final class UpstreamBodyChannel: Sendable {
    enum YieldResult: Equatable {
        case produceMore
        case stopProducing
        /// The consumer has gone: the buffer was dropped.
        case dropped
    }

    private enum Ending {
        case finished
        case failed(any Error)
    }

    private struct State: ~Copyable {
        var buffers = CircularBuffer<ByteBuffer>(initialCapacity: 4)
        var ending: Ending?
        var waiter: UnsafeContinuation<ByteBuffer?, any Error>?
        /// The producer was told to stop and not yet to go on.
        var stopped = false
        var consumerGone = false
        var iterated = false

        /// What `next()` gets now, if anything.
        mutating func take(lowWatermark: Int) -> Taken {
            if let buffer = buffers.popFirst() {
                guard stopped, buffers.count < lowWatermark else { return .buffer(buffer, demand: false) }
                stopped = false
                return .buffer(buffer, demand: true)
            }
            if consumerGone { return .failure(CancellationError()) }
            switch ending {
            case nil: return .wait
            case .finished?: return .end
            case .failed(let error)?:
                ending = .finished  // thrown once; then the body has ended
                return .failure(error)
            }
        }
    }

    private enum Taken {
        case buffer(ByteBuffer, demand: Bool)
        case end
        case failure(any Error)
        case wait
    }

    private let state = Mutex(State())
    private let lowWatermark: Int
    private let highWatermark: Int
    private let onDemand: @Sendable () -> Void
    private let onTerminate: @Sendable () -> Void

    init(lowWatermark: Int = 4, highWatermark: Int = 16, onDemand: @escaping @Sendable () -> Void,
         onTerminate: @escaping @Sendable () -> Void) {
        precondition(lowWatermark < highWatermark)
        self.lowWatermark = lowWatermark
        self.highWatermark = highWatermark
        self.onDemand = onDemand
        self.onTerminate = onTerminate
    }

    // MARK: The producer's side

    func yield(_ buffer: ByteBuffer) -> YieldResult {
        let (waiter, result) = state.withLock { state -> (UnsafeContinuation<ByteBuffer?, any Error>?, YieldResult) in
            if state.consumerGone || state.ending != nil { return (nil, .dropped) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, .produceMore)
            }
            state.buffers.append(buffer)
            guard state.buffers.count >= highWatermark else { return (nil, .produceMore) }
            state.stopped = true
            return (nil, .stopProducing)
        }
        waiter?.resume(returning: buffer)
        return result
    }

    /// The end of the body (`error` nil) or its failure; the consumer gets it after the buffers
    /// already given. Only the first ending counts.
    func finish(_ error: (any Error)? = nil) {
        let waiter = state.withLock { state -> UnsafeContinuation<ByteBuffer?, any Error>? in
            guard state.ending == nil, !state.consumerGone else { return nil }
            if let waiter = state.waiter {
                // The waiting consumer takes the ending now.
                state.waiter = nil
                state.ending = .finished
                return waiter
            }
            state.ending = error.map { .failed($0) } ?? .finished
            return nil
        }
        guard let waiter else { return }
        if let error {
            waiter.resume(throwing: error)
        } else {
            waiter.resume(returning: nil)
        }
    }

    // MARK: The consumer's side

    func next() async throws -> ByteBuffer? {
        // Usually the buffer, or the end, is there already: no suspension, no cancellation handler.
        if let ready = outcome(state.withLock { $0.take(lowWatermark: lowWatermark) }) { return try ready.get() }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<ByteBuffer?, any Error>) in
                let taken = state.withLock { state -> Taken in
                    let taken = state.take(lowWatermark: lowWatermark)
                    if case .wait = taken { state.waiter = continuation }
                    return taken
                }
                if let ready = outcome(taken) { continuation.resume(with: ready) }
            }
        } onCancel: {
            consumerLeft()
        }
    }

    /// What `next()` returns for what it took (nil: it waits), telling the producer to go on
    /// if the buffer taken brought the waiting ones below the low watermark.
    private func outcome(_ taken: Taken) -> Result<ByteBuffer?, any Error>? {
        switch taken {
        case .wait: return nil
        case .buffer(let buffer, let demand):
            if demand { onDemand() }
            return .success(buffer)
        case .end: return .success(nil)
        case .failure(let error): return .failure(error)
        }
    }

    func iteratorMade() {
        state.withLock { $0.iterated = true }
    }

    /// The body has gone: its consumer too, if it never made an iterator.
    func bodyDropped() {
        if state.withLock({ !$0.iterated }) { consumerLeft() }
    }

    /// The consumer is gone (its iterator, or its body never read, dropped, or its task
    /// cancelled while it waits).
    func consumerLeft() {
        let (waiter, notify) = leave()
        waiter?.resume(throwing: CancellationError())
        if notify { onTerminate() }
    }

    /// Marks the consumer gone; returns the continuation to resume, and whether the producer
    /// must hear of it (its body had not ended).
    private func leave() -> (UnsafeContinuation<ByteBuffer?, any Error>?, Bool) {
        state.withLock { state in
            guard !state.consumerGone else { return (nil, false) }
            state.consumerGone = true
            let unfinished = state.ending == nil
            state.buffers.removeAll()
            defer { state.waiter = nil }
            return (state.waiter, unfinished)
        }
    }
}
