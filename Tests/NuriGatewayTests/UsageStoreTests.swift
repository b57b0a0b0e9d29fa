import NuriGateway
import NuriStore
import NuriTestSupport
import Testing

@Suite("Usage records on SQLite and PostgreSQL")
struct UsageStoreTests {
    func record(_ model: String, org: String?, user: String, prompt: Int, completion: Int, status: Int = 200) -> UsageRecord {
        UsageRecord(organisationID: org, userID: user, tokenID: "tok_1", model: model, backend: model, endpoint: "chat.completions",
                    promptTokens: prompt, completionTokens: completion, latencyMilliseconds: 12, status: status)
    }

    @Test("requests add up per model and organisation, filtered by organisation, user, model and time", arguments: TestBackend.available)
    func summaries(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let clock = ManualClock()
            let store = UsageStore(database: database, now: { clock.now })
            try await store.record(record("smollm2", org: "org_a", user: "usr_1", prompt: 10, completion: 5))
            try await store.record(record("smollm2", org: "org_a", user: "usr_2", prompt: 20, completion: 7, status: 499))
            try await store.record(record("gemma3", org: "org_b", user: "usr_1", prompt: 3, completion: 1))
            clock.advance(100)
            try await store.record(record("smollm2", org: nil, user: "usr_3", prompt: 1, completion: 1))

            let all = try await store.summary(since: 0)
            #expect(all.count == 3)
            let smolA = try #require(all.first { $0.model == "smollm2" && $0.organisationID == "org_a" })
            #expect(smolA.requests == 2 && smolA.promptTokens == 30 && smolA.completionTokens == 12 && smolA.errors == 1)
            #expect(try await store.summary(since: 0, organisationID: "org_b").map(\.model) == ["gemma3"])
            #expect(try await store.summary(since: 0, userID: "usr_1").reduce(0) { $0 + $1.requests } == 2)
            #expect(try await store.summary(since: 0, model: "gemma3").count == 1)
            let recent = try await store.summary(since: clock.now)
            #expect(recent.count == 1 && recent.first?.organisationID == nil)
        }
    }

    @Test("a batch longer than one statement is written whole", arguments: TestBackend.available)
    func longBatch(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let store = UsageStore(database: database)
            // 69 rows: several full statements (16 rows each) and a partial one; the token
            // counts add up to a sum only the whole batch gives.
            let batch = (1...69).map { record("smollm2", org: "org_a", user: "usr_1", prompt: $0, completion: 1, status: $0 == 69 ? 500 : 200) }
            try await store.record(batch, preferring: BackgroundExecutor.shared)
            let summary = try await store.summary(since: 0)
            #expect(summary.count == 1)
            #expect(summary.first?.requests == 69 && summary.first?.promptTokens == 69 * 70 / 2)
            #expect(summary.first?.completionTokens == 69 && summary.first?.errors == 1)
        }
    }

    @Test("names with quotes, backslashes, control characters and Hangul are stored as given", arguments: TestBackend.available)
    func unusualNames(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let store = UsageStore(database: database)
            let names = [#"say "hi"\now"#, "모델/한국어:v1", "tab\there\u{1}", "😀"]
            try await store.record(names.map { record($0, org: $0, user: "usr_1", prompt: 1, completion: 1) })
            let summary = try await store.summary(since: 0)
            #expect(Set(summary.map(\.model)) == Set(names))
            #expect(summary.allSatisfy { $0.organisationID == $0.model })
        }
    }
}

final class ManualClock: @unchecked Sendable {
    private var value = 1_800_000_000
    var now: Int { value }
    func advance(_ seconds: Int) { value += seconds }
}
