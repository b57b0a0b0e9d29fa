/// The pool's nodes as the scheduler places jobs on them: every GPU is a slot holding the job that
/// runs on it and that job's expected end (start + requested wall time), and each partition keeps
/// its nodes in buckets by free GPUs, so a best-fit node for a small job or `n` wholly free nodes
/// for a large one are found without scanning the pool.
///
/// During a backfill pass a node may carry one reservation: from `reservationStart` on,
/// `reservationGPUs` of its GPUs are promised to a blocked higher-priority job.
struct NodeTable {
    /// Slots per node in the flat slot arrays: the largest `gpusPerNode` of any partition.
    let stride: Int
    let partitionNames: [String]
    let partitionModels: [String]
    let partitionGPUsPerNode: [Int]
    let partitionFirstNode: [Int]
    let partitionNodeCount: [Int]
    /// Partition of each node.
    let nodePartition: [Int32]

    /// Job slot (the engine's record index) holding each GPU, -1 when free. [nodes × stride]
    var slotJob: [Int32]
    /// Expected end of the job holding each GPU, seconds. [nodes × stride]
    var slotEnd: [Double]
    /// Free GPUs of each node.
    var free: [Int32]
    /// Position of each node inside its bucket.
    var bucketPosition: [Int32]
    /// Nodes of partition p with f free GPUs: `buckets[p * (stride + 1) + f]`.
    var buckets: [[Int32]]
    /// Free GPUs of each partition.
    var partitionFree: [Int]

    /// Start of the reservation on each node (+∞: none), seconds.
    var reservationStart: [Double]
    /// GPUs the reservation promises on each node.
    var reservationGPUs: [Int32]
    /// Nodes holding a reservation, to clear them after the pass.
    var reservedNodes: [Int32] = []

    init(pool: GPUPool) {
        stride = max(1, pool.partitions.map(\.gpusPerNode).max() ?? 1)
        partitionNames = pool.partitions.map(\.name)
        partitionModels = pool.partitions.map { $0.gpuModel.lowercased() }
        partitionGPUsPerNode = pool.partitions.map(\.gpusPerNode)
        partitionNodeCount = pool.partitions.map(\.nodes)
        var first: [Int] = []
        var nodePartition: [Int32] = []
        for (index, partition) in pool.partitions.enumerated() {
            first.append(nodePartition.count)
            nodePartition.append(contentsOf: repeatElement(Int32(index), count: partition.nodes))
        }
        partitionFirstNode = first
        self.nodePartition = nodePartition
        let nodes = nodePartition.count
        slotJob = Array(repeating: -1, count: nodes * stride)
        slotEnd = Array(repeating: 0, count: nodes * stride)
        free = nodePartition.map { Int32(pool.partitions[Int($0)].gpusPerNode) }
        bucketPosition = Array(repeating: 0, count: nodes)
        buckets = Array(repeating: [], count: pool.partitions.count * (stride + 1))
        partitionFree = pool.partitions.map(\.gpus)
        reservationStart = Array(repeating: .infinity, count: nodes)
        reservationGPUs = Array(repeating: 0, count: nodes)
        for node in 0..<nodes {
            let bucket = bucketIndex(partition: Int(nodePartition[node]), free: Int(free[node]))
            bucketPosition[node] = Int32(buckets[bucket].count)
            buckets[bucket].append(Int32(node))
        }
    }

    var nodeCount: Int { nodePartition.count }
    var partitionCount: Int { partitionNames.count }

    @inline(__always) func bucketIndex(partition: Int, free: Int) -> Int { partition * (stride + 1) + free }

    func partitionGPUs(_ partition: Int) -> Int { partitionNodeCount[partition] * partitionGPUsPerNode[partition] }

    /// Nodes of a partition with every GPU free.
    func whollyFreeNodes(_ partition: Int) -> Int {
        buckets[bucketIndex(partition: partition, free: partitionGPUsPerNode[partition])].count
    }

    private mutating func moveBucket(_ node: Int, from: Int, to: Int) {
        let partition = Int(nodePartition[node])
        let source = bucketIndex(partition: partition, free: from)
        let position = Int(bucketPosition[node])
        let last = buckets[source].removeLast()
        if last != Int32(node) {
            buckets[source][position] = last
            bucketPosition[Int(last)] = Int32(position)
        }
        let target = bucketIndex(partition: partition, free: to)
        bucketPosition[node] = Int32(buckets[target].count)
        buckets[target].append(Int32(node))
    }

    /// Gives `gpus` free GPUs of `node` to `job` until `end`.
    mutating func place(job: Int32, node: Int, gpus: Int, end: Double) {
        var left = gpus
        let base = node * stride
        var slot = base
        while left > 0 {
            if slotJob[slot] < 0 {
                slotJob[slot] = job
                slotEnd[slot] = end
                left -= 1
            }
            slot += 1
        }
        let before = Int(free[node])
        free[node] -= Int32(gpus)
        partitionFree[Int(nodePartition[node])] -= gpus
        moveBucket(node, from: before, to: before - gpus)
    }

    /// Frees every GPU of `node` that `job` holds; returns how many.
    @discardableResult
    mutating func release(job: Int32, node: Int) -> Int {
        let base = node * stride
        var released = 0
        for slot in base..<(base + stride) where slotJob[slot] == job {
            slotJob[slot] = -1
            released += 1
        }
        guard released > 0 else { return 0 }
        let before = Int(free[node])
        free[node] += Int32(released)
        partitionFree[Int(nodePartition[node])] += released
        moveBucket(node, from: before, to: before + released)
        return released
    }

    /// GPUs of `node` free at `time` if running jobs end when they asked to.
    func freeAt(_ node: Int, time: Double) -> Int {
        let base = node * stride
        let gpusPerNode = partitionGPUsPerNode[Int(nodePartition[node])]
        var count = 0
        for slot in base..<(base + gpusPerNode) where slotJob[slot] < 0 || slotEnd[slot] <= time { count += 1 }
        return count
    }

    /// When `node` will have `gpus` free GPUs (`now` if it has them): the `gpus - free`-th
    /// smallest expected end of the jobs on it.
    func timeWhenFree(_ node: Int, gpus: Int, now: Double) -> Double {
        let freeNow = Int(free[node])
        if freeNow >= gpus { return now }
        let base = node * stride
        let gpusPerNode = partitionGPUsPerNode[Int(nodePartition[node])]
        let needed = gpus - freeNow
        if needed == gpusPerNode - freeNow {
            // Drain: the latest end.
            var latest = now
            for slot in base..<(base + gpusPerNode) where slotJob[slot] >= 0 && slotEnd[slot] > latest { latest = slotEnd[slot] }
            return latest
        }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: gpusPerNode) { ends in
            var count = 0
            for slot in base..<(base + gpusPerNode) where slotJob[slot] >= 0 {
                // Insertion sort: at most one node's GPUs.
                var position = count
                let end = slotEnd[slot]
                while position > 0, ends[position - 1] > end {
                    ends[position] = ends[position - 1]
                    position -= 1
                }
                ends[position] = end
                count += 1
            }
            return max(now, ends[needed - 1])
        }
    }

    /// Whether `gpus` more GPUs on `node` until `end` leave its reservation whole: either the job
    /// ends by the reservation's start, or enough GPUs remain free at that start.
    @inline(__always)
    func keepsReservation(_ node: Int, gpus: Int, end: Double) -> Bool {
        let start = reservationStart[node]
        if end <= start { return true }
        return freeAt(node, time: start) - gpus >= Int(reservationGPUs[node])
    }

    mutating func reserve(_ node: Int, from start: Double, gpus: Int) {
        if reservationStart[node] == .infinity { reservedNodes.append(Int32(node)) }
        reservationStart[node] = start
        reservationGPUs[node] = Int32(gpus)
    }

    mutating func clearReservations() {
        for node in reservedNodes {
            reservationStart[Int(node)] = .infinity
            reservationGPUs[Int(node)] = 0
        }
        reservedNodes.removeAll(keepingCapacity: true)
    }
}
