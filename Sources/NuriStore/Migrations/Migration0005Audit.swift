/// The audit chain: records numbered without gaps, each holding the hash of the one before, and
/// checkpoints that sign the chain's head. Records hold types, counts and keyed hashes of
/// values, never the values.
enum Migration0005Audit {
    static let migration = Migration(version: 5, name: "audit", statements: [
        """
        CREATE TABLE audit_records (
            seq BIGINT PRIMARY KEY,
            created_at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            organisation_id TEXT,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            decision TEXT NOT NULL,
            reason TEXT NOT NULL,
            entities TEXT NOT NULL,
            value_hashes TEXT NOT NULL,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )
        """,
        "CREATE INDEX audit_by_time ON audit_records (created_at)",
        """
        CREATE TABLE audit_checkpoints (
            seq BIGINT PRIMARY KEY,
            head_hash TEXT NOT NULL,
            public_key TEXT NOT NULL,
            signature TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
    ])
}
