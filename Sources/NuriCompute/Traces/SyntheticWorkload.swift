import Foundation

/// A synthetic LLM-era workload, seeded and reproducible: organisations and projects across the
/// tiers, job sizes and durations shaped like the per-cluster figures published with the AcmeTrace
/// (NSDI '24; `../shared/data/traces/acme-cluster-summary.csv`): most jobs are short 1-GPU jobs
/// (Seren: median 1 GPU, median run 122 s), with a heavy tail of long multi-node pretraining jobs
/// that hold most of the GPU time (Seren: mean 5.7 GPUs, mean run 1,414 s, longest two weeks).
///
/// - Sizes: 1 GPU 67 %, 2: 6 %, 4: 7 %, 8: 12 %, 16: 3 %, 32: 2.5 %, 64: 1.3 %, 128: 0.8 %,
///   256: 0.3 %, 512: 0.1 %, drawn again (70 %) above 8 GPUs for academic and public projects —
///   median 1, mean ≈ 5.0 (200,000 jobs, seed 7: 69 % 1-GPU jobs, median run 146 s, mean run
///   1,815 s); capped at half a partition on small pools.
/// - Run times: log-normal, median `110 s × gpus^0.4`, σ = 2.2 (Seren's mean/median ratio),
///   between 5 s and 14 days.
/// - Requested wall time: 1.2–4× the run time, rounded up to 10 minutes; 2 % of jobs run into it
///   (and are ended there, as Slurm ends them).
/// - Arrivals: a Poisson process whose rate offers `load` × the pool's GPUs on average.
/// - Who: 40 organisations (3 national teams, 6 public bodies, 14 universities, 10 startups,
///   7 companies) of 1–5 projects each; projects' activity is Zipf-like (a few submit most jobs),
///   and large jobs come mostly from national teams, startups and companies.
public struct SyntheticWorkload: Sendable {
    /// The jobs, in submission order (ids 0…n-1).
    public var jobs: [SchedulerJob]
    /// The organisations and projects (one share each), for a policy to give shares and limits to.
    public var organisations: [SchedulingPolicy.Organisation]
    /// Offered GPU-seconds (allocated GPUs × time actually run) over the arrival span, as a share of the pool.
    public var offeredLoad: Double

    /// Size distribution: (GPUs, probability).
    public static let sizes: [(gpus: Int, share: Double)] = [
        (1, 0.67), (2, 0.06), (4, 0.07), (8, 0.12), (16, 0.03), (32, 0.025), (64, 0.013), (128, 0.008), (256, 0.003), (512, 0.001),
    ]

    /// Generates `count` jobs for `pool` with `seed`, offering `load` of its GPUs on average.
    public init(count: Int, seed: UInt64, pool: GPUPool = .nationalCentre, load: Double = 0.9) {
        var random = SeededGenerator(seed: seed)
        // Who: organisations of each tier, each with 1–5 projects.
        let roster: [(prefix: String, tier: Tier, count: Int)] = [
            ("nat", .nationalTeam, 3), ("gov", .public, 6), ("uni", .academic, 14), ("stu", .startup, 10), ("ind", .industry, 7),
        ]
        var organisations: [SchedulingPolicy.Organisation] = []
        var projects: [(name: String, org: String, tier: Tier, model: String?, weight: Double)] = []
        let partitions = pool.partitions.filter { $0.nodes > 0 }
        let poolGPUs = max(1, partitions.reduce(0) { $0 + $1.gpus })
        for entry in roster {
            for number in 1...entry.count {
                let org = "\(entry.prefix)\(number)"
                var organisation = SchedulingPolicy.Organisation(name: org)
                for p in 1...(1 + random.below(5)) {
                    let name = "\(org)-p\(p)"
                    organisation.projects.append(.init(name: name, tier: entry.tier))
                    // A project runs on one GPU model, partitions weighted by size.
                    var pick = random.unit() * Double(poolGPUs)
                    var model: String? = partitions.last?.gpuModel
                    for partition in partitions {
                        pick -= Double(partition.gpus)
                        if pick < 0 { model = partition.gpuModel; break }
                    }
                    projects.append((name, org, entry.tier, partitions.count > 1 ? model : nil, 0))
                }
                organisations.append(organisation)
            }
        }
        // Zipf-like activity: the k-th project of a random order weighs 1 / k^0.9.
        var order = Array(projects.indices)
        for index in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(index, random.below(index + 1)) }
        for (rank, project) in order.enumerated() { projects[project].weight = 1 / pow(Double(rank + 1), 0.9) }
        let cumulative = projects.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1.weight) }
        let totalWeight = cumulative.last ?? 1
        let sizeCumulative = Self.sizes.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1.share) }

        var jobs: [SchedulerJob] = []
        jobs.reserveCapacity(count)
        var offered = 0.0
        for id in 0..<count {
            let draw = random.unit() * totalWeight
            var projectIndex = 0
            var low = 0, high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] <= draw { low = mid + 1 } else { high = mid }
            }
            projectIndex = low
            let project = projects[projectIndex]
            // Size: the tail is for teams that pretrain; others draw again when above 8 GPUs.
            var gpus = Self.draw(sizeCumulative, &random)
            if gpus > 8, project.tier == .academic || project.tier == .public, random.unit() < 0.7 {
                gpus = Self.draw(sizeCumulative, &random)
            }
            let partitionGPUs = partitions.first { $0.gpuModel == project.model }?.gpus ?? partitions.first?.gpus ?? 8
            let perNode = partitions.first { $0.gpuModel == project.model }?.gpusPerNode ?? partitions.first?.gpusPerNode ?? 8
            while gpus > 1, gpus * 2 > partitionGPUs { gpus /= 2 }
            let median = 110 * pow(Double(gpus), 0.4)
            let run = min(max(exp(log(median) + 2.2 * random.normal()), 5), 14 * 86_400)
            var wall = ((run * (1.2 + 2.8 * random.unit())) / 600).rounded(.up) * 600
            wall = min(wall, 14 * 86_400)
            var actual = run
            if random.unit() < 0.02 { actual = wall * 1.5 }
            let allocated = gpus > perNode ? ((gpus + perNode - 1) / perNode) * perNode : gpus
            offered += Double(allocated) * min(actual, wall)
            jobs.append(SchedulerJob(id: id, project: project.name, organisation: project.org, tier: project.tier, gpus: gpus,
                                   gpuModel: project.model, wallTime: wall, runTime: actual, submitTime: 0))
        }
        // Arrivals: exponential gaps with the mean that offers `load` of the pool.
        let span = offered / (max(load, 0.01) * Double(poolGPUs))
        let meanGap = count > 0 ? span / Double(count) : 0
        var clock = 0.0
        for index in jobs.indices {
            jobs[index].submitTime = clock.rounded()
            clock += -log(max(1 - random.unit(), 0x1p-53)) * meanGap
        }
        self.jobs = jobs
        self.organisations = organisations
        self.offeredLoad = clock > 0 ? offered / (clock * Double(poolGPUs)) : 0
    }

    private static func draw(_ cumulative: [Double], _ random: inout SeededGenerator) -> Int {
        let u = random.unit() * (cumulative.last ?? 1)
        for (index, bound) in cumulative.enumerated() where u < bound { return sizes[index].gpus }
        return sizes[sizes.count - 1].gpus
    }
}
