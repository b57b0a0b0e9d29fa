import Foundation

/// How an allocation's GPU-hours are being spent in its current period: in total and by day
/// (UTC), each day with what was used, the running total and what remained at its end.
public struct BurnDown: Sendable, Codable, Equatable {
    public struct Day: Sendable, Codable, Equatable {
        /// `2026-03-01` (UTC).
        public let date: String
        public let usedGPUHours: Double
        public let cumulativeGPUHours: Double
        public let remainingGPUHours: Double

        enum CodingKeys: String, CodingKey {
            case date
            case usedGPUHours = "used_gpu_hours"
            case cumulativeGPUHours = "cumulative_gpu_hours"
            case remainingGPUHours = "remaining_gpu_hours"
        }
    }

    public let allocationID: String
    public let project: String
    public let status: AllocationStatus
    public let grantedGPUHours: Double
    public let usedGPUHours: Double
    public let remainingGPUHours: Double
    public let periodStart: Int?
    public let periodEnd: Int?
    public let days: [Day]

    enum CodingKeys: String, CodingKey {
        case project, status, days
        case allocationID = "allocation_id"
        case grantedGPUHours = "granted_gpu_hours"
        case usedGPUHours = "used_gpu_hours"
        case remainingGPUHours = "remaining_gpu_hours"
        case periodStart = "period_start"
        case periodEnd = "period_end"
    }

    /// Builds the burn-down from charges (Unix seconds, GPU-seconds), one day per calendar day
    /// from the period's start to `now` or its end, days without use included.
    static func build(allocation: Allocation, charges: [(at: Int, gpuSeconds: Int)], now: Int) -> BurnDown {
        var days: [Day] = []
        if let start = allocation.periodStart {
            let end = min(now, allocation.periodEnd ?? now)
            var byDay: [Int: Int] = [:]
            for charge in charges where charge.at >= start { byDay[charge.at / 86_400, default: 0] += charge.gpuSeconds }
            var cumulative = 0
            var day = start / 86_400
            while day <= max(end, start) / 86_400 {
                cumulative += byDay[day] ?? 0
                let used = Double(byDay[day] ?? 0) / 3_600
                let total = Double(cumulative) / 3_600
                days.append(Day(date: Self.date(day), usedGPUHours: used, cumulativeGPUHours: total,
                                remainingGPUHours: max(allocation.gpuHours - total, 0)))
                day += 1
            }
        }
        return BurnDown(allocationID: allocation.id, project: allocation.project, status: allocation.status,
                        grantedGPUHours: allocation.gpuHours, usedGPUHours: allocation.usedGPUHours,
                        remainingGPUHours: allocation.remainingGPUHours, periodStart: allocation.periodStart,
                        periodEnd: allocation.periodEnd, days: days)
    }

    static func date(_ day: Int) -> String {
        Date(timeIntervalSince1970: TimeInterval(day * 86_400)).formatted(.iso8601.year().month().day())
    }
}
