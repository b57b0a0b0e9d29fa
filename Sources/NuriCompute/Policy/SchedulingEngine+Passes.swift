/// Scheduling passes: the main pass (priority order, stop at a partition's first blocked job) and
/// the backfill pass (reservations for blocked jobs; lower-priority jobs start only where they
/// delay none), as Slurm's `sched/backfill` plugin runs them.
extension SchedulingEngine {
    /// What one pass remembers: reservations made per partition, which partitions are blocked, and
    /// job shapes already known not to fit (a pass only takes GPUs away, so a shape that did not fit
    /// does not fit later in the same pass, nor does a larger or longer one).
    struct PassState {
        var reservations: [Int]
        var blocked: [Bool]
        /// Shortest wall time of a one-node job of g GPUs that failed to start: `[p * (stride + 1) + g]`.
        var smallFailure: [Double]
        /// Preemption found no room for a one-node job of g GPUs of a tier: `[(p * (stride + 1) + g) * tiers + tier]`.
        var smallPreemptFailure: [Bool]
        /// (nodes, wall time) of whole-node jobs that failed to start, per partition (a few shapes).
        var largeFailure: [[(nodes: Int32, wall: Double)]]
        var largePreemptFailure: [[(nodes: Int32, wall: Double)]]
        /// Nodes by when they will have g free GPUs, a min-heap: `[p * (stride + 1) + g]`, built on first use in a pass.
        var order: [[(time: Double, node: Int32)]]
        var orderBuilt: [Bool]
        /// Entries left in each heap.
        var orderCursor: [Int]

        init(partitions: Int, stride: Int) {
            let keys = partitions * (stride + 1)
            reservations = Array(repeating: 0, count: partitions)
            blocked = Array(repeating: false, count: partitions)
            smallFailure = Array(repeating: .infinity, count: keys)
            smallPreemptFailure = Array(repeating: false, count: keys * Tier.count)
            largeFailure = Array(repeating: [], count: partitions)
            largePreemptFailure = Array(repeating: [], count: partitions * Tier.count)
            order = Array(repeating: [], count: keys)
            orderBuilt = Array(repeating: false, count: keys)
            orderCursor = Array(repeating: 0, count: keys)
        }

        mutating func reset() {
            for index in reservations.indices {
                reservations[index] = 0
                blocked[index] = false
                largeFailure[index].removeAll(keepingCapacity: true)
            }
            for index in largePreemptFailure.indices { largePreemptFailure[index].removeAll(keepingCapacity: true) }
            for index in smallFailure.indices {
                smallFailure[index] = .infinity
                orderBuilt[index] = false
            }
            for index in smallPreemptFailure.indices { smallPreemptFailure[index] = false }
        }

        static func known(_ failures: [(nodes: Int32, wall: Double)], nodes: Int32, wall: Double) -> Bool {
            failures.contains { $0.nodes <= nodes && $0.wall <= wall }
        }

        static func record(_ failures: inout [(nodes: Int32, wall: Double)], nodes: Int32, wall: Double) {
            if failures.count < 16 { failures.append((nodes, wall)) }
        }
    }

    /// Runs one pass at `now` and appends what it did to `events`.
    public mutating func schedule(now: Double, pass: Pass, into events: inout [Event]) {
        switch pass {
        case .main:
            mainPass(now: now, depth: policy.mainPassDepth, events: &events)
        case .backfill where policy.backfill.enabled:
            backfillPass(now: now, events: &events)
        case .backfill:
            mainPass(now: now, depth: policy.backfill.depth, events: &events)
        }
        if !pendingRequeue.isEmpty {
            let requeued = pendingRequeue
            pendingRequeue.removeAll(keepingCapacity: true)
            for slot in requeued { enqueue(slot, now: now) }
            for slot in requeued { releaseHeld(project: Int(jobs[Int(slot)].project), now: now) }
        }
        while queueHead < queue.count, !isQueued(queue[queueHead]) { queueHead += 1 }
        if queueHead > 4_096, queueHead * 2 > queue.count { rebuildQueue(now: now, recomputePriorities: false) }
    }

    mutating func mainPass(now: Double, depth: Int, events: inout [Event]) {
        passState.reset()
        var q = queueHead, i = 0, visited = 0, blockedPartitions = 0
        while visited < depth, let entry = nextQueued(&q, &i) {
            visited += 1
            let slot = entry.slot
            let partition = Int(jobs[Int(slot)].partition)
            if passState.blocked[partition] { continue }
            if let reason = limitReason(slot) {
                hold(slot, reason: reason)
                continue
            }
            if tryStart(slot, now: now, respectReservations: false, events: &events) { continue }
            if mayPreemptAnyone(jobs[Int(slot)].tier), tryPreempt(slot, now: now, events: &events) { continue }
            jobs[Int(slot)].reason = .resources
            passState.blocked[partition] = true
            blockedPartitions += 1
            if blockedPartitions == nodes.partitionCount { break }
        }
    }

    mutating func backfillPass(now: Double, events: inout [Event]) {
        rebuildQueue(now: now, recomputePriorities: false)
        passState.reset()
        let stride = nodes.stride
        var examined = 0
        for index in queue.indices {
            guard examined < policy.backfill.depth else { break }
            let entry = queue[index]
            guard isQueued(entry) else { continue }
            examined += 1
            let slot = entry.slot
            let job = jobs[Int(slot)]
            let partition = Int(job.partition)
            if let reason = limitReason(slot) {
                hold(slot, reason: reason)
                continue
            }
            let wall = job.wallTime
            let key = partition * (stride + 1) + Int(job.gpus)
            // Start now if it fits without delaying any reservation.
            let knownToFail = job.nodes == 0
                ? passState.smallFailure[key] <= wall
                : PassState.known(passState.largeFailure[partition], nodes: job.nodes, wall: wall)
            if !knownToFail {
                if tryStart(slot, now: now, respectReservations: true, events: &events) { continue }
                if job.nodes == 0 {
                    for g in Int(job.gpus)...nodes.partitionGPUsPerNode[partition] {
                        let k = partition * (stride + 1) + g
                        passState.smallFailure[k] = min(passState.smallFailure[k], wall)
                    }
                } else {
                    PassState.record(&passState.largeFailure[partition], nodes: job.nodes, wall: wall)
                }
            }
            // Or make room by requeueing lower tiers.
            if mayPreemptAnyone(job.tier) {
                // Whether preemption can make room depends on the size and the tier, not on the wall time.
                let preemptKey = key * Tier.count + job.tier.rank
                let knownNotToPreempt = job.nodes == 0
                    ? passState.smallPreemptFailure[preemptKey]
                    : PassState.known(passState.largePreemptFailure[partition * Tier.count + job.tier.rank], nodes: job.nodes, wall: 0)
                if !knownNotToPreempt {
                    if tryPreempt(slot, now: now, events: &events) { continue }
                    if job.nodes == 0 {
                        let perNode = nodes.partitionGPUsPerNode[partition]
                        for g in Int(job.gpus)...perNode {
                            passState.smallPreemptFailure[(partition * (stride + 1) + g) * Tier.count + job.tier.rank] = true
                        }
                    } else {
                        PassState.record(&passState.largePreemptFailure[partition * Tier.count + job.tier.rank], nodes: job.nodes, wall: 0)
                    }
                }
            }
            // Else wait, holding a reservation if this partition has reservations left.
            if passState.reservations[partition] < policy.backfill.reservationsPerPartition {
                if reserve(slot, now: now) { passState.reservations[partition] += 1 }
            } else {
                jobs[Int(slot)].expectedStart = .infinity
            }
            jobs[Int(slot)].reason = passState.blocked[partition] ? .priority : .resources
            passState.blocked[partition] = true
        }
        nodes.clearReservations()
    }

    // MARK: Placement

    /// Starts the job now if it fits: a one-node job on the fullest node with room (best fit), a
    /// larger job on wholly free nodes, all of them or none. With `respectReservations`, only where
    /// it keeps every reservation of this pass.
    mutating func tryStart(_ slot: Int32, now: Double, respectReservations: Bool, events: inout [Event]) -> Bool {
        let job = jobs[Int(slot)]
        let partition = Int(job.partition)
        let perNode = nodes.partitionGPUsPerNode[partition]
        let end = now + job.wallTime
        if job.nodes == 0 {
            let gpus = Int(job.gpus)
            for freeCount in gpus...perNode {
                let bucket = nodes.bucketIndex(partition: partition, free: freeCount)
                for position in nodes.buckets[bucket].indices {
                    let node = Int(nodes.buckets[bucket][position])
                    if !respectReservations || nodes.keepsReservation(node, gpus: gpus, end: end) {
                        nodes.place(job: slot, node: node, gpus: gpus, end: end)
                        jobs[Int(slot)].node = Int32(node)
                        markStarted(slot, now: now, events: &events)
                        return true
                    }
                }
            }
            return false
        }
        let needed = Int(job.nodes)
        let bucket = nodes.bucketIndex(partition: partition, free: perNode)
        guard nodes.buckets[bucket].count >= needed else { return false }
        placementScratch.removeAll(keepingCapacity: true)
        for node in nodes.buckets[bucket] where !respectReservations || nodes.reservationStart[Int(node)] >= end {
            placementScratch.append(node)
            if placementScratch.count == needed { break }
        }
        guard placementScratch.count == needed else { return false }
        for node in placementScratch { nodes.place(job: slot, node: Int(node), gpus: perNode, end: end) }
        jobNodes[Int(slot)] = placementScratch
        markStarted(slot, now: now, events: &events)
        return true
    }

    /// Reserves GPUs for a blocked job at the earliest time running jobs' requested ends free them
    /// (nodes not reserved yet this pass, in the order of when they free up as the pass began).
    mutating func reserve(_ slot: Int32, now: Double) -> Bool {
        let job = jobs[Int(slot)]
        let partition = Int(job.partition)
        let perNode = nodes.partitionGPUsPerNode[partition]
        let gpus = job.nodes == 0 ? Int(job.gpus) : perNode
        let key = partition * (nodes.stride + 1) + gpus
        if !passState.orderBuilt[key] {
            orderScratch.removeAll(keepingCapacity: true)
            let first = nodes.partitionFirstNode[partition]
            for node in first..<(first + nodes.partitionNodeCount[partition]) {
                orderScratch.append((nodes.timeWhenFree(node, gpus: gpus, now: now), Int32(node)))
            }
            // A min-heap, not a sorted list: a pass takes only the first few nodes of the order.
            Self.heapify(&orderScratch)
            swap(&passState.order[key], &orderScratch)
            passState.orderBuilt[key] = true
            passState.orderCursor[key] = passState.order[key].count
        }
        let needed = job.nodes == 0 ? 1 : Int(job.nodes)
        placementScratch.removeAll(keepingCapacity: true)
        var heap: [(time: Double, node: Int32)] = []
        swap(&heap, &passState.order[key])
        var size = passState.orderCursor[key]
        while placementScratch.count < needed, size > 0 {
            let node = Self.popMin(&heap, size: &size)
            if nodes.reservationStart[Int(node)] == .infinity { placementScratch.append(node) }
        }
        swap(&heap, &passState.order[key])
        passState.orderCursor[key] = size
        guard placementScratch.count == needed else {
            jobs[Int(slot)].expectedStart = .infinity
            return false
        }
        var start = now
        for node in placementScratch { start = max(start, nodes.timeWhenFree(Int(node), gpus: gpus, now: now)) }
        for node in placementScratch { nodes.reserve(Int(node), from: start, gpus: gpus) }
        jobs[Int(slot)].expectedStart = start
        return true
    }

    // MARK: The reservation order's heap (earliest time first, then lower node)

    @inline(__always)
    static func earlier(_ a: (time: Double, node: Int32), _ b: (time: Double, node: Int32)) -> Bool {
        a.time != b.time ? a.time < b.time : a.node < b.node
    }

    static func heapify(_ heap: inout [(time: Double, node: Int32)]) {
        var index = heap.count / 2 - 1
        while index >= 0 {
            siftDown(&heap, from: index, size: heap.count)
            index -= 1
        }
    }

    static func popMin(_ heap: inout [(time: Double, node: Int32)], size: inout Int) -> Int32 {
        let top = heap[0].node
        size -= 1
        heap.swapAt(0, size)
        siftDown(&heap, from: 0, size: size)
        return top
    }

    static func siftDown(_ heap: inout [(time: Double, node: Int32)], from start: Int, size: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < size else { return }
            var child = left
            if left + 1 < size, earlier(heap[left + 1], heap[left]) { child = left + 1 }
            guard earlier(heap[child], heap[parent]) else { return }
            heap.swapAt(parent, child)
            parent = child
        }
    }
}
