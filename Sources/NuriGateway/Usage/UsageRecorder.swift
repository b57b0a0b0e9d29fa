import NuriStore
import Synchronization

/// Writes usage records off the request path.
///
/// A request hands its record over and goes on. Records are gathered for up to ``interval``
/// (or until ``batchSize`` are waiting) and written in one transaction, so that metering costs a
/// write per interval rather than one per request, busy or idle. Writes happen one after the
/// other, in the order records were handed over.
///
/// ``flush()`` writes at once everything handed over so far and waits for it: `GET /api/usage`
/// calls it first, so a client always reads its own usage, and the server calls it before
/// closing the database on shutdown.
///
/// A record carries the time it was handed over, not the time it was written.
///
/// Batches are built and written on ``executor`` (by default ``BackgroundExecutor/shared``, a
/// thread of lower priority), not on the event loop of the request that started the batch:
/// there, the requests arriving while a batch of a few hundred records was encoded waited for
/// it (1.3–1.9 ms every 100 ms at 3,000 requests/s, which was the gateway's p99).
///
/// A lock, not an actor: every request hands a record over, and an actor would cost each of them
/// a hop between executors.
public final class UsageRecorder: Sendable {
    let store: UsageStore
    let onFailure: @Sendable (any Error, Int) -> Void
    /// Longest time a record waits before its batch is written.
    public let interval: Duration
    /// A batch this large is written without waiting for the interval.
    public let batchSize: Int
    /// Where batches are built and written.
    let executor: any TaskExecutor

    private struct State {
        var pending: [UsageRecord] = []
        /// The newest write; each write waits for the one before it.
        var lastWrite: Task<Void, Never>?
        var timerArmed = false
    }
    private let state = Mutex(State())

    /// Records are written to `store`; a failed write is reported to `onFailure` with the number
    /// of records lost (metering never fails a request).
    public init(store: UsageStore, interval: Duration = .milliseconds(100), batchSize: Int = 1_000,
                executor: any TaskExecutor = BackgroundExecutor.shared,
                onFailure: @escaping @Sendable (any Error, Int) -> Void = { _, _ in }) {
        self.store = store
        self.executor = executor
        self.interval = interval
        self.batchSize = max(1, batchSize)
        self.onFailure = onFailure
    }

    /// Queues one record for writing.
    public func record(_ record: UsageRecord) {
        var record = record
        if record.createdAt == nil { record.createdAt = store.now() }
        let armTimer = state.withLock { state -> Bool in
            state.pending.append(record)
            if state.pending.count >= batchSize {
                write(&state)
                return false
            }
            guard !state.timerArmed else { return false }
            state.timerArmed = true
            return true
        }
        if armTimer {
            let interval = self.interval
            Task {
                try? await Task.sleep(for: interval)
                self.state.withLock { state in
                    state.timerArmed = false
                    self.write(&state)
                }
            }
        }
    }

    /// Writes every record queued so far and waits until they are written (or have failed).
    public func flush() async {
        await state.withLock { write(&$0) }?.value
    }

    /// Starts writing what is pending, after the write before it; returns the newest write.
    @discardableResult
    private func write(_ state: inout State) -> Task<Void, Never>? {
        guard !state.pending.isEmpty else { return state.lastWrite }
        let batch = state.pending, previous = state.lastWrite, store = self.store, onFailure = self.onFailure
        let executor = self.executor
        state.pending.removeAll(keepingCapacity: true)
        let task = Task(executorPreference: executor) {
            await previous?.value
            do {
                try await store.record(batch, preferring: executor)
            } catch {
                onFailure(error, batch.count)
            }
        }
        state.lastWrite = task
        return task
    }
}
