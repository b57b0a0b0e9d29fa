/// Lets write transactions on one SQLite file through one at a time within this process.
///
/// SQLite allows one writer per file; a second `BEGIN IMMEDIATE` waits for the lock inside
/// `sqlite3_step`, holding one of the few threads of NIO's blocking pool for up to the busy
/// timeout — the thread the writer holding the lock may need to finish. Under load (many
/// transactions at once, e.g. usage records written beside requests' own writes) that starved
/// the pool until the busy timeout failed a transaction with "database is locked". Waiting
/// here instead costs no thread; `BEGIN IMMEDIATE` then only waits for other processes.
actor SQLiteWriteGate {
    static let shared = SQLiteWriteGate()

    private var writing: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Waits until no other transaction of this process writes to `path`, then takes the turn.
    func enter(_ path: String) async {
        guard writing.contains(path) else {
            writing.insert(path)
            return
        }
        await withCheckedContinuation { waiting[path, default: []].append($0) }
        // The leaving transaction handed its turn straight to this one.
    }

    /// Ends the turn, handing it to the next waiting transaction, if any.
    func leave(_ path: String) {
        if var queue = waiting[path], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[path] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            writing.remove(path)
        }
    }
}
