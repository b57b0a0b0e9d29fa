/// Preemption: a job of a tier the policy lets preempt (by default `national_team`) that cannot
/// otherwise start requeues running jobs of the tiers it may preempt, choosing the nodes where the
/// least work is lost. Requeued jobs return to the queue; their work so far is lost (and was
/// charged: the GPUs were used). Only nodes without a reservation are taken, so preemption never
/// delays a blocked higher-priority job either.
extension SchedulingEngine {
    /// Candidate nodes weighed per one-node preemption.
    static let preemptionCandidates = 32

    @inline(__always) func mayPreemptAnyone(_ tier: Tier) -> Bool {
        preemptsAnyone[tier.rank]
    }

    /// Whether the running job in `slot` may be requeued for a job of `tier`.
    @inline(__always) func isVictim(_ slot: Int32, for tier: Tier) -> Bool {
        slot >= 0 && preempts[tier.rank * Tier.count + jobs[Int(slot)].tier.rank]
    }

    /// Work lost if the running job in `slot` is requeued now, GPU-seconds.
    @inline(__always) func lostWork(_ slot: Int32, now: Double) -> Double {
        let job = jobs[Int(slot)]
        return Double(job.gpus) * max(0, now - job.startTime)
    }

    mutating func tryPreempt(_ slot: Int32, now: Double, events: inout [Event]) -> Bool {
        let job = jobs[Int(slot)]
        let partition = Int(job.partition)
        let perNode = nodes.partitionGPUsPerNode[partition]
        let first = nodes.partitionFirstNode[partition]
        let range = first..<(first + nodes.partitionNodeCount[partition])
        let stride = nodes.stride
        if job.nodes == 0 {
            // One node: among the first `preemptionCandidates` unreserved nodes where requeueing
            // lower tiers frees `gpus` GPUs (searched from where the last search ended), the one
            // where the least work is lost. Bounded so that a pass with hundreds of preempting jobs
            // stays fast on thousands of nodes.
            let gpus = Int(job.gpus)
            let count = nodes.partitionNodeCount[partition]
            var bestNode = -1, bestCost = Double.infinity
            var node = first + preemptCursor[partition] % max(count, 1)
            var examined = 0, candidates = 0
            while examined < count, candidates < Self.preemptionCandidates {
                if nodes.reservationStart[node] == .infinity {
                    var freeable = Int(nodes.free[node])
                    var cost = 0.0
                    for offset in 0..<perNode {
                        let holder = nodes.slotJob[node * stride + offset]
                        guard holder >= 0, isVictim(holder, for: job.tier) else { continue }
                        freeable += 1
                        cost += lostWork(holder, now: now) / Double(jobs[Int(holder)].gpus)
                    }
                    if freeable >= gpus {
                        candidates += 1
                        if cost < bestCost {
                            bestCost = cost
                            bestNode = node
                        }
                    }
                }
                node += 1
                if node == first + count { node = first }
                examined += 1
            }
            preemptCursor[partition] = node - first
            guard bestNode >= 0 else { return false }
            preemptOn(node: bestNode, until: gpus, for: job.tier, now: now, events: &events)
            guard Int(nodes.free[bestNode]) >= gpus else { return false }
            nodes.place(job: slot, node: bestNode, gpus: gpus, end: now + job.wallTime)
            jobs[Int(slot)].node = Int32(bestNode)
            markStarted(slot, now: now, events: &events)
            return true
        }
        // Whole nodes: unreserved nodes that are free or hold only preemptable jobs, cheapest first.
        orderScratch.removeAll(keepingCapacity: true)
        for node in range where nodes.reservationStart[node] == .infinity {
            var cost = 0.0
            var eligible = true
            for offset in 0..<perNode {
                let holder = nodes.slotJob[node * stride + offset]
                guard holder >= 0 else { continue }
                guard isVictim(holder, for: job.tier) else { eligible = false; break }
                cost += lostWork(holder, now: now) / Double(jobs[Int(holder)].gpus)
            }
            if eligible { orderScratch.append((cost, Int32(node))) }
        }
        let needed = Int(job.nodes)
        guard orderScratch.count >= needed else { return false }
        orderScratch.sort { $0.time < $1.time }
        placementScratch.removeAll(keepingCapacity: true)
        for index in 0..<needed {
            let node = Int(orderScratch[index].node)
            preemptOn(node: node, until: perNode, for: job.tier, now: now, events: &events)
            guard Int(nodes.free[node]) == perNode else { return false }
            placementScratch.append(Int32(node))
        }
        for node in placementScratch { nodes.place(job: slot, node: Int(node), gpus: perNode, end: now + job.wallTime) }
        jobNodes[Int(slot)] = placementScratch
        markStarted(slot, now: now, events: &events)
        return true
    }

    /// Requeues preemptable jobs on `node`, least work lost first, until it has `gpus` free GPUs.
    mutating func preemptOn(node: Int, until gpus: Int, for tier: Tier, now: Double, events: inout [Event]) {
        let base = node * nodes.stride
        let perNode = nodes.partitionGPUsPerNode[Int(nodes.nodePartition[node])]
        while Int(nodes.free[node]) < gpus {
            var victim: Int32 = -1
            var least = Double.infinity
            for offset in 0..<perNode {
                let holder = nodes.slotJob[base + offset]
                guard holder >= 0, isVictim(holder, for: tier) else { continue }
                let lost = lostWork(holder, now: now)
                if lost < least { least = lost; victim = holder }
            }
            guard victim >= 0 else { return }
            requeue(victim, now: now, events: &events)
        }
    }

    /// Stops a running job and puts it back in the queue after this pass.
    mutating func requeue(_ slot: Int32, now: Double, events: inout [Event]) {
        let lost = lostWork(slot, now: now)
        stopRunning(slot, now: now)
        let index = Int(slot)
        jobs[index].state = .held  // out of the queue until the pass ends
        jobs[index].generation &+= 1
        jobNodes[index] = []
        jobs[index].node = -1
        jobs[index].reason = .priority
        pendingRequeue.append(slot)
        events.append(.preempted(JobHandle(slot: slot), id: jobs[index].id, lostGPUSeconds: lost))
    }
}
