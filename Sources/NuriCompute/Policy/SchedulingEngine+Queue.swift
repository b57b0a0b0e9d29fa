/// The pending queue: entries sorted by priority, recent arrivals in a small sorted inbox, and
/// jobs held by their project's allocation limits kept aside until the project's usage changes.
extension SchedulingEngine {
    /// The priority of a pending job now.
    func priority(of slot: Int32, now: Double) -> Double {
        let job = jobs[Int(slot)]
        return policy.priority(factors(of: job, now: now))
    }

    func factors(of job: JobRecord, now: Double) -> PriorityFactors {
        PriorityFactors(
            fairshare: tree.factor[Int(job.project)],
            age: policy.ageFactor(age: now - job.submitTime),
            qos: qosFactorOfTier[job.tier.rank],
            jobSize: policy.jobSizeFactor(gpus: Int(job.gpus), poolGPUs: pool.totalGPUs))
    }

    @inline(__always) func isQueued(_ entry: QueueEntry) -> Bool {
        let job = jobs[Int(entry.slot)]
        return job.state == .pending && job.generation == entry.generation
    }

    func entry(for slot: Int32, now: Double) -> QueueEntry {
        let job = jobs[Int(slot)]
        return QueueEntry(priority: priority(of: slot, now: now), submitTime: job.submitTime, id: job.id,
                          slot: slot, generation: job.generation)
    }

    /// Puts a pending job into the inbox at its priority.
    mutating func enqueue(_ slot: Int32, now: Double) {
        jobs[Int(slot)].state = .pending
        let new = entry(for: slot, now: now)
        var low = 0, high = inbox.count
        while low < high {
            let mid = (low + high) / 2
            if inbox[mid].precedes(new) { low = mid + 1 } else { high = mid }
        }
        inbox.insert(new, at: low)
        if inbox.count > inboxLimit { rebuildQueue(now: now, recomputePriorities: false) }
    }

    /// Merges the inbox into the queue and drops entries of jobs no longer queued; with
    /// `recomputePriorities`, every entry gets its priority now and the queue is sorted again.
    ///
    /// Works on local arrays: reading `self` while appending to one of its arrays made the
    /// optimiser copy the whole engine for every entry.
    mutating func rebuildQueue(now: Double, recomputePriorities: Bool) {
        var merged: [QueueEntry] = []
        swap(&merged, &scratch)
        merged.removeAll(keepingCapacity: true)
        let queue = self.queue, inbox = self.inbox, head = queueHead
        let jobs = self.jobs
        @inline(__always) func queued(_ entry: QueueEntry) -> Bool {
            let job = jobs[Int(entry.slot)]
            return job.state == .pending && job.generation == entry.generation
        }
        if recomputePriorities {
            for index in head..<queue.count where queued(queue[index]) { merged.append(queue[index]) }
            for entry in inbox where queued(entry) { merged.append(entry) }
            for index in merged.indices { merged[index].priority = priority(of: merged[index].slot, now: now) }
            merged.sort { $0.precedes($1) }
        } else {
            var q = head, i = 0
            while true {
                while q < queue.count, !queued(queue[q]) { q += 1 }
                while i < inbox.count, !queued(inbox[i]) { i += 1 }
                if q < queue.count, i == inbox.count || queue[q].precedes(inbox[i]) {
                    merged.append(queue[q]); q += 1
                } else if i < inbox.count {
                    merged.append(inbox[i]); i += 1
                } else {
                    break
                }
            }
        }
        self.scratch = queue
        self.queue = merged
        queueHead = 0
        self.inbox.removeAll(keepingCapacity: true)
    }

    /// The next queued job in priority order across the queue and the inbox, advancing the cursors.
    @inline(__always)
    func nextQueued(_ q: inout Int, _ i: inout Int) -> QueueEntry? {
        while q < queue.count, !isQueued(queue[q]) { q += 1 }
        while i < inbox.count, !isQueued(inbox[i]) { i += 1 }
        if q < queue.count, i == inbox.count || queue[q].precedes(inbox[i]) {
            q += 1
            return queue[q - 1]
        }
        if i < inbox.count {
            i += 1
            return inbox[i - 1]
        }
        return nil
    }

    // MARK: Allocation limits

    /// Why the job may not start now under its project's allocation, or nil if it may.
    func limitReason(_ slot: Int32) -> PendingReason? {
        let job = jobs[Int(slot)]
        let project = Int(job.project)
        if projectRunningGPUs[project] + Int(job.gpus) > projectMaxGPUs[project] { return .concurrentGPULimit }
        let budget = projectBudget[project]
        if budget.isFinite,
           projectCharged[project] + projectCommitted[project] + Double(job.gpus) * job.wallTime > budget {
            return .gpuHourLimit
        }
        return nil
    }

    /// Keeps a job aside until its project's usage changes.
    mutating func hold(_ slot: Int32, reason: PendingReason) {
        leaveQueue(slot)
        jobs[Int(slot)].state = .held
        jobs[Int(slot)].reason = reason
        projectHeld[Int(jobs[Int(slot)].project)].append(slot)
    }

    /// Returns a project's held jobs to the queue (a job of it ended, so its limits may allow them).
    mutating func releaseHeld(project: Int, now: Double) {
        guard !projectHeld[project].isEmpty else { return }
        let held = projectHeld[project]
        projectHeld[project].removeAll(keepingCapacity: true)
        for slot in held where jobs[Int(slot)].state == .held { enqueue(slot, now: now) }
    }
}
