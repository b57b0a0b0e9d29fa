import PostgresNIO
import SQLiteNIO

/// Turns the drivers' errors into ``StoreError`` values, so that callers above the store never
/// see a driver type. Uniqueness violations become ``StoreError/conflict(_:)`` so that a domain
/// module can turn them into "already exists".
enum StoreErrorMapping {
    static func map(postgres error: PSQLError) -> StoreError {
        if let state = error.serverInfo?[.sqlState], state == "23505" {
            return .conflict(error.serverInfo?[.message] ?? "unique constraint violated")
        }
        return .query(reason(of: error))
    }

    static func map(sqlite error: SQLiteError) -> StoreError {
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
            return .conflict(error.message)
        default:
            return .query(error.message)
        }
    }

    /// The server's own message when there is one, else the connection-level cause.
    static func reason(of error: PSQLError) -> String {
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }
}
