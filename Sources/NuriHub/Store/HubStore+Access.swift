import Foundation
import NuriIdentity
import NuriStore
import SQLKit

extension HubStore {
    // MARK: Invitations (private repositories)

    /// Lets the members of `organisation` read a private repository (admins of the owner).
    public func invite(organisation name: String, to id: RepositoryID, kind: RepositoryKind, caller: HubCaller) async throws {
        let repository = try await require(.admin, on: id, kind: kind, caller: caller)
        let at = now()
        let by = caller.principal?.user.name ?? "-"
        try await database.transaction { db in
            guard let row = try await db.raw("SELECT id FROM organisations WHERE LOWER(name) = LOWER(\(bind: name))").first() else {
                throw HubError.invalidInput(param: "org", message: "no organisation named '\(name.prefix(64))'")
            }
            let subject = "org:" + (try row.decode(column: "id", as: String.self))
            try await db.raw("DELETE FROM hub_grants WHERE repository_id = \(bind: repository.id) AND subject = \(bind: subject)").run()
            try await db.raw("""
                INSERT INTO hub_grants (repository_id, subject, granted_by, created_at) VALUES (\(bind: repository.id), \(bind: subject), \(bind: by), \(bind: at))
                """).run()
        }
    }

    /// Withdraws an organisation's invitation.
    public func revokeInvitation(organisation name: String, from id: RepositoryID, kind: RepositoryKind, caller: HubCaller) async throws {
        let repository = try await require(.admin, on: id, kind: kind, caller: caller)
        try await database.transaction { db in
            guard let row = try await db.raw("SELECT id FROM organisations WHERE LOWER(name) = LOWER(\(bind: name))").first() else {
                throw HubError.invalidInput(param: "org", message: "no organisation named '\(name.prefix(64))'")
            }
            let subject = "org:" + (try row.decode(column: "id", as: String.self))
            try await db.raw("DELETE FROM hub_grants WHERE repository_id = \(bind: repository.id) AND subject = \(bind: subject)").run()
        }
    }

    /// The organisations invited to a repository, by name.
    public func invitedOrganisations(_ repository: Repository) async throws -> [String] {
        try await database.read { db in
            try await db.raw("""
                SELECT o.name FROM hub_grants g JOIN organisations o ON g.subject = 'org:' || o.id
                WHERE g.repository_id = \(bind: repository.id) ORDER BY o.name
                """).all().map { try $0.decode(column: "name", as: String.self) }
        }
    }

    // MARK: Access requests (gated repositories)

    /// Asks for the files of a gated repository. Asking again while pending updates the reason;
    /// asking after a rejection opens a new request.
    public func requestAccess(to id: RepositoryID, kind: RepositoryKind, reason: String, caller: HubCaller) async throws -> AccessRequest {
        guard let principal = caller.principal else {
            throw HubError.unauthenticated("sign in to ask for access: send `Authorization: Bearer nuri_…`")
        }
        let (repository, level) = try await access(id, kind: kind, caller: caller)
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...2000).contains(text.count) else {
            throw HubError.invalidInput(param: "reason", message: "say why you need access (1–2000 characters)")
        }
        guard repository.visibility == .gated else {
            throw HubError.invalidInput(param: "repo", message: "\(id) is not gated: \(level >= .read ? "you can download it already" : "access is not requested this way")")
        }
        let at = now()
        try await database.transaction { db in
            if let row = try await db.raw("""
                SELECT status FROM hub_access_requests WHERE repository_id = \(bind: repository.id) AND user_id = \(bind: principal.user.id)
                """).first() {
                let status = try row.decode(column: "status", as: String.self)
                if status == AccessRequest.Status.accepted.rawValue { return }
                try await db.raw("""
                    UPDATE hub_access_requests SET reason = \(bind: text), status = 'pending', created_at = \(bind: at),
                        decided_by = NULL, decided_at = NULL, decision_note = NULL
                    WHERE repository_id = \(bind: repository.id) AND user_id = \(bind: principal.user.id)
                    """).run()
            } else {
                try await db.raw("""
                    INSERT INTO hub_access_requests (id, repository_id, user_id, reason, status, created_at)
                    VALUES (\(bind: "acr_" + Self.randomID()), \(bind: repository.id), \(bind: principal.user.id), \(bind: text), 'pending', \(bind: at))
                    """).run()
            }
        }
        return try await request(of: principal.user.id, in: repository)
    }

    /// Decides a user's request (admins of the owner). Accepting grants access at once; a user
    /// who never asked can be accepted too (the Hub's "grant access").
    public func decideAccess(to id: RepositoryID, kind: RepositoryKind, user userName: String, status: AccessRequest.Status, note: String?,
                             caller: HubCaller) async throws -> AccessRequest {
        let repository = try await require(.admin, on: id, kind: kind, caller: caller)
        let at = now()
        let by = caller.principal?.user.name ?? "-"
        let userID: String = try await database.transaction { db in
            guard let row = try await db.raw("SELECT id FROM users WHERE LOWER(name) = LOWER(\(bind: userName))").first() else {
                throw HubError.invalidInput(param: "user", message: "no user named '\(userName.prefix(64))'")
            }
            let userID = try row.decode(column: "id", as: String.self)
            let existing = try await db.raw("""
                SELECT id FROM hub_access_requests WHERE repository_id = \(bind: repository.id) AND user_id = \(bind: userID)
                """).first()
            if existing == nil {
                try await db.raw("""
                    INSERT INTO hub_access_requests (id, repository_id, user_id, reason, status, created_at)
                    VALUES (\(bind: "acr_" + Self.randomID()), \(bind: repository.id), \(bind: userID), 'granted by an admin', 'pending', \(bind: at))
                    """).run()
            }
            try await db.raw("""
                UPDATE hub_access_requests SET status = \(bind: status.rawValue), decided_by = \(bind: status == .pending ? nil : by),
                    decided_at = \(bind: status == .pending ? nil : at), decision_note = \(bind: note)
                WHERE repository_id = \(bind: repository.id) AND user_id = \(bind: userID)
                """).run()
            let subject = "user:" + userID
            try await db.raw("DELETE FROM hub_grants WHERE repository_id = \(bind: repository.id) AND subject = \(bind: subject)").run()
            if status == .accepted {
                try await db.raw("""
                    INSERT INTO hub_grants (repository_id, subject, granted_by, created_at) VALUES (\(bind: repository.id), \(bind: subject), \(bind: by), \(bind: at))
                    """).run()
            }
            return userID
        }
        return try await request(of: userID, in: repository)
    }

    /// The request of one user, just written.
    func request(of userID: String, in repository: Repository) async throws -> AccessRequest {
        guard let found = try await accessRequests(repository).first(where: { $0.userID == userID }) else {
            throw HubError.conflict("the access request changed while it was being written; try again")
        }
        return found
    }

    /// A repository's access requests, newest first, optionally of one status.
    public func accessRequests(_ repository: Repository, status: AccessRequest.Status? = nil) async throws -> [AccessRequest] {
        try await database.read { db in
            try await db.raw("""
                SELECT r.id, r.repository_id, r.user_id, u.name AS user_name, r.reason, r.status, r.created_at, r.decided_by, r.decided_at, r.decision_note
                FROM hub_access_requests r JOIN users u ON u.id = r.user_id
                WHERE r.repository_id = \(bind: repository.id) ORDER BY r.created_at DESC, r.id
                """).all().map { row in
                AccessRequest(
                    id: try row.decode(column: "id", as: String.self), repositoryID: try row.decode(column: "repository_id", as: String.self),
                    userID: try row.decode(column: "user_id", as: String.self), userName: try row.decode(column: "user_name", as: String.self),
                    reason: try row.decode(column: "reason", as: String.self),
                    status: AccessRequest.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
                    createdAt: try row.decode(column: "created_at", as: Int.self), decidedBy: try row.decode(column: "decided_by", as: String?.self),
                    decidedAt: try row.decode(column: "decided_at", as: Int?.self), decisionNote: try row.decode(column: "decision_note", as: String?.self))
            }.filter { status == nil || $0.status == status }
        }
    }

    // MARK: LFS upload slots

    /// An upload slot for one large file: its id is the secret in the signed URL the client PUTs
    /// to without a token.
    public struct UploadSlot: Sendable {
        public let id: String
        public let repositoryID: String
        public let sha256: String
        public let size: Int
        public let expiresAt: Int
    }

    /// Opens a slot for `sha256`/`size` in a repository the caller may write to.
    public func openUpload(sha256: String, size: Int, in repository: Repository, caller: HubCaller) async throws -> UploadSlot {
        let at = now()
        let slot = UploadSlot(id: Self.randomID() + Self.randomID(), repositoryID: repository.id, sha256: sha256.lowercased(), size: size,
                              expiresAt: at + Self.uploadLifetime)
        try await database.transaction { db in
            try await db.raw("DELETE FROM hub_uploads WHERE expires_at < \(bind: at)").run()
            try await db.raw("""
                INSERT INTO hub_uploads (id, repository_id, sha256, size, user_id, created_at, expires_at)
                VALUES (\(bind: slot.id), \(bind: repository.id), \(bind: slot.sha256), \(bind: size), \(bind: caller.userID ?? "-"), \(bind: at), \(bind: slot.expiresAt))
                """).run()
        }
        return slot
    }

    /// The slot with this id if it exists and has not expired.
    public func upload(_ id: String) async throws -> UploadSlot? {
        let at = now()
        return try await database.read { db in
            try await db.raw("SELECT id, repository_id, sha256, size, expires_at FROM hub_uploads WHERE id = \(bind: id) AND expires_at >= \(bind: at)")
                .first().map { row in
                    UploadSlot(id: try row.decode(column: "id", as: String.self), repositoryID: try row.decode(column: "repository_id", as: String.self),
                               sha256: try row.decode(column: "sha256", as: String.self), size: try row.decode(column: "size", as: Int.self),
                               expiresAt: try row.decode(column: "expires_at", as: Int.self))
                }
        }
    }

    /// Closes a slot once its blob is stored.
    public func closeUpload(_ id: String) async throws {
        try await database.read { db in try await db.raw("DELETE FROM hub_uploads WHERE id = \(bind: id)").run() }
    }
}
