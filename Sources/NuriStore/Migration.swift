import SQLKit

/// One step of the schema's history. Versions are consecutive from 1; a released migration is
/// never edited, only followed by a new one.
public struct Migration: Sendable {
    /// Position in the history, starting at 1.
    public let version: Int
    /// A short name for messages and the `nuri_schema_migrations` table.
    public let name: String
    /// The statements, run in order inside one transaction. Written in the SQL that SQLite and
    /// PostgreSQL share (`TEXT`, `BIGINT`, `REFERENCES … ON DELETE CASCADE`).
    public let statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
