import Foundation
import NuriGuard
import NuriStore

/// The guard's parts over one database: the audit chain, the consent ledger, organisations'
/// transfer rules and the transfer policy that uses them all.
public struct GuardServices: Sendable {
    public let audit: AuditLog
    public let ledger: ConsentLedger
    public let rules: TransferRulesStore
    public let policy: TransferPolicy

    public init(database: Database, keys: AuditKeys, checkpointInterval: Int = 1_000) {
        audit = AuditLog(database: database, keys: keys, checkpointInterval: checkpointInterval)
        ledger = ConsentLedger(database: database, audit: audit)
        rules = TransferRulesStore(database: database)
        policy = TransferPolicy(ledger: ledger, rules: rules, audit: audit)
    }

    /// Where the audit keys live: `keys/` in the data directory. Replicas sharing a PostgreSQL
    /// database must share these files too.
    public static func keyDirectory(dataDirectory: String) -> URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("keys")
    }

    /// The services with the installation's keys (created on first use).
    public static func open(database: Database, configuration: ServerConfiguration) throws -> GuardServices {
        GuardServices(database: database, keys: try AuditKeys.loadOrCreate(directory: keyDirectory(dataDirectory: configuration.dataDirectory)))
    }
}
