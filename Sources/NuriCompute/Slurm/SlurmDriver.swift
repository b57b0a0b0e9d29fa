import Foundation

/// Drives a real Slurm cluster through its own tools: allocations become accounts with
/// association and QOS limits (`sacctmgr`), jobs go in with `sbatch`, their state and use come
/// back from `squeue` and `sacct`.
///
/// The mapping, for a project `P` of organisation `O` with tier `T`:
///
/// - account `org-o` (parent `root`): the organisation's level in Fair Tree;
/// - account `P` (parent `org-o`) with `GrpTRES=gres/gpu=N` (GPUs at once) and user
///   ``Settings/user`` in it (Nuri submits on the project's behalf);
/// - QOS `P`, the account's only and default QOS, with `GrpTRESMins=gres/gpu=M` (the grant in
///   GPU-minutes) and `Flags=NoDecay` so the grant is a fixed budget and not a decaying one,
///   the tier's priority and, for `national_team`, `Preempt=` every lower tier's project QOS
///   (with `PreemptType=preempt/qos` and `PreemptMode=REQUEUE` in slurm.conf, preempted jobs
///   go back to the queue);
/// - a revoked or expired allocation's account gets `GrpSubmitJobs=0` and `GrpJobs=0`: Slurm
///   refuses new jobs (`AssocGrpSubmitJobsLimit`) and starts no pending one.
///
/// Every step reads first and then adds or modifies, so applying twice is harmless.
public struct SlurmDriver: Sendable {
    public struct Settings: Sendable, Equatable {
        /// The cluster's slurm.conf (nil: the tools' default).
        public var slurmConf: String?
        /// The Unix user jobs are submitted as (the one running Nuri).
        public var user: String
        /// Where jobs' output files go (`nuri-<slurm id>.out`), on the cluster's shared filesystem.
        public var outputDirectory: String
        /// Seconds before a tool is given up on.
        public var timeout: Double
        /// The scheduling policy whose tier priorities and preemption rights the QOS get: the
        /// one the simulator tried (`compute_policy`), the default otherwise.
        public var policy: SchedulingPolicy

        public init(slurmConf: String?, user: String = Self.currentUser, outputDirectory: String = NSTemporaryDirectory(), timeout: Double = 30,
                    policy: SchedulingPolicy = SchedulingPolicy()) {
            self.slurmConf = slurmConf
            self.user = user
            self.outputDirectory = outputDirectory
            self.timeout = timeout
            self.policy = policy
        }

        /// The user this process runs as.
        public static var currentUser: String {
            ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()
        }
    }

    public let settings: Settings
    let command: SlurmCommand

    public init(settings: Settings) {
        self.settings = settings
        self.command = SlurmCommand(slurmConf: settings.slurmConf, timeout: settings.timeout)
    }

    /// A tier's QOS priority, from the policy (Slurm normalises by the largest; slurm.conf's
    /// PriorityWeightQOS scales it).
    public func priority(of tier: Tier) -> Int {
        Int((settings.policy.qosPriority[tier] ?? 0).rounded())
    }

    static let tierPrefix = "nuri-tier-"

    // MARK: Allocations

    /// Makes Slurm enforce the allocation as it now stands: open with its limits while its
    /// period runs, blocked once revoked or expired, absent before approval. `resetUsage`
    /// starts the GPU-minute budget again (a new period).
    public func apply(_ allocation: Allocation, project: Project, resetUsage: Bool) async throws {
        switch allocation.status {
        case .active, .renewalRequested:
            try await open(allocation, project: project, resetUsage: resetUsage)
        case .revoked, .expired:
            try await block(account: project.name)
        case .new, .denied:
            return
        }
    }

    func open(_ allocation: Allocation, project: Project, resetUsage: Bool) async throws {
        try SlurmName.validateProject(project.name)
        let organisation = SlurmName.organisationAccount(project.organisation)
        guard SlurmName.isSafeValue(organisation), SlurmName.isSafeValue(settings.user) else {
            throw SlurmError.unexpectedOutput(tool: "nuri", output: "organisation or user name not usable in Slurm: \(organisation), \(settings.user)")
        }
        let name = project.name
        if try await !exists("account", name: organisation) {
            _ = try await command.check("sacctmgr", ["-i", "add", "account", organisation, "Description=\(project.organisation)",
                                                     "Organization=\(project.organisation)"])
        }
        let minutes = max(Int((allocation.gpuHours * 60).rounded(.down)), 1)
        let qos = ["Priority=\(priority(of: project.tier))", "Flags=NoDecay", "GrpTRESMins=gres/gpu=\(minutes)",
                   "Description=\(Self.tierPrefix)\(project.tier.rawValue)"]
        if try await exists("qos", name: name) {
            _ = try await command.check("sacctmgr", ["-i", "modify", "qos", "where", "name=\(name)", "set"] + qos)
        } else {
            _ = try await command.check("sacctmgr", ["-i", "add", "qos", name] + qos)
        }
        if resetUsage {
            _ = try await command.check("sacctmgr", ["-i", "modify", "qos", "where", "name=\(name)", "set", "RawUsage=0"])
        }
        let limits = ["GrpTRES=gres/gpu=\(allocation.maxConcurrentGPUs)", "QOS=\(name)", "DefaultQOS=\(name)"]
        if try await exists("account", name: name) {
            _ = try await command.check("sacctmgr", ["-i", "modify", "account", "where", "name=\(name)", "set",
                                                     "GrpSubmitJobs=-1", "GrpJobs=-1"] + limits)
        } else {
            _ = try await command.check("sacctmgr", ["-i", "add", "account", name, "Parent=\(organisation)",
                                                     "Organization=\(project.organisation)", "Description=\(name)"] + limits)
        }
        let association = try await command.check("sacctmgr", ["-n", "-P", "show", "association", "where", "account=\(name)",
                                                                "user=\(settings.user)", "format=user"])
        if association.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            _ = try await command.check("sacctmgr", ["-i", "add", "user", settings.user, "Account=\(name)"])
        }
        try await updatePreemption()
    }

    /// Stops an account's new jobs from being accepted or started (running ones finish).
    public func block(account: String) async throws {
        try SlurmName.validateProject(account)
        guard try await exists("account", name: account) else { return }
        _ = try await command.check("sacctmgr", ["-i", "modify", "account", "where", "name=\(account)", "set", "GrpSubmitJobs=0", "GrpJobs=0"])
    }

    /// Gives each project QOS the right to preempt the QOS of the tiers its tier may preempt
    /// under the policy (by default: national teams every other tier).
    func updatePreemption() async throws {
        let listing = try await command.check("sacctmgr", ["-n", "-P", "show", "qos", "format=name,description,preempt"])
        var tiers: [String: Tier] = [:]
        var current: [String: String] = [:]
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3, fields[1].hasPrefix(Self.tierPrefix),
                  let tier = Tier(rawValue: String(fields[1].dropFirst(Self.tierPrefix.count))) else { continue }
            tiers[fields[0]] = tier
            current[fields[0]] = fields[2]
        }
        for (name, tier) in tiers {
            let rights = settings.policy.preemption[tier] ?? []
            guard !rights.isEmpty else { continue }  // rights a new policy drops stay until removed by hand
            let wanted = tiers.filter { rights.contains($0.value) }.keys.sorted().joined(separator: ",")
            let have = (current[name] ?? "").split(separator: ",").map(String.init).sorted().joined(separator: ",")
            if have != wanted {
                _ = try await command.check("sacctmgr", ["-i", "modify", "qos", "where", "name=\(name)", "set", "Preempt=\(wanted)"])
            }
        }
    }

    func exists(_ entity: String, name: String) async throws -> Bool {
        let format = entity == "qos" ? "format=name" : "format=account"
        let output = try await command.check("sacctmgr", ["-n", "-P", "show", entity, "where", "name=\(name)", format])
        return output.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == name.lowercased() }
    }

    // MARK: Jobs

    /// Submits a job for a project under its allocation; returns Slurm's job id.
    public func submit(_ request: JobRequest, project: Project, allocation: Allocation) async throws -> String {
        try request.validate()
        try SlurmName.validateProject(project.name)
        let gpus = (allocation.gpuModel.map { "\($0):" } ?? "") + String(request.gpus)
        let output = try await command.check("sbatch", [
            "--parsable", "--account=\(project.name)", "--qos=\(project.name)", "--job-name=\(request.name)",
            "--gpus=\(gpus)", "--time=\(request.timeLimitMinutes)", "--requeue",
            "--chdir=\(settings.outputDirectory)", "--output=\(settings.outputDirectory)/nuri-%j.out",
            "--wrap=\(request.command)",
        ])
        // `--parsable` prints `id` or `id;cluster`.
        let id = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw SlurmError.unexpectedOutput(tool: "sbatch", output: output) }
        return id
    }

    /// Cancels a job (pending or running).
    public func cancel(slurmJobID: String) async throws {
        guard !slurmJobID.isEmpty, slurmJobID.allSatisfy(\.isNumber) else {
            throw ComputeError.invalidInput(param: "slurm_job_id", message: "a Slurm job id is a number")
        }
        _ = try await command.check("scancel", [slurmJobID])
    }

    /// What Slurm knows of these jobs now, by Slurm job id (jobs it knows nothing of are absent).
    public func reports(slurmJobIDs: [String]) async throws -> [String: SlurmJobReport] {
        let ids = slurmJobIDs.filter { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        guard !ids.isEmpty else { return [:] }
        // The whole queue (every state), filtered here: `squeue -j` fails outright when one id
        // has left the controller's memory.
        let queue = SlurmOutput.queueRows(try await command.check("squeue", ["-h", "--states=all", "-o", "%i|%T|%r"]))
        var runs: [String: [SlurmOutput.AccountingRow]] = [:]
        for start in stride(from: 0, to: ids.count, by: 200) {
            let chunk = ids[start..<min(start + 200, ids.count)]
            let text = try await command.check("sacct", ["-n", "-P", "-X", "-D", "-j", chunk.joined(separator: ","),
                                                         "--format=\(SlurmOutput.sacctFormat)"])
            for row in SlurmOutput.accountingRows(text) { runs[row.jobID, default: []].append(row) }
        }
        var reports: [String: SlurmJobReport] = [:]
        for id in ids {
            if let report = SlurmOutput.report(queue: queue[id], runs: runs[id] ?? []) { reports[id] = report }
        }
        return reports
    }
}
