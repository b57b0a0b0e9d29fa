import Dispatch

/// Runs work on the engine's threads. All multi-threaded kernels go through here, so the thread
/// budget is set in one place.
struct Parallel: Sendable {
    /// Threads to use (at least 1).
    let threads: Int

    init(threads: Int) {
        self.threads = max(1, threads)
    }

    /// Calls `body(range)` for `threads` contiguous slices of `0..<count`, concurrently.
    func forEachSlice(of count: Int, _ body: @Sendable (Range<Int>) -> Void) {
        forEachSlice(of: count) { _, range in body(range) }
    }

    /// Calls `body(worker, range)` for up to `threads` contiguous slices of `0..<count`; `worker`
    /// (0..<threads) indexes per-worker scratch space.
    func forEachSlice(of count: Int, _ body: @Sendable (Int, Range<Int>) -> Void) {
        let parts = min(threads, count)
        guard parts > 1 else {
            if count > 0 { body(0, 0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = count * part / parts, end = count * (part + 1) / parts
            body(part, start..<end)
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
