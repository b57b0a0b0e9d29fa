/// A scheduling policy as Slurm's own settings: what adopting a policy the simulator tried means
/// for the cluster that runs the jobs. The scheduling lines go into slurm.conf (Slurm's
/// multifactor priority with Fair Tree, backfill, QOS preemption); the tier priorities and
/// preemption rights go onto the projects' QOS, which the driver sets from the same policy.
extension SchedulingPolicy {
    /// slurm.conf lines (with comments) for this policy.
    public var slurmConfiguration: String {
        var lines = ["# Scheduling policy for slurm.conf, written by `nuri compute slurm-config`.",
                     "PriorityType=priority/multifactor",
                     "# Fair Tree is Slurm's default fair-share algorithm (no NO_FAIR_TREE flag).",
                     "PriorityWeightFairshare=\(Self.integer(weights.fairshare))",
                     "PriorityWeightAge=\(Self.integer(weights.age))",
                     "PriorityWeightQOS=\(Self.integer(weights.qos))",
                     "PriorityWeightJobSize=\(Self.integer(weights.jobSize))",
                     "PriorityMaxAge=\(Self.slurmDuration(maxAge))",
                     "PriorityDecayHalfLife=\(Self.slurmDuration(decayHalfLife))",
                     "PriorityCalcPeriod=\(max(1, Int((calculationPeriod / 60).rounded())))",
                     "PriorityFavorSmall=\(favorSmall ? "YES" : "NO")"]
        if backfill.enabled {
            lines.append("SchedulerType=sched/backfill")
            lines.append("SchedulerParameters=bf_interval=\(max(1, Int(backfill.interval.rounded()))),bf_max_job_test=\(backfill.depth),"
                         + "bf_job_part_count_reserve=\(backfill.reservationsPerPartition),default_queue_depth=\(mainPassDepth)")
        } else {
            lines.append("SchedulerType=sched/builtin")
            lines.append("SchedulerParameters=default_queue_depth=\(mainPassDepth)")
        }
        let rights = Tier.allCases.filter { !(preemption[$0] ?? []).isEmpty }
        if rights.isEmpty {
            lines.append("PreemptType=preempt/none")
        } else {
            lines.append("PreemptType=preempt/qos")
            lines.append("PreemptMode=REQUEUE")
        }
        lines.append("# The projects' QOS, set by Nuri when allocations are approved (sacctmgr):")
        for tier in Tier.allCases {
            let targets = Tier.allCases.filter { (preemption[tier] ?? []).contains($0) }.map(\.rawValue)
            lines.append("#   \(tier.rawValue): Priority=\(Self.integer(qosPriority[tier] ?? 0))"
                         + (targets.isEmpty ? "" : ", may preempt \(targets.joined(separator: ", "))"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func integer(_ value: Double) -> Int { Int(value.rounded()) }

    /// Seconds as Slurm writes a duration: `days-hours:minutes` (`0` for none).
    static func slurmDuration(_ seconds: Double) -> String {
        let minutes = Int((seconds / 60).rounded())
        guard minutes > 0 else { return "0" }
        let days = minutes / 1_440, hours = minutes % 1_440 / 60, rest = minutes % 60
        return "\(days)-\(hours < 10 ? "0" : "")\(hours):\(rest < 10 ? "0" : "")\(rest)"
    }
}
