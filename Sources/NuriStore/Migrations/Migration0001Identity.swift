/// Identity: organisations (with their sector), users, memberships (with a role) and API tokens.
///
/// Ids are text (`org_…`, `usr_…`, `tok_…`) made by the application, so both engines share
/// the DDL. Times are Unix seconds (`BIGINT`). Booleans are `BIGINT` 0/1.
enum Migration0001Identity {
    static let migration = Migration(version: 1, name: "identity", statements: [
        """
        CREATE TABLE organisations (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            sector TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            is_operator BIGINT NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE memberships (
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (user_id, organisation_id)
        )
        """,
        "CREATE INDEX memberships_by_organisation ON memberships (organisation_id)",
        """
        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            organisation_id TEXT REFERENCES organisations(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            prefix TEXT NOT NULL UNIQUE,
            secret_hash TEXT NOT NULL,
            scopes TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT,
            last_used_at BIGINT,
            revoked_at BIGINT
        )
        """,
        "CREATE INDEX api_tokens_by_user ON api_tokens (user_id)",
    ])
}
