import Foundation

/// What an organisation or a token may use. Nil means unlimited.
public struct Limits: Sendable, Equatable, Codable {
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?
    /// Prompt + completion tokens per ``period``.
    public var tokenBudget: Int?
    public var period: BudgetPeriod

    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, tokenBudget: Int? = nil, period: BudgetPeriod = .month) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.tokenBudget = tokenBudget
        self.period = period
    }

    enum CodingKeys: String, CodingKey {
        case period
        case requestsPerMinute = "requests_per_minute"
        case tokensPerMinute = "tokens_per_minute"
        case tokenBudget = "token_budget"
    }
}

/// The calendar period a budget renews over (UTC).
public enum BudgetPeriod: String, Sendable, Codable, CaseIterable {
    case day
    case month

    /// The start of the period containing `time` and the start of the next one (Unix seconds).
    public func bounds(containing time: Int) -> (start: Int, end: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let date = Date(timeIntervalSince1970: TimeInterval(time))
        let component: Calendar.Component = self == .day ? .day : .month
        guard let interval = calendar.dateInterval(of: component, for: date) else { return (time, time + 86_400) }
        return (Int(interval.start.timeIntervalSince1970), Int(interval.end.timeIntervalSince1970))
    }
}

/// Who a limit applies to.
public enum LimitSubject: Sendable, Hashable, CustomStringConvertible {
    case organisation(String)
    case token(String)

    var key: String {
        switch self {
        case .organisation(let id): "org:\(id)"
        case .token(let id): "token:\(id)"
        }
    }

    /// The subject a stored key names (`org:<id>`, `token:<id>`).
    init?(key: String) {
        if key.hasPrefix("org:") {
            self = .organisation(String(key.dropFirst(4)))
        } else if key.hasPrefix("token:") {
            self = .token(String(key.dropFirst(6)))
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .organisation: "organisation"
        case .token: "token"
        }
    }
}
