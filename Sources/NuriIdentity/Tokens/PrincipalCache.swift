import Synchronization

/// Callers recently authenticated by this process, by the SHA-256 of their token, so that a busy
/// client does not cost two database reads on every request.
///
/// An entry lives ``lifetime`` seconds. Changes made through the ``IdentityStore`` holding the
/// cache (revoking a token, changing a membership) empty it at once; changes made elsewhere
/// (`nuri admin`, another replica) reach this process within ``lifetime``. Expiry is checked
/// on every hit, so an expired token is refused at its expiry time, cached or not. Only
/// successful authentications are kept, and never the secret itself.
public final class PrincipalCache: Sendable {
    /// Seconds an entry is trusted.
    public let lifetime: Int
    /// Entries kept at most; past it, expired entries are dropped, then everything.
    public let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    struct Entry {
        let principal: Principal
        let cachedAt: Int
        /// When `last_used_at` was last written for this token (Unix seconds).
        var lastUsedWritten: Int
    }

    public init(lifetime: Int = 5, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The cached caller for a token hash, and whether its `last_used_at` is due to be written
    /// (the caller writes it; the entry already counts it as written).
    func lookup(hash: String, now: Int, lastUsedResolution: Int) -> (principal: Principal, writeLastUsed: Bool)? {
        entries.withLock { entries in
            guard var entry = entries[hash] else { return nil }
            guard now - entry.cachedAt < lifetime else {
                entries[hash] = nil
                return nil
            }
            let due = now - entry.lastUsedWritten >= lastUsedResolution
            if due {
                entry.lastUsedWritten = now
                entries[hash] = entry
            }
            return (entry.principal, due)
        }
    }

    func insert(_ principal: Principal, hash: String, now: Int, lastUsedWritten: Int) {
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { now - $0.value.cachedAt < lifetime }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[hash] = Entry(principal: principal, cachedAt: now, lastUsedWritten: lastUsedWritten)
        }
    }

    /// Forgets every caller: the next request of each is authenticated against the database.
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
