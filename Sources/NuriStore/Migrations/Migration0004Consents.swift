/// The consent ledger (PIPA Art. 15, 17, 22, 28-8): one row per consent a data subject gave to
/// a controlling organisation, one consent per kind (never bundled); disclosures record every
/// recipient that received a subject's personal data; guard policies hold each organisation's
/// choices where the law leaves one (mask or block).
enum Migration0004Consents {
    static let migration = Migration(version: 4, name: "consents", statements: [
        """
        CREATE TABLE consents (
            id TEXT PRIMARY KEY,
            organisation_id TEXT NOT NULL REFERENCES organisations(id),
            subject TEXT NOT NULL,
            kind TEXT NOT NULL,
            purpose TEXT NOT NULL,
            data_items TEXT NOT NULL,
            recipient TEXT,
            recipient_purpose TEXT,
            retention TEXT NOT NULL,
            overseas_country TEXT,
            text_hash TEXT NOT NULL,
            channel TEXT NOT NULL,
            granted_at BIGINT NOT NULL,
            expires_at BIGINT,
            withdrawn_at BIGINT,
            recorded_by TEXT NOT NULL,
            withdrawn_by TEXT
        )
        """,
        "CREATE INDEX consents_by_subject ON consents (organisation_id, subject)",
        """
        CREATE TABLE disclosures (
            id TEXT PRIMARY KEY,
            organisation_id TEXT NOT NULL,
            subject TEXT NOT NULL,
            recipient TEXT NOT NULL,
            jurisdiction TEXT NOT NULL,
            relationship TEXT NOT NULL,
            consent_ids TEXT NOT NULL,
            entity_types TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX disclosures_by_subject ON disclosures (organisation_id, subject, created_at)",
        """
        CREATE TABLE guard_policies (
            organisation_id TEXT PRIMARY KEY REFERENCES organisations(id),
            third_party TEXT NOT NULL,
            overseas TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
    ])
}
