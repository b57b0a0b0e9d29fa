import Foundation
import Synchronization

/// Enforces ``Limits`` before a request reaches a model: requests and tokens per minute over a
/// sliding 60-second window, and the token budget of the current period.
///
/// Windows are kept in this process (several replicas each enforce the limit on their own
/// traffic); budgets are read from the usage records, so they hold across replicas and
/// restarts. Limits are re-read from the database every 10 seconds.
///
/// A lock, not an actor: every request is admitted and then consumed, and an actor would cost
/// each a hop between executors. The database is read (limits, budgets) outside the lock; the
/// checks of all subjects and the counting of the request happen in one locked step.
public final class RateLimiter: Sendable {
    private let store: LimitStore
    private let now: @Sendable () -> Double
    private struct State {
        var requestTimes: [LimitSubject: [Double]] = [:]
        var tokenEvents: [LimitSubject: [(time: Double, tokens: Int)]] = [:]
        var limitCache: [LimitSubject: (limits: Limits?, fetched: Double)] = [:]
        var budgetCache: [LimitSubject: (used: Int, periodStart: Int, fetched: Double)] = [:]
    }
    private let state = Mutex(State())

    static let window: Double = 60
    static let cacheSeconds: Double = 10

    public init(store: LimitStore, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.store = store
        self.now = now
    }

    /// Admits one request for every subject, or throws ``GatewayError/rateLimited(message:code:retryAfter:)``
    /// naming the first limit reached and when to retry.
    public func admit(_ subjects: [LimitSubject]) async throws {
        let time = now()
        var limited: [(LimitSubject, Limits)] = []
        for subject in subjects {
            guard let limits = try await limits(for: subject, at: time) else { continue }
            if limits.tokenBudget != nil {
                let (start, _) = limits.period.bounds(containing: Int(time))
                try await loadBudget(for: subject, periodStart: start, at: time)
            }
            limited.append((subject, limits))
        }
        guard !limited.isEmpty else { return }
        try state.withLock { state in
            for (subject, limits) in limited {
                state.requestTimes[subject]?.removeAll { time - $0 >= Self.window }
                state.tokenEvents[subject]?.removeAll { time - $0.time >= Self.window }
                if let rpm = limits.requestsPerMinute {
                    let times = state.requestTimes[subject] ?? []
                    if times.count >= rpm {
                        throw GatewayError.rateLimited(
                            message: "this \(subject) may make \(rpm) requests per minute; retry after the time in Retry-After",
                            code: "rate_limit_exceeded", retryAfter: Self.retry(after: times.first ?? time, now: time))
                    }
                }
                if let tpm = limits.tokensPerMinute {
                    let events = state.tokenEvents[subject] ?? []
                    if events.reduce(0, { $0 + $1.tokens }) >= tpm {
                        throw GatewayError.rateLimited(
                            message: "this \(subject) may use \(tpm) tokens per minute; retry after the time in Retry-After",
                            code: "rate_limit_exceeded", retryAfter: Self.retry(after: events.first?.time ?? time, now: time))
                    }
                }
                if let budget = limits.tokenBudget {
                    let (_, end) = limits.period.bounds(containing: Int(time))
                    if (state.budgetCache[subject]?.used ?? 0) >= budget {
                        throw GatewayError.rateLimited(
                            message: "this \(subject) has used its budget of \(budget) tokens per \(limits.period.rawValue); it renews at the start of the next \(limits.period.rawValue)",
                            code: "insufficient_quota", retryAfter: max(1, end - Int(time)))
                    }
                }
            }
            for (subject, _) in limited {
                state.requestTimes[subject, default: []].append(time)
            }
        }
    }

    /// Counts the tokens a finished request used against every subject's windows and budgets.
    public func consume(_ subjects: [LimitSubject], tokens: Int) {
        let time = now()
        state.withLock { state in
            for subject in subjects where state.limitCache[subject]?.limits != nil {
                state.tokenEvents[subject, default: []].append((time, tokens))
                if let cached = state.budgetCache[subject] { state.budgetCache[subject] = (cached.used + tokens, cached.periodStart, cached.fetched) }
            }
        }
    }

    /// Forgets what it cached about a subject's limits, so that limits just changed through this
    /// process apply to the next request (elsewhere they apply within ``cacheSeconds``).
    public func forget(_ subject: LimitSubject) {
        state.withLock { state in
            state.limitCache[subject] = nil
            state.budgetCache[subject] = nil
        }
    }

    private func limits(for subject: LimitSubject, at time: Double) async throws -> Limits? {
        if let cached = state.withLock({ $0.limitCache[subject] }), time - cached.fetched < Self.cacheSeconds { return cached.limits }
        let limits = try await store.limits(for: subject)
        state.withLock { $0.limitCache[subject] = (limits, time) }
        return limits
    }

    /// Makes sure the tokens `subject` used this period are cached (read from the usage records).
    private func loadBudget(for subject: LimitSubject, periodStart: Int, at time: Double) async throws {
        if let cached = state.withLock({ $0.budgetCache[subject] }), cached.periodStart == periodStart, time - cached.fetched < Self.cacheSeconds {
            return
        }
        let used = try await store.tokensUsed(by: subject, from: periodStart)
        state.withLock { $0.budgetCache[subject] = (used, periodStart, time) }
    }

    /// Whole seconds until the oldest event leaves the window (at least 1).
    static func retry(after oldest: Double, now: Double) -> Int {
        max(1, Int((oldest + window - now).rounded(.up)))
    }
}
