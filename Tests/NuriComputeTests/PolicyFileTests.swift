import Testing
import NuriCompute

@Suite struct PolicyFileTests {
    @Test("a policy file sets what it names and keeps the defaults of the rest")
    func readsAPolicy() throws {
        let policy = try SchedulingPolicy.load(yaml: """
            priority:
              weights: {fairshare: 20000, age: 500}
              max_age: 3d
              decay_half_life: 14d
              calc_period: 60
              favor_small: true
            qos: {startup: 70}
            preemption: {national_team: [industry]}
            backfill: {interval: 1m, depth: 500, reservations: 4}
            organisations:
              - name: kaist
                shares: 10
                projects:
                  - {name: kaist-llm, tier: academic, shares: 2, limits: {gpu_hours: 50000, max_gpus: 256, gpu_model: H100}}
            """)
        #expect(policy.weights.fairshare == 20_000)
        #expect(policy.weights.age == 500)
        #expect(policy.weights.qos == SchedulingPolicy.default.weights.qos)
        #expect(policy.maxAge == 3 * 86_400)
        #expect(policy.decayHalfLife == 14 * 86_400)
        #expect(policy.calculationPeriod == 60)
        #expect(policy.favorSmall)
        #expect(policy.qosPriority[.startup] == 70)
        #expect(policy.qosPriority[.nationalTeam] == 100)
        #expect(policy.mayPreempt(.nationalTeam, .industry))
        #expect(!policy.mayPreempt(.nationalTeam, .academic))
        #expect(policy.backfill.interval == 60)
        #expect(policy.backfill.depth == 500)
        #expect(policy.backfill.reservationsPerPartition == 4)
        let project = try #require(policy.organisations.first?.projects.first)
        #expect(policy.organisations.first?.shares == 10)
        #expect(project.tier == .academic)
        #expect(project.shares == 2)
        #expect(project.limits == AllocationLimits(gpuHours: 50_000, maxConcurrentGPUs: 256, gpuModel: "h100"))
        try policy.validate(against: .nationalCentre)
    }

    @Test("JSON is read too")
    func readsJSON() throws {
        let policy = try SchedulingPolicy.load(yaml: #"{"backfill": {"enabled": false}, "main_depth": 50}"#)
        #expect(!policy.backfill.enabled)
        #expect(policy.mainPassDepth == 50)
    }

    @Test("an empty file is the factory policy")
    func emptyIsDefault() throws {
        #expect(try SchedulingPolicy.load(yaml: "") == .default)
    }

    @Test("mistakes are refused with the key they are at",
          arguments: [
            ("backfill: {dept: 5}", "backfill.dept", "unknown key dept"),
            ("priorty: {}", "priorty", "unknown key priorty"),
            ("backfill: {depth: many}", "backfill.depth", "whole number"),
            ("backfill: {depth: 0}", "backfill.depth", "at least 1"),
            ("priority: {max_age: soon}", "priority.max_age", "duration"),
            ("priority: {calc_period: 0}", "priority.calc_period", "longer than zero"),
            ("priority: {weights: {age: -1}}", "priority.weights.age", "at least 0"),
            ("priority: {favor_small: maybe}", "priority.favor_small", "true or false"),
            ("qos: {gold: 5}", "qos.gold", "unknown key gold"),
            ("preemption: {industry: [national_team]}", "preemption.industry", "only preempt lower tiers"),
            ("preemption: {national_team: [national_team]}", "preemption.national_team", "only preempt lower tiers"),
            ("preemption: {national_team: [vip]}", "preemption.national_team", "unknown tier vip"),
            ("organisations: [{name: a, projects: [{name: p, tier: gold}]}]", "organisations[0].projects[0].tier", "unknown tier gold"),
            ("organisations: [{name: a, projects: [{name: p}]}]", "organisations[0].projects[0].tier", "needs a tier"),
            ("organisations: [{name: a, projects: [{name: p, tier: public, limits: {gpu_hour: 5}}]}]", "organisations[0].projects[0].limits.gpu_hour", "unknown key"),
            ("organisations: [{name: a}, {name: a}]", "organisations[1].name", "listed twice"),
            ("backfill: [1, 2]", "backfill", "mapping"),
          ])
    func refusesMistakes(text: String, key: String, message: String) {
        do {
            _ = try SchedulingPolicy.load(yaml: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.key == key)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("text that is not YAML says so")
    func notYAML() {
        #expect(throws: PolicyFileError.self) { try SchedulingPolicy.load(yaml: "backfill: {depth: [") }
    }

    @Test("an allocation's GPU model must be in the pool")
    func modelMustExist() throws {
        let policy = try SchedulingPolicy.load(yaml: "organisations: [{name: a, projects: [{name: p, tier: public, limits: {gpu_model: a100}}]}]")
        #expect(throws: PolicyFileError(key: "organisations[0].projects[0].limits.gpu_model", "no partition has GPU model a100 (the pool has h100, h200, b200)")) {
            try policy.validate(against: .nationalCentre)
        }
    }
}
