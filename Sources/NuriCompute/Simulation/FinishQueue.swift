/// The simulator's pending job ends: a binary min-heap on time (then trace index, so equal times
/// pop in a fixed order). An entry whose `attempt` is older than its job's (the job was preempted
/// since) is stale and skipped by the simulator.
struct FinishQueue {
    struct Entry {
        var time: Double
        var job: Int32
        var attempt: Int32
        var slot: Int32

        @inline(__always) func before(_ other: Entry) -> Bool {
            time != other.time ? time < other.time : job < other.job
        }
    }

    private var heap: [Entry] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var first: Entry? { heap.first }

    mutating func reserve(_ capacity: Int) { heap.reserveCapacity(capacity) }

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].before(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            let count = heap.count
            while true {
                let left = 2 * parent + 1
                guard left < count else { break }
                var smallest = left
                if left + 1 < count, heap[left + 1].before(heap[left]) { smallest = left + 1 }
                guard heap[smallest].before(heap[parent]) else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}
