import NuriCompute
import Testing

@Suite("A policy adopted by Slurm")
struct SlurmPolicyConfigurationTests {
    static let custom = """
        priority:
          weights: {fairshare: 20000, age: 500, qos: 8000, job_size: 0}
          max_age: 36h
          decay_half_life: 0
          calc_period: 2m
          favor_small: true
        qos: {national_team: 90, public: 70, academic: 70, startup: 10, industry: 5}
        preemption: {national_team: [startup, industry], public: [industry]}
        backfill: {enabled: false}
        main_depth: 250
        """

    @Test("slurm.conf lines carry the policy's weights, durations in Slurm's format, scheduler and preemption")
    func slurmConf() throws {
        let text = try SchedulingPolicy.load(yaml: Self.custom).slurmConfiguration
        let lines = Set(text.split(separator: "\n").map(String.init))
        for expected in ["PriorityType=priority/multifactor", "PriorityWeightFairshare=20000", "PriorityWeightAge=500",
                         "PriorityWeightQOS=8000", "PriorityWeightJobSize=0", "PriorityMaxAge=1-12:00", "PriorityDecayHalfLife=0",
                         "PriorityCalcPeriod=2", "PriorityFavorSmall=YES", "SchedulerType=sched/builtin",
                         "SchedulerParameters=default_queue_depth=250", "PreemptType=preempt/qos", "PreemptMode=REQUEUE",
                         "#   national_team: Priority=90, may preempt startup, industry", "#   public: Priority=70, may preempt industry",
                         "#   startup: Priority=10"] {
            #expect(lines.contains(expected), "missing \(expected) in\n\(text)")
        }
        let defaults = Set(SchedulingPolicy().slurmConfiguration.split(separator: "\n").map(String.init))
        #expect(defaults.contains("SchedulerType=sched/backfill"))
        #expect(defaults.contains("SchedulerParameters=bf_interval=30,bf_max_job_test=10000,bf_job_part_count_reserve=32,default_queue_depth=100"))
        #expect(defaults.contains("PriorityDecayHalfLife=7-00:00"))
    }

    @Test("no preemption rights: Slurm preempts nothing")
    func noPreemption() throws {
        let text = try SchedulingPolicy.load(yaml: "preemption: {}\n").slurmConfiguration
        #expect(text.contains("PreemptType=preempt/none") && !text.contains("PreemptMode"))
    }

    @Test("the QOS the driver gives a project carry the policy's tier priority")
    func driverPriorities() throws {
        let custom = SlurmDriver(settings: .init(slurmConf: nil, policy: try SchedulingPolicy.load(yaml: Self.custom)))
        #expect(custom.priority(of: .nationalTeam) == 90 && custom.priority(of: .startup) == 10)
        let standard = SlurmDriver(settings: .init(slurmConf: nil))
        #expect(standard.priority(of: .nationalTeam) == 100 && standard.priority(of: .industry) == 30)
    }
}
