import NuriGateway
import NuriStore
import NuriTestSupport
import Testing

@Suite("Usage recorder: records written in batches off the request path")
struct UsageRecorderTests {
    func usage(_ user: String) -> UsageRecord {
        UsageRecord(organisationID: "org_a", userID: user, tokenID: "tok_1", model: "smollm2", backend: "smollm2", endpoint: "chat.completions",
                    promptTokens: 10, completionTokens: 5, latencyMilliseconds: 12, status: 200)
    }

    /// Records in the store, read from the database.
    func written(_ store: UsageStore, since: Int = 0) async throws -> Int {
        try await store.summary(since: since).reduce(0) { $0 + $1.requests }
    }

    /// Whether the store holds `count` records within `limit`, without anyone flushing.
    func eventually(_ store: UsageStore, holds count: Int, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await written(store) == count { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await written(store) == count
    }

    @Test("records handed over are written once the interval has passed, without a flush", arguments: TestBackend.available)
    func writtenAfterInterval(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let store = UsageStore(database: database)
            let recorder = UsageRecorder(store: store, interval: .milliseconds(100))
            for user in ["usr_1", "usr_2", "usr_3"] { recorder.record(usage(user)) }
            let start = ContinuousClock.now
            // A generous bound for a busy machine; without the timer they would never arrive.
            let arrived = try await eventually(store, holds: 3, within: .seconds(2))
            #expect(arrived)
            #expect(ContinuousClock.now - start < .seconds(2))
            // Later records are written by a timer of their own.
            recorder.record(usage("usr_4"))
            let later = try await eventually(store, holds: 4, within: .seconds(2))
            #expect(later)
        }
    }

    @Test("flush writes everything handed over at once, with the time each record was handed over", arguments: TestBackend.available)
    func flushWritesAtOnce(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let clock = ManualClock()
            let handedOver = clock.now
            let store = UsageStore(database: database, now: { clock.now })
            let recorder = UsageRecorder(store: store, interval: .seconds(3_600))
            for index in 0..<5 { recorder.record(usage("usr_\(index)")) }
            let before = try await written(store)
            #expect(before == 0, "nothing is written before the interval or a flush")
            clock.advance(60)
            await recorder.flush()
            #expect(try await written(store) == 5)
            #expect(try await written(store, since: handedOver + 1) == 0, "created_at is when the record was handed over")
            // Flushing with nothing pending changes nothing.
            await recorder.flush()
            #expect(try await written(store) == 5)
        }
    }

    @Test("a full batch is written without waiting for the interval", arguments: TestBackend.available)
    func fullBatch(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let store = UsageStore(database: database)
            let recorder = UsageRecorder(store: store, interval: .seconds(3_600), batchSize: 4)
            for index in 0..<4 { recorder.record(usage("usr_\(index)")) }
            let batch = try await eventually(store, holds: 4, within: .seconds(2))
            #expect(batch)
            // One more is not a batch: it waits.
            recorder.record(usage("usr_4"))
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await written(store) == 4)
            await recorder.flush()
            #expect(try await written(store) == 5)
        }
    }
}
