import Foundation

/// What Slurm says of one job: its state and reason now, and its GPU use over every run.
public struct SlurmJobReport: Sendable, Equatable {
    /// Slurm's state word (`PENDING`, `RUNNING`, `COMPLETED`, …; `CANCELLED by 0` is `CANCELLED`).
    public var state: String
    /// Why a pending job waits (`AssocGrpGRES`, `QOSGrpGRESMinutes`, `Priority`, `BeginTime` …); nil when none.
    public var reason: String?
    /// GPUs × seconds, summed over every run (a preempted run counts too).
    public var gpuSeconds: Int
    /// Runs that a preemption ended.
    public var preemptions: Int
    /// When the first run started, and when the last ended (Unix seconds).
    public var startedAt: Int?
    public var endedAt: Int?

    public init(state: String, reason: String?, gpuSeconds: Int, preemptions: Int, startedAt: Int?, endedAt: Int?) {
        self.state = state
        self.reason = reason
        self.gpuSeconds = gpuSeconds
        self.preemptions = preemptions
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// Reading the tools' `--parsable2` / `-o` output (fields separated by `|`, no header).
enum SlurmOutput {
    /// One run of a job as `sacct -X -D` lists it.
    struct AccountingRow: Equatable {
        let jobID: String
        let state: String
        let elapsedSeconds: Int
        let gpus: Int
        let start: Int?
        let end: Int?
        let reason: String?
    }

    /// The fields asked of sacct, in order.
    static let sacctFormat = "JobIDRaw,State,ElapsedRaw,AllocTRES,Start,End,Reason"

    static func accountingRows(_ text: String) -> [AccountingRow] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 7 else { return nil }
            return AccountingRow(jobID: fields[0], state: stateWord(fields[1]), elapsedSeconds: Int(fields[2]) ?? 0,
                                 gpus: gpuCount(inTRES: fields[3]), start: time(fields[4]), end: time(fields[5]), reason: reason(fields[6]))
        }
    }

    /// squeue's `%i|%T|%r` lines, by job id.
    static func queueRows(_ text: String) -> [String: (state: String, reason: String?)] {
        var rows: [String: (state: String, reason: String?)] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3 else { continue }
            rows[fields[0].trimmingCharacters(in: .whitespaces)] = (stateWord(fields[1]), reason(fields[2]))
        }
        return rows
    }

    /// `CANCELLED by 0` → `CANCELLED`.
    static func stateWord(_ text: String) -> String {
        String(text.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "UNKNOWN")
    }

    static func reason(_ text: String) -> String? {
        let text = text.trimmingCharacters(in: .whitespaces)
        return text.isEmpty || text == "None" || text == "(null)" ? nil : text
    }

    /// The GPU count in a TRES list such as `billing=3,cpu=3,gres/gpu=24,node=3` (0 if none).
    static func gpuCount(inTRES text: String) -> Int {
        for item in text.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == "gres/gpu", let count = Int(pair[1]) { return count }
        }
        return 0
    }

    /// sacct's local time `2026-11-29T09:16:38` as Unix seconds (nil for `Unknown`, `None`).
    static func time(_ text: String) -> Int? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces)).map { Int($0.timeIntervalSince1970) }
    }

    /// Combines squeue's live view and sacct's records of one job into one report; nil when
    /// neither knows the job (yet).
    static func report(queue: (state: String, reason: String?)?, runs: [AccountingRow]) -> SlurmJobReport? {
        guard queue != nil || !runs.isEmpty else { return nil }
        let last = runs.last
        var state = queue?.state ?? last?.state ?? "UNKNOWN"
        // squeue may call a job finished before its record reaches the accounting database;
        // it is final for Nuri (no more charging) only once sacct agrees.
        if SlurmJobState.isFinal(state), let last, !SlurmJobState.isFinal(last.state) { state = last.state }
        if queue == nil, let last, !SlurmJobState.isFinal(last.state) { state = last.state }
        let gpuSeconds = runs.reduce(0) { $0 + $1.gpus * $1.elapsedSeconds }
        let preemptions = runs.filter { $0.state == "PREEMPTED" || $0.state == "REQUEUED" }.count
        let reason = state == "PENDING" ? (queue?.reason ?? last?.reason) : nil
        return SlurmJobReport(state: state, reason: reason, gpuSeconds: gpuSeconds, preemptions: preemptions,
                              startedAt: runs.compactMap(\.start).first,
                              endedAt: SlurmJobState.isFinal(state) ? last?.end : nil)
    }
}
