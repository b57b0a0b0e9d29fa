/// Usage: one row per inference request (streamed ones included), for metering and budgets.
/// Values are counts and ids only — never prompts or outputs.
enum Migration0002Usage {
    static let migration = Migration(version: 2, name: "usage", statements: [
        """
        CREATE TABLE usage_records (
            id TEXT PRIMARY KEY,
            created_at BIGINT NOT NULL,
            organisation_id TEXT,
            user_id TEXT NOT NULL,
            token_id TEXT NOT NULL,
            model TEXT NOT NULL,
            backend TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            prompt_tokens BIGINT NOT NULL,
            completion_tokens BIGINT NOT NULL,
            latency_ms BIGINT NOT NULL,
            status BIGINT NOT NULL
        )
        """,
        "CREATE INDEX usage_by_time ON usage_records (created_at)",
        "CREATE INDEX usage_by_organisation ON usage_records (organisation_id, created_at)",
    ])
}
