import Foundation

/// A problem with a trace file, saying where.
public struct TraceError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The Alibaba GPU cluster trace (`cluster-trace-gpu-v2023`, one row per job as converted in
/// `../shared/data/traces/alibaba-gpu-v2023-openb.csv`; columns in that folder's NOTE.md) as jobs.
///
/// How rows become jobs:
/// - Rows asking 0 GPUs are CPU work: skipped, and counted.
/// - Rows with no run time (status `Pending`: never started in the original cluster) are skipped
///   and counted: there is nothing to replay.
/// - A fractional GPU (`gpu_milli` < 1000: a share of one GPU) takes one whole GPU: Slurm gives
///   whole GPUs (no sharing is modelled); such rows are counted as rounded up.
/// - The trace has no requested wall time; a job asks for its run time rounded up to whole hours
///   (at least one hour), as users of hour-granted clusters usually do.
/// - `user` and `team` are empty, so each job goes to one of 24 projects by a hash (FNV-1a) of its
///   `job_id`: project k (`ali-o{k/3+1}-p{k%3+1}`) of organisation `ali-o{k/3+1}`, and the eight
///   organisations' tiers are national_team, public, academic, academic, startup, startup,
///   industry, industry. The same file always gives the same assignment.
/// - `gpu_model` is `any` in this trace: jobs take the partition with the most free GPUs.
/// - `submit_time_s` is kept; `start_time_s` and `queue_delay_s` (what happened there) are not
///   used: the simulator decides when jobs start.
public struct AlibabaTrace: Sendable {
    public var jobs: [SchedulerJob]
    /// Data rows read.
    public var rows: Int
    public var skippedZeroGPU: Int
    public var skippedNeverRan: Int
    /// Jobs whose fractional GPU was rounded up to one.
    public var fractionalRoundedUp: Int

    public static let tiersOfOrganisations: [Tier] = [.nationalTeam, .public, .academic, .academic, .startup, .startup, .industry, .industry]

    /// Reads the trace file.
    public init(contentsOf path: String) throws(TraceError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TraceError("cannot read the trace \(path): \(error.localizedDescription)")
        }
        try self.init(csv: text)
    }

    /// Parses the trace's CSV text (a header line, then one job a line).
    public init(csv text: String) throws(TraceError) {
        var lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" }.makeIterator()
        guard let header = lines.next() else { throw TraceError("the trace is empty: expected a header line with job_id, submit_time_s, duration_s, num_gpu, gpu_milli") }
        let columns = Self.fields(header)
        func column(_ name: String) throws(TraceError) -> Int {
            guard let index = columns.firstIndex(of: name) else {
                throw TraceError("the trace has no \(name) column (found: \(columns.joined(separator: ", "))); is it the Alibaba GPU trace format?")
            }
            return index
        }
        let idColumn = try column("job_id"), submitColumn = try column("submit_time_s"), durationColumn = try column("duration_s")
        let gpuColumn = try column("num_gpu"), milliColumn = try column("gpu_milli")
        jobs = []
        rows = 0
        skippedZeroGPU = 0
        skippedNeverRan = 0
        fractionalRoundedUp = 0
        var lineNumber = 1
        while let line = lines.next() {
            lineNumber += 1
            let fields = Self.fields(line)
            rows += 1
            guard fields.count == columns.count else {
                throw TraceError("line \(lineNumber) has \(fields.count) fields, the header \(columns.count)")
            }
            func number(_ index: Int) throws(TraceError) -> Double? {
                let text = fields[index]
                if text.isEmpty { return nil }
                guard let value = Double(text), value.isFinite, value >= 0 else {
                    throw TraceError("line \(lineNumber), column \(columns[index]): \"\(text)\" is not a number ≥ 0")
                }
                return value
            }
            let gpus = Int(try number(gpuColumn) ?? 0)
            if gpus == 0 { skippedZeroGPU += 1; continue }
            guard let duration = try number(durationColumn) else { skippedNeverRan += 1; continue }
            guard let submit = try number(submitColumn) else {
                throw TraceError("line \(lineNumber): submit_time_s is empty")
            }
            if let milli = try number(milliColumn), milli > 0, milli < 1_000 { fractionalRoundedUp += 1 }
            let run = max(duration, 1)
            let wall = max(1, (run / 3_600).rounded(.up)) * 3_600
            let id = fields[idColumn]
            let k = Int(Self.fnv1a(id) % 24)
            let org = k / 3 + 1
            jobs.append(SchedulerJob(id: jobs.count, project: "ali-o\(org)-p\(k % 3 + 1)", organisation: "ali-o\(org)",
                                   tier: Self.tiersOfOrganisations[org - 1], gpus: gpus, gpuModel: nil,
                                   wallTime: wall, runTime: run, submitTime: submit))
        }
        jobs.sort { $0.submitTime != $1.submitTime ? $0.submitTime < $1.submitTime : $0.id < $1.id }
        for index in jobs.indices { jobs[index].id = index }
    }

    /// Comma-separated fields; a field in double quotes may hold commas (`""` is a quote).
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    quoted = false
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                if current.last == "\"" { current.append("\"") }
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else if character != "\r" {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
