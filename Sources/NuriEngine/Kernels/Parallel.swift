import Foundation
import Synchronization

/// Runs work on the engine's threads. All multi-threaded kernels go through here, so the thread
/// budget is set in one place.
///
/// The threads are a persistent pool (``WorkerPool``): decoding hands out a few hundred pieces of
/// work per token, and waking a parked thread for each (as `concurrentPerform` does) cost more
/// than the work — two threads decoded slower than one. The calling thread takes the first slice.
struct Parallel: Sendable {
    /// Threads to use (at least 1).
    let threads: Int
    private let pool: WorkerPool?

    init(threads: Int) {
        self.threads = max(1, threads)
        pool = self.threads > 1 ? WorkerPool(workers: self.threads - 1) : nil
    }

    /// Calls `body(range)` for `threads` contiguous slices of `0..<count`, concurrently.
    func forEachSlice(of count: Int, _ body: @escaping @Sendable (Range<Int>) -> Void) {
        forEachSlice(of: count) { _, range in body(range) }
    }

    /// Calls `body(i)` for each `i` in `0..<count`: across the threads when there are at least
    /// `minimum` (a prompt's rows), else on this thread (a decoding step's few rows, where
    /// handing work over costs more than it saves).
    func forEach(_ count: Int, minimum: Int = 8, _ body: @escaping @Sendable (Int) -> Void) {
        guard count >= minimum, threads > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        forEachSlice(of: count) { _, range in
            for i in range { body(i) }
        }
    }

    /// Calls `body(worker, range)` for up to `threads` contiguous slices of `0..<count`; `worker`
    /// (0..<threads) indexes per-worker scratch space.
    func forEachSlice(of count: Int, _ body: @escaping @Sendable (Int, Range<Int>) -> Void) {
        let parts = min(threads, count)
        guard parts > 1, let pool else {
            if count > 0 { body(0, 0..<count) }
            return
        }
        pool.run(parts: parts) { part in
            let start = count * part / parts, end = count * (part + 1) / parts
            body(part, start..<end)
        }
    }
}

/// Threads that live as long as their model. Slices are claimed, not assigned: the caller and
/// the workers take the next unclaimed slice until none is left, so a worker the machine does not
/// schedule in time costs nothing (the caller does its share), as with `concurrentPerform`.
/// Between jobs a worker spins briefly, then yields its core, then sleeps after about a
/// millisecond without work. One caller at a time (the model's lock sees to that).
final class WorkerPool: Sendable {
    /// What the workers share; they hold it, not the pool, so the pool can go away and stop them.
    final class State: @unchecked Sendable {
        /// The job's generation (high bits) and how many of its slices were claimed (low bits).
        /// `job` and `parts` are written before a new generation is published and read after it
        /// is seen; a claim succeeds only while the generation is unchanged.
        let counter = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let sleepers = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        let condition = NSCondition()
        var job: (@Sendable (Int) -> Void)?
        var parts = 0
    }

    static let claimBits = 16
    let state = State()
    private let generation = Mutex<Int>(0)

    init(workers: Int) {
        for index in 1...max(1, workers) {
            let state = self.state
            let thread = Thread { Self.work(state) }
            thread.name = "nuri-engine-\(index)"
            thread.start()
        }
    }

    deinit {
        state.stopping.store(true, ordering: .sequentiallyConsistent)
        state.condition.lock()
        state.condition.broadcast()
        state.condition.unlock()
    }

    /// Calls `body(part)` for every part in `0..<parts` across this thread and the workers.
    func run(parts: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let next = generation.withLock { value in
            value += 1
            return value
        }
        // Closed (every slice taken) while the job is written, so no claim can see half of it.
        state.counter.store(next << Self.claimBits | ((1 << Self.claimBits) - 1), ordering: .sequentiallyConsistent)
        state.job = body
        state.parts = parts
        state.done.store(0, ordering: .relaxed)
        state.counter.store(next << Self.claimBits, ordering: .sequentiallyConsistent)
        if state.sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            state.condition.lock()
            state.condition.broadcast()
            state.condition.unlock()
        }
        Self.claim(state)
        var spins = 0
        while state.done.load(ordering: .acquiring) < parts {
            spins += 1
            if spins > 256 { sched_yield() }
        }
        state.job = nil
    }

    /// Runs unclaimed slices of the current job until none is left.
    private static func claim(_ state: State) {
        while true {
            let value = state.counter.load(ordering: .acquiring)
            let parts = state.parts, claimed = value & ((1 << claimBits) - 1)
            guard claimed < parts else { return }
            guard state.counter.compareExchange(expected: value, desired: value + 1, ordering: .acquiringAndReleasing).exchanged else { continue }
            // Read the job only once a slice of it is ours: until that slice is done the caller
            // cannot move on and replace it (reading it before the claim raced with the caller
            // clearing or replacing it, and crashed on a released closure).
            state.job?(claimed)
            state.done.add(1, ordering: .releasing)
        }
    }

    private static func work(_ state: State) {
        var seen = 0
        while true {
            let started = ContinuousClock.now
            var spins = 0
            while state.counter.load(ordering: .acquiring) >> claimBits == seen && !state.stopping.load(ordering: .relaxed) {
                spins += 1
                if spins < 256 { continue }
                sched_yield()
                if spins & 255 != 0 || ContinuousClock.now - started < .milliseconds(1) { continue }
                state.condition.lock()
                state.sleepers.add(1, ordering: .sequentiallyConsistent)
                while state.counter.load(ordering: .sequentiallyConsistent) >> claimBits == seen
                        && !state.stopping.load(ordering: .sequentiallyConsistent) {
                    state.condition.wait()
                }
                state.sleepers.subtract(1, ordering: .sequentiallyConsistent)
                state.condition.unlock()
            }
            if state.stopping.load(ordering: .acquiring) { return }
            seen = state.counter.load(ordering: .acquiring) >> claimBits
            claim(state)
        }
    }
}

/// A pointer that may cross into the engine's worker threads. Each worker writes a disjoint
/// part of the memory, which is what makes sharing it sound.
struct SharedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// A read-only pointer that may cross into the engine's worker threads.
struct SharedRawPointer: @unchecked Sendable {
    let pointer: UnsafeRawPointer
    init(_ pointer: UnsafeRawPointer) { self.pointer = pointer }
}
