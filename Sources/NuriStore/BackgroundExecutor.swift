#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// A thread of its own, at a lower scheduling priority, for writes that no request waits on
/// (metering's batches).
///
/// A task runs on the event loops unless told otherwise, and the Swift side of a batched write
/// (building its statements and their values) can take a millisecond: on an event loop that
/// serves requests, every request arriving meanwhile waits for it. A task started with this
/// executor as its preference (``Database/transaction(preferring:_:)``) does that work here
/// instead, and the kernel favours the event loops when both want the same CPU.
public final class BackgroundExecutor: TaskExecutor {
    /// The process's background thread, started on first use.
    public static let shared = BackgroundExecutor(name: "nuri-background")

    /// Nice value of the thread (Linux keeps one per thread): a lower priority than the event
    /// loops' 0, so that the kernel favours them, with a third of their weight (335 against
    /// 1,024), so that metering keeps up when they are busy.
    public static let niceness: Int32 = 5

    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop

    init(name: String) {
        // A group for the process's lifetime, like NIO's own singletons.
        group = MultiThreadedEventLoopGroup._makePerpetualGroup(threadNamePrefix: name, numberOfThreads: 1)
        loop = group.next()
        #if canImport(Glibc)
        // `who` 0 is the calling thread on Linux, where a nice value belongs to a thread.
        loop.execute { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness) }
        #endif
    }

    /// Whether the caller runs on this executor's thread.
    public var isCurrent: Bool { loop.inEventLoop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
