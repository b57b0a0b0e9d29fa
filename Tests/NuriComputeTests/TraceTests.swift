import Foundation
import Testing
import NuriCompute

@Suite struct AlibabaTraceTests {
    @Test("the Alibaba GPU trace imports with every row accounted for",
          .enabled(if: TraceFiles.alibabaIsPresent, "the Alibaba trace is not at ../shared/data/traces/ (set NURI_TRACES_DIR to its folder)"))
    func importsTheTrace() throws {
        let trace = try AlibabaTrace(contentsOf: TraceFiles.alibaba)
        // NOTE.md: 8,152 jobs, 1,088 of them without GPUs. Counted with awk on the file: 861 GPU rows have
        // no duration (status Pending: they never ran), 6,203 ran, 2,573 of those on a fraction of a GPU.
        #expect(trace.rows == 8_152)
        #expect(trace.skippedZeroGPU == 1_088)
        #expect(trace.skippedNeverRan == 861)
        #expect(trace.jobs.count == 6_203)
        #expect(trace.fractionalRoundedUp == 2_573)
        #expect(trace.jobs.allSatisfy { $0.gpus >= 1 && $0.wallTime >= $0.runTime && $0.wallTime.truncatingRemainder(dividingBy: 3_600) == 0 })
        #expect(zip(trace.jobs, trace.jobs.dropFirst()).allSatisfy { $0.submitTime <= $1.submitTime })
        // 24 projects in 8 organisations, the same every time.
        #expect(Set(trace.jobs.map(\.project)).count == 24)
        let again = try AlibabaTrace(contentsOf: TraceFiles.alibaba)
        #expect(again.jobs == trace.jobs)
    }

    @Test("rows become jobs as documented: 0-GPU and never-run rows skipped, fractions rounded up, wall time in hours")
    func mapsRows() throws {
        // A hand-written fixture in the trace's format (figures made up for the test).
        let csv = """
            job_id,submit_time_s,start_time_s,end_time_s,duration_s,queue_delay_s,num_gpu,gpu_milli,gpus,gpu_model,qos_class,user,team,status,source
            j1,100,100,200,100,0,1,460,0.46,any,LS,,,Succeeded,test
            j2,50,60,7260,7200,10,8,1000,8.0,any,BE,,,Failed,test
            j3,70,,90,,,1,1000,1.0,any,BE,,,Pending,test
            j4,80,80,90,10,0,0,0,0.0,any,BE,,,Succeeded,test
            """
        let trace = try AlibabaTrace(csv: Substring(csv).description)
        #expect(trace.rows == 4)
        #expect(trace.skippedZeroGPU == 1)
        #expect(trace.skippedNeverRan == 1)
        #expect(trace.fractionalRoundedUp == 1)
        #expect(trace.jobs.map(\.gpus) == [8, 1])                // sorted by submission: j2 (50) before j1 (100)
        #expect(trace.jobs.map(\.runTime) == [7_200, 100])
        #expect(trace.jobs.map(\.wallTime) == [7_200, 3_600])    // whole hours, at least one
        #expect(trace.jobs.map(\.id) == [0, 1])
    }

    @Test("a file of another format is refused, naming the missing column")
    func refusesOtherFormats() {
        #expect(throws: TraceError.self) { try AlibabaTrace(csv: "id,time\n1,2\n") }
        do {
            _ = try AlibabaTrace(csv: "job_id,submit_time_s,duration_s,num_gpu\n")
        } catch {
            #expect(error.message.contains("gpu_milli"))
        }
        #expect(throws: TraceError.self) {
            try AlibabaTrace(csv: "job_id,submit_time_s,duration_s,num_gpu,gpu_milli\nx,soon,10,1,1000\n")
        }
    }
}

@Suite struct SyntheticWorkloadTests {
    @Test("the same seed gives the same jobs; another seed other jobs")
    func reproducible() {
        let a = SyntheticWorkload(count: 2_000, seed: 42)
        let b = SyntheticWorkload(count: 2_000, seed: 42)
        let c = SyntheticWorkload(count: 2_000, seed: 43)
        #expect(a.jobs == b.jobs)
        #expect(a.jobs != c.jobs)
        #expect(a.organisations == b.organisations)
    }

    @Test("the shape is close to the AcmeTrace figures it targets")
    func shape() {
        let workload = SyntheticWorkload(count: 200_000, seed: 7, pool: .nationalCentre, load: 0.9)
        let jobs = workload.jobs
        let gpus = jobs.map(\.gpus).sorted()
        let runs = jobs.map { min($0.runTime, $0.wallTime) }.sorted()
        let meanGPUs = Double(gpus.reduce(0, +)) / Double(gpus.count)
        let oneGPU = Double(gpus.filter { $0 == 1 }.count) / Double(gpus.count)
        let meanRun = runs.reduce(0, +) / Double(runs.count)
        // Seren (acme-cluster-summary.csv): median 1 GPU, mean 5.68; median run 122 s, mean 1,414 s.
        #expect(gpus[gpus.count / 2] == 1)
        #expect(meanGPUs > 4 && meanGPUs < 8, "mean GPUs \(meanGPUs)")
        #expect(oneGPU > 0.62 && oneGPU < 0.75, "1-GPU share \(oneGPU)")
        #expect(runs[runs.count / 2] > 80 && runs[runs.count / 2] < 250, "median run \(runs[runs.count / 2])")
        #expect(meanRun > 700 && meanRun < 5_000, "mean run \(meanRun)")
        // The heavy tail: few jobs of 64 GPUs or more, holding a large part of the GPU time.
        let large = jobs.filter { $0.gpus >= 64 }
        let share = Double(large.count) / Double(jobs.count)
        let gpuTime = jobs.reduce(0.0) { $0 + Double($1.gpus) * min($1.runTime, $1.wallTime) }
        let largeTime = large.reduce(0.0) { $0 + Double($1.gpus) * min($1.runTime, $1.wallTime) }
        #expect(share > 0.01 && share < 0.04, "≥64-GPU share \(share)")
        #expect(largeTime / gpuTime > 0.5, "≥64-GPU share of GPU time \(largeTime / gpuTime)")
        // Tiers all present; arrivals offer the asked load.
        #expect(Set(jobs.map(\.tier)) == Set(Tier.allCases))
        #expect(abs(workload.offeredLoad - 0.9) < 0.05, "offered load \(workload.offeredLoad)")
        #expect(zip(jobs, jobs.dropFirst()).allSatisfy { $0.submitTime <= $1.submitTime })
    }
}
