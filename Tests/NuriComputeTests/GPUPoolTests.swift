import Testing
import NuriCompute

@Suite struct GPUPoolTests {
    @Test func theDefaultPoolIsTheCentresTenThousandGPUs() {
        #expect(GPUPool.nationalCentre.totalGPUs == 10_000)
        #expect(GPUPool.nationalCentre.totalNodes == 1_250)
    }

    @Test func aUniformPoolRoundsUpToWholeNodes() {
        let pool = GPUPool.uniform(gpus: 10)
        #expect(pool.totalNodes == 2)
        #expect(pool.totalGPUs == 16)
    }

    @Test func tiersAreOrderedNationalTeamFirst() {
        #expect(Tier.allCases.sorted().first == .nationalTeam)
        #expect(Tier(rawValue: "national_team") == .nationalTeam)
        #expect(Tier(rawValue: "public") == .public)
    }
}
