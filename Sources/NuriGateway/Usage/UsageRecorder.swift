/// Writes usage records off the request path.
///
/// A request hands its record over and goes on; one writer task at a time inserts everything
/// handed over meanwhile in one transaction, so that under load a write serves many requests
/// and an idle server writes each record within about a millisecond. ``flush()`` waits for every
/// record handed over so far: `GET /api/usage` calls it first, so a client always reads its own
/// usage, and the server calls it before closing the database on shutdown.
///
/// A record carries the time it was handed over, not the time it was written.
public actor UsageRecorder {
    let store: UsageStore
    let onFailure: @Sendable (any Error, Int) -> Void
    private var pending: [UsageRecord] = []
    private var writer: Task<Void, Never>?

    /// Records are written to `store`; a failed write is reported to `onFailure` with the number
    /// of records lost (metering never fails a request).
    public init(store: UsageStore, onFailure: @escaping @Sendable (any Error, Int) -> Void = { _, _ in }) {
        self.store = store
        self.onFailure = onFailure
    }

    /// Queues one record for writing.
    public func record(_ record: UsageRecord) {
        var record = record
        if record.createdAt == nil { record.createdAt = store.now() }
        pending.append(record)
        if writer == nil {
            writer = Task { await self.drain() }
        }
    }

    /// Waits until every record queued so far is written (or has failed).
    public func flush() async {
        while let writer {
            await writer.value
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            do {
                try await store.record(batch)
            } catch {
                onFailure(error, batch.count)
            }
        }
        writer = nil
    }
}
