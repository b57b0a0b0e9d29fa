import Synchronization
@testable import NuriEngine
import Testing

@Suite("The engine's worker pool")
struct ParallelTests {
    /// Counts what the slices did; a new one for every job, so each job's closure owns an object
    /// that is released when the job ends (a worker touching a finished job's closure crashes).
    final class Tally: Sendable {
        let covered = Atomic<Int>(0)
    }

    @Test("many short jobs back to back: every slice runs exactly once, and no worker touches a finished job")
    func shortJobs() {
        let parallel = Parallel(threads: 3)
        var total = 0
        for round in 0..<600_000 {
            let tally = Tally()
            let count = 1 + round % 7
            parallel.forEachSlice(of: count) { range in tally.covered.add(range.count, ordering: .relaxed) }
            total += tally.covered.load(ordering: .relaxed) == count ? 1 : 0
        }
        #expect(total == 600_000)
    }
}
