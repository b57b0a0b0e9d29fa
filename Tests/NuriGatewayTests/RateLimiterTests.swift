import Foundation
import NuriGateway
import NuriStore
import NuriTestSupport
import Testing

/// A clock in seconds the test moves by hand.
final class SecondsClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Double = 1_800_000_000
    var now: Double { lock.withLock { value } }
    func advance(_ seconds: Double) { lock.withLock { value += seconds } }
}

@Suite("Rate limits and budgets")
struct RateLimiterTests {
    func rejection(_ body: () async throws -> Void) async -> (code: String, retryAfter: Int)? {
        do {
            try await body()
            return nil
        } catch GatewayError.rateLimited(_, let code, let retryAfter) {
            return (code, retryAfter)
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("requests per minute: the next request waits until the oldest leaves the window", arguments: TestBackend.available)
    func requestsPerMinute(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let clock = SecondsClock()
            let store = LimitStore(database: database)
            try await store.set(Limits(requestsPerMinute: 2), for: .token("tok_a"))
            let limiter = RateLimiter(store: store, now: { clock.now })
            try await limiter.admit([.token("tok_a")])
            clock.advance(10)
            try await limiter.admit([.token("tok_a")])
            let refused = await rejection { try await limiter.admit([.token("tok_a")]) }
            #expect(refused?.code == "rate_limit_exceeded" && refused?.retryAfter == 50)
            // Another token is not affected; the first one may go again once the window moves.
            try await limiter.admit([.token("tok_b")])
            clock.advance(50)
            try await limiter.admit([.token("tok_a")])
        }
    }

    @Test("tokens per minute count what finished requests used", arguments: TestBackend.available)
    func tokensPerMinute(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let clock = SecondsClock()
            let store = LimitStore(database: database)
            try await store.set(Limits(tokensPerMinute: 100), for: .organisation("org_a"))
            let limiter = RateLimiter(store: store, now: { clock.now })
            try await limiter.admit([.token("tok_a"), .organisation("org_a")])
            limiter.consume([.token("tok_a"), .organisation("org_a")], tokens: 120)
            #expect(await rejection { try await limiter.admit([.token("tok_b"), .organisation("org_a")]) }?.code == "rate_limit_exceeded")
            clock.advance(61)
            try await limiter.admit([.token("tok_b"), .organisation("org_a")])
        }
    }

    @Test("a spent budget refuses with insufficient_quota until the period renews", arguments: TestBackend.available)
    func budget(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let clock = SecondsClock()
            let store = LimitStore(database: database)
            try await store.set(Limits(tokenBudget: 50, period: .day), for: .organisation("org_a"))
            try await UsageStore(database: database, now: { Int(clock.now) }).record(UsageRecord(
                organisationID: "org_a", userID: "usr_1", tokenID: "tok_a", model: "m", backend: "m", endpoint: "completions",
                promptTokens: 40, completionTokens: 20, latencyMilliseconds: 1, status: 200))
            let limiter = RateLimiter(store: store, now: { clock.now })
            let refused = await rejection { try await limiter.admit([.organisation("org_a")]) }
            #expect(refused?.code == "insufficient_quota")
            let (_, end) = BudgetPeriod.day.bounds(containing: Int(clock.now))
            #expect(refused?.retryAfter == end - Int(clock.now))
            clock.advance(Double(end) - clock.now + 1)
            try await limiter.admit([.organisation("org_a")])
        }
    }
}
