import Foundation

/// Enforces ``Limits`` before a request reaches a model: requests and tokens per minute over a
/// sliding 60-second window, and the token budget of the current period.
///
/// Windows are kept in this process (several replicas each enforce the limit on their own
/// traffic); budgets are read from the usage records, so they hold across replicas and
/// restarts. Limits are re-read from the database every 10 seconds.
public actor RateLimiter {
    private let store: LimitStore
    private let now: @Sendable () -> Double
    private var requestTimes: [LimitSubject: [Double]] = [:]
    private var tokenEvents: [LimitSubject: [(time: Double, tokens: Int)]] = [:]
    private var limitCache: [LimitSubject: (limits: Limits?, fetched: Double)] = [:]
    private var budgetCache: [LimitSubject: (used: Int, periodStart: Int, fetched: Double)] = [:]

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
        for subject in subjects {
            guard let limits = try await limits(for: subject) else { continue }
            prune(subject, at: time)
            if let rpm = limits.requestsPerMinute {
                let times = requestTimes[subject] ?? []
                if times.count >= rpm {
                    throw GatewayError.rateLimited(
                        message: "this \(subject) may make \(rpm) requests per minute; retry after the time in Retry-After",
                        code: "rate_limit_exceeded", retryAfter: Self.retry(after: times.first ?? time, now: time))
                }
            }
            if let tpm = limits.tokensPerMinute {
                let events = tokenEvents[subject] ?? []
                if events.reduce(0, { $0 + $1.tokens }) >= tpm {
                    throw GatewayError.rateLimited(
                        message: "this \(subject) may use \(tpm) tokens per minute; retry after the time in Retry-After",
                        code: "rate_limit_exceeded", retryAfter: Self.retry(after: events.first?.time ?? time, now: time))
                }
            }
            if let budget = limits.tokenBudget {
                let (start, end) = limits.period.bounds(containing: Int(time))
                let used = try await used(by: subject, periodStart: start, at: time)
                if used >= budget {
                    throw GatewayError.rateLimited(
                        message: "this \(subject) has used its budget of \(budget) tokens per \(limits.period.rawValue); it renews at the start of the next \(limits.period.rawValue)",
                        code: "insufficient_quota", retryAfter: max(1, end - Int(time)))
                }
            }
        }
        for subject in subjects where limitCache[subject]?.limits != nil {
            requestTimes[subject, default: []].append(time)
        }
    }

    /// Counts the tokens a finished request used against every subject's windows and budgets.
    public func consume(_ subjects: [LimitSubject], tokens: Int) {
        let time = now()
        for subject in subjects where limitCache[subject]?.limits != nil {
            tokenEvents[subject, default: []].append((time, tokens))
            if let cached = budgetCache[subject] { budgetCache[subject] = (cached.used + tokens, cached.periodStart, cached.fetched) }
        }
    }

    /// Forgets what it cached about a subject's limits, so that limits just changed through this
    /// process apply to the next request (elsewhere they apply within ``cacheSeconds``).
    public func forget(_ subject: LimitSubject) {
        limitCache[subject] = nil
        budgetCache[subject] = nil
    }

    private func limits(for subject: LimitSubject) async throws -> Limits? {
        let time = now()
        if let cached = limitCache[subject], time - cached.fetched < Self.cacheSeconds { return cached.limits }
        let limits = try await store.limits(for: subject)
        limitCache[subject] = (limits, time)
        return limits
    }

    private func used(by subject: LimitSubject, periodStart: Int, at time: Double) async throws -> Int {
        if let cached = budgetCache[subject], cached.periodStart == periodStart, time - cached.fetched < Self.cacheSeconds {
            return cached.used
        }
        let used = try await store.tokensUsed(by: subject, from: periodStart)
        budgetCache[subject] = (used, periodStart, time)
        return used
    }

    private func prune(_ subject: LimitSubject, at time: Double) {
        requestTimes[subject]?.removeAll { time - $0 >= Self.window }
        tokenEvents[subject]?.removeAll { time - $0.time >= Self.window }
    }

    /// Whole seconds until the oldest event leaves the window (at least 1).
    static func retry(after oldest: Double, now: Double) -> Int {
        max(1, Int((oldest + window - now).rounded(.up)))
    }
}
