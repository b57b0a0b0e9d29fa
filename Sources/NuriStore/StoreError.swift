/// What can go wrong with the database, with the context an operator needs to fix it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database URL could not be understood.
    case invalidURL(redacted: String, reason: String)
    /// The database could not be opened or reached.
    case unreachable(location: String, reason: String)
    /// The database holds a schema written by a newer Nuri than this binary.
    case schemaTooNew(found: Int, known: Int)
    /// A migration failed; the transaction was rolled back.
    case migrationFailed(version: Int, name: String, reason: String)
    /// A uniqueness rule was broken (another row already has this value).
    case conflict(String)
    /// Any other database failure, with the driver's message.
    case query(String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            return "invalid database URL \(url): \(reason)"
        case .unreachable(let location, let reason):
            return "cannot reach the database at \(location): \(reason). Check that the server is running and the URL (host, port, user, password, database) is right."
        case .schemaTooNew(let found, let known):
            return "the database schema is at version \(found) but this nuri binary knows versions up to \(known); it was written by a newer Nuri. Upgrade nuri, or point it at another database."
        case .migrationFailed(let version, let name, let reason):
            return "migration \(version) (\(name)) failed and was rolled back: \(reason)"
        case .conflict(let message):
            return message
        case .query(let message):
            return "database error: \(message)"
        }
    }
}
