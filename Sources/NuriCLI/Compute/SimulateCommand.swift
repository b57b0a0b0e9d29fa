import ArgumentParser
import Foundation
import NuriCompute

/// `nuri compute simulate`: replay a job trace through a scheduling policy before adopting it.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay a job trace (or a synthetic workload) through a scheduling policy and report utilisation, queueing delay and fairness.",
        discussion: """
            The policy engine is the one that schedules live jobs: multifactor priority (Fair Tree
            fair share, age, tier QOS, job size), backfill with reservations, preemption between
            tiers and allocation limits. Without --policy the factory policy is used; a policy file
            (YAML or JSON) changes any of its settings (see docs/ARCHITECTURE.md).

            Prints utilisation, queueing delay (mean, p50, p99) overall and per tier, job
            completion time, Jain's fairness index over projects and preemptions; with --out, also
            writes summary.json and report.html (plots of utilisation, delay per tier and burn).

            Examples:
              nuri compute simulate --gpus 10000 --synthetic 100000 --seed 7
              nuri compute simulate --trace ../shared/data/traces/alibaba-gpu-v2023-openb.csv --gpus 64
              nuri compute simulate --synthetic 50000 --seed 1 --compare default fairer.yaml --out sim/
            """
    )

    @Option(help: "GPUs in the pool, in 8-GPU nodes of one model (default: the national centre, 10,000 GPUs of H100, H200 and B200).")
    var gpus: Int?

    @Option(help: ArgumentHelp("A job trace in the Alibaba GPU trace CSV format.", valueName: "FILE"))
    var trace: String?

    @Option(help: ArgumentHelp("Generate this many jobs of an LLM-era workload instead of reading a trace.", valueName: "N"))
    var synthetic: Int?

    @Option(help: "Seed of the synthetic workload (the same seed gives the same jobs).")
    var seed: UInt64 = 1

    @Option(help: "Offered load of the synthetic workload: GPU-time asked / GPU-time the pool has.")
    var load: Double = 0.9

    @Option(help: ArgumentHelp("A policy file (YAML or JSON); default: the factory policy.", valueName: "FILE"))
    var policy: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Run two policies on the same jobs and print them side by side (`default` names the factory policy).", valueName: "A B"))
    var compare: [String] = []

    @Option(help: ArgumentHelp("Write summary.json and report.html into this directory.", valueName: "DIR"))
    var out: String?

    @Flag(help: "Print the summary as JSON instead of text.")
    var json = false

    func validate() throws {
        if (trace == nil) == (synthetic == nil) {
            throw ValidationError("give either --trace FILE or --synthetic N (e.g. --synthetic 100000 --seed 7)")
        }
        if let synthetic, synthetic < 1 || synthetic > 50_000_000 { throw ValidationError("--synthetic must be between 1 and 50,000,000 jobs") }
        if let gpus, gpus < 1 || gpus > 10_000_000 { throw ValidationError("--gpus must be between 1 and 10,000,000") }
        if !compare.isEmpty, compare.count != 2 { throw ValidationError("--compare takes two policies, e.g. --compare default mine.yaml") }
        if !compare.isEmpty, policy != nil { throw ValidationError("use either --policy FILE or --compare A B, not both") }
        guard load > 0, load <= 10 else { throw ValidationError("--load must be above 0 and at most 10, e.g. 0.9") }
    }

    func run() throws {
        let pool = gpus.map { GPUPool.uniform(gpus: $0) } ?? .nationalCentre
        let policies = try (compare.isEmpty ? [policy ?? "default"] : compare).map { name in
            (name, try Self.loadPolicy(name, pool: pool))
        }
        let (jobs, workload) = try loadJobs(pool: pool)
        var reports: [SimulationReport] = []
        for (name, policy) in policies {
            var simulator = Simulator(pool: pool, policy: policy, policyName: name)
            simulator.samples = 400
            let label = policies.count > 1 ? "simulating \(name)" : "simulating"
            let report = simulator.run(jobs, workload: workload, progress: Self.progress(label))
            reports.append(report)
        }
        if let out { try write(reports, to: out) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = reports.count == 1 ? try encoder.encode(reports[0]) : try encoder.encode(reports)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(SimulationSummary.text(reports))
            if let out { print("Wrote \(out)/summary.json and \(out)/report.html.") }
        }
    }

    static func loadPolicy(_ name: String, pool: GPUPool) throws -> SchedulingPolicy {
        if name == "default" { return .default }
        guard FileManager.default.fileExists(atPath: name) else {
            throw CLIError("no policy file at \(name): give a YAML or JSON policy file, or `default` for the factory policy")
        }
        do {
            let policy = try SchedulingPolicy.load(contentsOf: name)
            try policy.validate(against: pool)
            return policy
        } catch {
            throw CLIError("policy \(name): \(error)")
        }
    }

    func loadJobs(pool: GPUPool) throws -> ([SchedulerJob], String) {
        if let synthetic {
            let workload = SyntheticWorkload(count: synthetic, seed: seed, pool: pool, load: load)
            return (workload.jobs, "synthetic LLM-era workload, \(synthetic) jobs, seed \(seed), offered load \(String(format: "%.2f", workload.offeredLoad))")
        }
        let path = trace ?? ""
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("no trace at \(path): give a CSV file in the Alibaba GPU trace format (e.g. ../shared/data/traces/alibaba-gpu-v2023-openb.csv)")
        }
        do {
            let imported = try AlibabaTrace(contentsOf: path)
            let name = URL(fileURLWithPath: path).lastPathComponent
            let description = "\(name): \(imported.rows) rows, \(imported.jobs.count) GPU jobs replayed; skipped \(imported.skippedZeroGPU) without GPUs and \(imported.skippedNeverRan) that never ran; \(imported.fractionalRoundedUp) fractional GPUs rounded up to one"
            return (imported.jobs, description)
        } catch {
            throw CLIError("trace \(path): \(error)")
        }
    }

    func write(_ reports: [SimulationReport], to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = reports.count == 1 ? try encoder.encode(reports[0]) : try encoder.encode(reports)
            try data.write(to: URL(fileURLWithPath: directory).appendingPathComponent("summary.json"))
            try Data(SimulationReport.html(reports).utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent("report.html"))
        } catch {
            throw CLIError("cannot write the report into \(directory): \(error.localizedDescription)")
        }
    }

    /// Progress on standard error when it is a terminal.
    static func progress(_ label: String) -> (@Sendable (Double) -> Void)? {
        guard isatty(2) != 0 else { return nil }
        return { share in
            FileHandle.standardError.write(Data("\r\(label) \(String(format: "%3.0f %%", share * 100))".utf8))
            if share >= 1 { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }
}

/// The printed summary of one or more simulations (side by side when comparing).
enum SimulationSummary {
    static func text(_ reports: [SimulationReport]) -> String {
        guard let first = reports.first else { return "" }
        var lines: [String] = []
        lines.append("Workload: \(first.workload)")
        lines.append("Pool: \(first.gpus) GPUs.")
        lines.append("")
        let nameWidth = 48
        let column = max(26, (reports.map { $0.policyName.count }.max() ?? 0) + 2)
        func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
        func row(_ label: String, _ value: (SimulationReport) -> String) {
            lines.append(pad(label, nameWidth) + reports.map { pad(value($0), column) }.joined())
        }
        row("policy") { $0.policyName }
        row("jobs finished / submitted") { "\($0.jobsFinished) / \($0.jobsSubmitted)" }
        row("refused / never started") { "\($0.jobsRefused.values.reduce(0, +)) / \($0.jobsNeverStarted.values.reduce(0, +))" }
        row("GPU utilisation while jobs arrive") { String(format: "%.1f %%", $0.utilisation * 100) }
        row("GPU utilisation to the last end") { String(format: "%.1f %%", $0.utilisationToTheEnd * 100) }
        row("makespan") { SimulationReport.duration($0.makespan) }
        row("queueing delay mean") { SimulationReport.duration($0.queueingDelay.mean) }
        row("queueing delay p50 / p99") { "\(SimulationReport.duration($0.queueingDelay.p50)) / \(SimulationReport.duration($0.queueingDelay.p99))" }
        row("job completion time mean") { SimulationReport.duration($0.completionTime.mean) }
        row("job completion time p50 / p99") { "\(SimulationReport.duration($0.completionTime.p50)) / \(SimulationReport.duration($0.completionTime.p99))" }
        row("Jain's fairness index (1 = all got their due)") { String(format: "%.3f over %d projects", $0.jainsFairnessIndex, $0.projects.filter { $0.jobs > 0 }.count) }
        row("preemptions (GPU-hours lost)") { "\($0.preemptions) (\(String(format: "%.0f", $0.preemptedGPUHoursLost)))" }
        row("GPU-hours charged") { String(format: "%.0f", $0.gpuHoursCharged) }
        row("simulation speed") { String(format: "%.2f s, %.0f jobs/s", $0.simulationSeconds, $0.jobsPerSecond) }
        lines.append("")
        lines.append("Queueing delay per tier (mean / p50 / p99):")
        for tier in Tier.allCases {
            let figures = reports.map { $0.tiers.first { $0.tier == tier.rawValue } }
            guard figures.contains(where: { $0 != nil }) else { continue }
            lines.append(pad("  \(tier.rawValue)", nameWidth) + figures.map { figure -> String in
                guard let figure else { return pad("-", column) }
                return pad("\(SimulationReport.duration(figure.queueingDelay.mean)) / \(SimulationReport.duration(figure.queueingDelay.p50)) / \(SimulationReport.duration(figure.queueingDelay.p99))", column)
            }.joined())
        }
        let reasons = Set(reports.flatMap { $0.jobsNeverStarted.keys }).sorted()
        if !reasons.isEmpty {
            lines.append("")
            lines.append("Never started (held by allocation limits at the end):")
            for reason in reasons { row("  \(reason)") { "\($0.jobsNeverStarted[reason] ?? 0)" } }
        }
        let refusals = Set(reports.flatMap { $0.jobsRefused.keys }).sorted()
        if !refusals.isEmpty {
            lines.append("")
            lines.append("Refused at submission:")
            for reason in refusals { row("  \(reason)") { "\($0.jobsRefused[reason] ?? 0)" } }
        }
        return lines.map { line in String(line.reversed().drop(while: { $0 == " " }).reversed()) }.joined(separator: "\n")
    }
}
