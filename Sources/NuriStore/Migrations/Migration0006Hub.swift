/// The hub: repositories (`owner/name`, owned by an organisation or a user), their commits as
/// immutable trees of content-addressed blobs, branches and tags, grants, access requests,
/// LFS upload slots and daily download counts.
///
/// Blob bytes live on disk (`<data dir>/blobs/sha256/…`); `hub_blobs` records the ones whose
/// SHA-256 was checked, and a tree entry may only name a recorded blob. `hub_blob_claims` says
/// which repository proved it has a blob's bytes (by uploading them): knowing a private file's
/// hash is not enough to commit it into another repository and download it from there.
enum Migration0006Hub {
    static let migration = Migration(version: 6, name: "hub", statements: [
        """
        CREATE TABLE hub_repositories (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            owner TEXT NOT NULL,
            name TEXT NOT NULL,
            lookup_key TEXT NOT NULL,
            owner_organisation_id TEXT REFERENCES organisations(id) ON DELETE CASCADE,
            owner_user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
            visibility TEXT NOT NULL,
            sectors TEXT NOT NULL DEFAULT '',
            license TEXT,
            pipeline_tag TEXT,
            library_name TEXT,
            languages TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '',
            base_models TEXT NOT NULL DEFAULT '',
            card_json TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (kind, lookup_key)
        )
        """,
        """
        CREATE TABLE hub_blobs (
            sha256 TEXT PRIMARY KEY,
            size BIGINT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE hub_blob_claims (
            repository_id TEXT NOT NULL REFERENCES hub_repositories(id) ON DELETE CASCADE,
            sha256 TEXT NOT NULL REFERENCES hub_blobs(sha256),
            created_at BIGINT NOT NULL,
            PRIMARY KEY (repository_id, sha256)
        )
        """,
        """
        CREATE TABLE hub_commits (
            id TEXT PRIMARY KEY,
            repository_id TEXT NOT NULL REFERENCES hub_repositories(id) ON DELETE CASCADE,
            parent_id TEXT,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            author_name TEXT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX hub_commits_by_repository ON hub_commits (repository_id, created_at)",
        """
        CREATE TABLE hub_tree_entries (
            commit_id TEXT NOT NULL REFERENCES hub_commits(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL REFERENCES hub_blobs(sha256),
            size BIGINT NOT NULL,
            git_oid TEXT NOT NULL,
            lfs BIGINT NOT NULL,
            PRIMARY KEY (commit_id, path)
        )
        """,
        """
        CREATE TABLE hub_refs (
            repository_id TEXT NOT NULL REFERENCES hub_repositories(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            commit_id TEXT NOT NULL REFERENCES hub_commits(id),
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (repository_id, kind, name)
        )
        """,
        """
        CREATE TABLE hub_grants (
            repository_id TEXT NOT NULL REFERENCES hub_repositories(id) ON DELETE CASCADE,
            subject TEXT NOT NULL,
            granted_by TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (repository_id, subject)
        )
        """,
        "CREATE INDEX hub_grants_by_subject ON hub_grants (subject)",
        """
        CREATE TABLE hub_access_requests (
            id TEXT PRIMARY KEY,
            repository_id TEXT NOT NULL REFERENCES hub_repositories(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            reason TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            decided_by TEXT,
            decided_at BIGINT,
            decision_note TEXT,
            UNIQUE (repository_id, user_id)
        )
        """,
        """
        CREATE TABLE hub_uploads (
            id TEXT PRIMARY KEY,
            repository_id TEXT NOT NULL REFERENCES hub_repositories(id) ON DELETE CASCADE,
            sha256 TEXT NOT NULL,
            size BIGINT NOT NULL,
            user_id TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE hub_downloads (
            repository_id TEXT NOT NULL REFERENCES hub_repositories(id) ON DELETE CASCADE,
            day BIGINT NOT NULL,
            count BIGINT NOT NULL,
            PRIMARY KEY (repository_id, day)
        )
        """,
    ])
}
