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
}

final class ManualClock: @unchecked Sendable {
    private var value = 1_800_000_000
    var now: Int { value }
    func advance(_ seconds: Int) { value += seconds }
}
