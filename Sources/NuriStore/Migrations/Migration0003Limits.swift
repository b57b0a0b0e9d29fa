/// Limits: requests and tokens per minute, and a token budget per period, for an organisation
/// (`org:<id>`) or a token (`token:<id>`). A missing value means no limit of that kind.
enum Migration0003Limits {
    static let migration = Migration(version: 3, name: "limits", statements: [
        """
        CREATE TABLE rate_limits (
            subject TEXT PRIMARY KEY,
            requests_per_minute BIGINT,
            tokens_per_minute BIGINT,
            token_budget BIGINT,
            budget_period TEXT,
            updated_at BIGINT NOT NULL
        )
        """,
    ])
}
