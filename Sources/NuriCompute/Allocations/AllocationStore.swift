import Foundation
import NuriStore
import SQLKit

/// Projects, allocations and their decisions in the database.
///
/// Every change is one transaction that re-reads the allocation, checks the transition against
/// ``AllocationStatus/after(_:)``, writes the new state and the decision that explains it: a
/// refused action changes nothing, and no state is written without its decision.
public struct AllocationStore: Sendable {
    let database: Database
    /// The clock, in Unix seconds; tests move it to check periods and expiry.
    let now: @Sendable () -> Int

    public init(database: Database, now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.database = database
        self.now = now
    }

    // MARK: Projects

    /// Creates a project of an organisation. Its name becomes its Slurm account, so it must be
    /// a valid ``SlurmName`` and unique among projects.
    public func createProject(name: String, tier: Tier, description: String, organisationID: String, actor: String) async throws -> Project {
        try SlurmName.validateProject(name)
        let description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard description.count <= 2_000 else {
            throw ComputeError.invalidInput(param: "description", message: "description must be at most 2000 characters")
        }
        let at = now()
        let id = RecordIdentifier.make("prj")
        return try await database.transaction { db in
            if try await db.raw("SELECT id FROM compute_projects WHERE name = \(bind: name)").first() != nil {
                throw ComputeError.conflict("a project named '\(name)' already exists; project names are Slurm account names and must be unique")
            }
            guard let organisation = try await db.raw("SELECT name FROM organisations WHERE id = \(bind: organisationID)").first() else {
                throw ComputeError.notFound(kind: "organisation", name: organisationID)
            }
            try await db.raw("""
                INSERT INTO compute_projects (id, organisation_id, name, tier, description, created_by, created_at)
                VALUES (\(bind: id), \(bind: organisationID), \(bind: name), \(bind: tier.rawValue), \(bind: description), \(bind: actor), \(bind: at))
                """).run()
            return Project(id: id, organisationID: organisationID, organisation: try organisation.decode(column: "name", as: String.self),
                           name: name, tier: tier, description: description, createdBy: actor, createdAt: at)
        }
    }

    /// Projects by name: all, or those of the given organisations.
    public func projects(organisationIDs: [String]? = nil) async throws -> [Project] {
        try await database.read { db in
            var query = SQLQueryString("\(unsafeRaw: Self.projectSelect)")
            if let organisationIDs {
                guard !organisationIDs.isEmpty else { return [] }
                query.appendInterpolation(unsafeRaw: " WHERE p.organisation_id IN (")
                for (index, id) in organisationIDs.enumerated() {
                    if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
                    query.appendInterpolation(bind: id)
                }
                query.appendInterpolation(unsafeRaw: ")")
            }
            query.appendInterpolation(unsafeRaw: " ORDER BY p.name")
            return try await db.raw(query).all().map(Self.project)
        }
    }

    /// The project with this name (or id), or 404.
    public func project(_ nameOrID: String) async throws -> Project {
        let found = try await database.read { db in try await Self.project(nameOrID, db) }
        guard let found else { throw ComputeError.notFound(kind: "project", name: nameOrID) }
        return found
    }

    // MARK: Allocations

    /// Records a project's request for an allocation (status `new`). A project has at most one
    /// open allocation (new, active or renewal requested): ask for a renewal or a change instead.
    public func request(_ request: AllocationRequest, projectID: String, actor: String) async throws -> Allocation {
        try request.validate()
        let at = now()
        let id = RecordIdentifier.make("alc")
        return try await database.transaction { db in
            guard let project = try await Self.project(projectID, db) else { throw ComputeError.notFound(kind: "project", name: projectID) }
            if let open = try await Self.openAllocation(projectID: project.id, db) {
                throw ComputeError.conflict("project '\(project.name)' already has an open allocation '\(open.id)' (\(open.status.rawValue)); "
                                            + "ask for a renewal or a change of it instead")
            }
            try await db.raw("""
                INSERT INTO compute_allocations (id, project_id, status, gpu_hours, max_concurrent_gpus, gpu_model, justification, period_days,
                                                 period_start, period_end, renewal_gpu_hours, renewal_period_days, requested_by, created_at,
                                                 updated_at, slurm_synced_at, slurm_error)
                VALUES (\(bind: id), \(bind: project.id), \(bind: AllocationStatus.new.rawValue), \(bind: request.gpuHours),
                        \(bind: request.maxConcurrentGPUs), \(bind: request.gpuModel), \(bind: request.justification), \(bind: request.periodDays),
                        \(bind: Int?.none), \(bind: Int?.none), \(bind: Double?.none), \(bind: Int?.none), \(bind: actor), \(bind: at), \(bind: at),
                        \(bind: Int?.none), \(bind: String?.none))
                """).run()
            let changes = [
                AllocationDecision.FieldChange(field: "gpu_hours", from: nil, to: Self.text(request.gpuHours)),
                .init(field: "max_concurrent_gpus", from: nil, to: String(request.maxConcurrentGPUs)),
                .init(field: "gpu_model", from: nil, to: request.gpuModel ?? "any"),
                .init(field: "period_days", from: nil, to: String(request.periodDays)),
            ]
            try await Self.record(id, .request, from: nil, to: .new, changes: changes, reason: request.justification, actor: actor, at: at, db)
            return try await Self.allocation(id, now: at, db)!
        }
    }

    /// A project member asks for another period (of `periodDays`, with `gpuHours` if given).
    public func requestRenewal(_ id: String, gpuHours: Double?, periodDays: Int?, justification: String, actor: String) async throws -> Allocation {
        try AllocationChange(gpuHours: gpuHours, periodDays: periodDays).validate()
        let reason = justification.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 4_000 else {
            throw ComputeError.invalidInput(param: "justification", message: "justification is required (1–4000 characters): say why the project needs another period")
        }
        return try await transition(id, .requestRenewal, reason: reason, actor: actor) { allocation, _ in
            var changes: [AllocationDecision.FieldChange] = []
            if let gpuHours {
                changes.append(.init(field: "renewal_gpu_hours", from: nil, to: Self.text(gpuHours)))
                allocation.renewalGPUHours = gpuHours
            }
            if let periodDays {
                changes.append(.init(field: "renewal_period_days", from: nil, to: String(periodDays)))
                allocation.renewalPeriodDays = periodDays
            }
            return changes
        }
    }

    /// An operator grants an allocation or its renewal: the period starts now, with the limits
    /// asked for (a renewal's, if it asked for others) and any `change` the operator makes.
    public func approve(_ id: String, change: AllocationChange = AllocationChange(), reason: String, actor: String) async throws -> Allocation {
        try change.validate()
        return try await transition(id, .approve, reason: reason.isEmpty ? "approved" : reason, actor: actor) { allocation, at in
            var changes: [AllocationDecision.FieldChange] = []
            if let hours = allocation.renewalGPUHours { Self.set(&allocation.gpuHours, hours, "gpu_hours", &changes) }
            if let days = allocation.renewalPeriodDays { Self.set(&allocation.periodDays, days, "period_days", &changes) }
            allocation.renewalGPUHours = nil
            allocation.renewalPeriodDays = nil
            Self.apply(change, to: &allocation, &changes)
            let start = at
            let end = at + allocation.periodDays * 86_400
            changes.append(.init(field: "period_start", from: allocation.periodStart.map(String.init), to: String(start)))
            changes.append(.init(field: "period_end", from: allocation.periodEnd.map(String.init), to: String(end)))
            allocation.periodStart = start
            allocation.periodEnd = end
            return changes
        }
    }

    /// An operator refuses an allocation (it becomes `denied`) or its renewal (it stays active
    /// to the end of its period).
    public func deny(_ id: String, reason: String, actor: String) async throws -> Allocation {
        let reason = try Self.requireReason(reason)
        return try await transition(id, .deny, reason: reason, actor: actor) { allocation, _ in
            var changes: [AllocationDecision.FieldChange] = []
            if allocation.renewalGPUHours != nil || allocation.renewalPeriodDays != nil {
                changes.append(.init(field: "renewal", from: "requested", to: "refused"))
            }
            allocation.renewalGPUHours = nil
            allocation.renewalPeriodDays = nil
            return changes
        }
    }

    /// An operator changes an open allocation's limits or period length.
    public func change(_ id: String, _ change: AllocationChange, reason: String, actor: String) async throws -> Allocation {
        try change.validate()
        guard !change.isEmpty else {
            throw ComputeError.invalidInput(param: "gpu_hours", message: "say what to change: gpu_hours, max_concurrent_gpus, gpu_model or period_days")
        }
        let reason = try Self.requireReason(reason)
        return try await transition(id, .change, reason: reason, actor: actor) { allocation, _ in
            var changes: [AllocationDecision.FieldChange] = []
            Self.apply(change, to: &allocation, &changes)
            if let start = allocation.periodStart, change.periodDays != nil {
                let end = start + allocation.periodDays * 86_400
                changes.append(.init(field: "period_end", from: allocation.periodEnd.map(String.init), to: String(end)))
                allocation.periodEnd = end
            }
            return changes
        }
    }

    /// An operator withdraws a running allocation: no new jobs may be submitted or started.
    public func revoke(_ id: String, reason: String, actor: String) async throws -> Allocation {
        let reason = try Self.requireReason(reason)
        return try await transition(id, .revoke, reason: reason, actor: actor) { _, _ in [] }
    }

    /// Expires every running allocation whose period has ended; returns those it expired.
    @discardableResult
    public func expireDue() async throws -> [Allocation] {
        let at = now()
        let due = try await database.read { db in
            try await db.raw("""
                SELECT id FROM compute_allocations
                WHERE status IN ('active', 'renewal_requested') AND period_end IS NOT NULL AND period_end <= \(bind: at)
                """).all().map { try $0.decode(column: "id", as: String.self) }
        }
        var expired: [Allocation] = []
        for id in due {
            do {
                expired.append(try await transition(id, .expire, reason: "the period ended", actor: "system") { _, _ in [] })
            } catch ComputeError.invalidTransition {
                continue  // changed meanwhile (renewed, revoked): nothing to expire
            }
        }
        return expired
    }

    /// One allocation with its current period's use, or 404.
    public func allocation(_ id: String) async throws -> Allocation {
        let at = now()
        let found = try await database.read { db in try await Self.allocation(id, now: at, db) }
        guard let found else { throw ComputeError.notFound(kind: "allocation", name: id) }
        return found
    }

    /// Allocations, newest first: all, or those of the given projects.
    public func allocations(projectIDs: [String]? = nil) async throws -> [Allocation] {
        let at = now()
        return try await database.read { db in
            var query = SQLQueryString("SELECT id FROM compute_allocations")
            if let projectIDs {
                guard !projectIDs.isEmpty else { return [] }
                query.appendInterpolation(unsafeRaw: " WHERE project_id IN (")
                for (index, id) in projectIDs.enumerated() {
                    if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
                    query.appendInterpolation(bind: id)
                }
                query.appendInterpolation(unsafeRaw: ")")
            }
            query.appendInterpolation(unsafeRaw: " ORDER BY created_at DESC, id")
            var result: [Allocation] = []
            for row in try await db.raw(query).all() {
                if let allocation = try await Self.allocation(try row.decode(column: "id", as: String.self), now: at, db) { result.append(allocation) }
            }
            return result
        }
    }

    /// The project's open allocation (new, active or renewal requested), if any.
    public func openAllocation(projectID: String) async throws -> Allocation? {
        let at = now()
        return try await database.read { db in
            guard let open = try await Self.openAllocation(projectID: projectID, db) else { return nil }
            return try await Self.allocation(open.id, now: at, db)
        }
    }

    /// Every decision about an allocation, oldest first.
    public func decisions(_ allocationID: String) async throws -> [AllocationDecision] {
        _ = try await allocation(allocationID)
        return try await database.read { db in
            try await db.raw("SELECT * FROM compute_decisions WHERE allocation_id = \(bind: allocationID) ORDER BY seq")
                .all().map(Self.decision)
        }
    }

    /// The allocation's use in its current period, by day.
    public func burnDown(_ allocationID: String) async throws -> BurnDown {
        let allocation = try await allocation(allocationID)
        let charges = try await database.read { db in
            try await db.raw("SELECT charged_at, gpu_seconds FROM compute_charges WHERE allocation_id = \(bind: allocationID) ORDER BY charged_at")
                .all().map { (at: try $0.decode(column: "charged_at", as: Int.self), gpuSeconds: try $0.decode(column: "gpu_seconds", as: Int.self)) }
        }
        return BurnDown.build(allocation: allocation, charges: charges, now: now())
    }

    /// Notes whether Slurm took the allocation's state (nil error) or why it did not.
    public func recordSlurmSync(_ allocationID: String, error: String?) async throws {
        let at = now()
        try await database.transaction { db in
            if let error {
                try await db.raw("UPDATE compute_allocations SET slurm_error = \(bind: String(error.prefix(2_000))) WHERE id = \(bind: allocationID)").run()
            } else {
                try await db.raw("""
                    UPDATE compute_allocations SET slurm_synced_at = \(bind: at), slurm_error = \(bind: String?.none) WHERE id = \(bind: allocationID)
                    """).run()
            }
        }
    }

    // MARK: Transitions

    /// Runs one action on an allocation in a transaction: checks the transition, lets `edit`
    /// change the allocation (returning what changed), writes it and records the decision.
    private func transition(_ id: String, _ action: AllocationAction, reason: String, actor: String,
                            edit: @escaping @Sendable (inout Allocation, Int) -> [AllocationDecision.FieldChange]) async throws -> Allocation {
        let at = now()
        return try await database.transaction { db in
            guard var allocation = try await Self.allocation(id, now: at, db) else { throw ComputeError.notFound(kind: "allocation", name: id) }
            let from = allocation.status
            guard let to = from.after(action) else { throw ComputeError.invalidTransition(allocation: id, from: from, action: action) }
            var changes = edit(&allocation, at)
            if from != to { changes.insert(.init(field: "status", from: from.rawValue, to: to.rawValue), at: 0) }
            allocation.status = to
            try await db.raw("""
                UPDATE compute_allocations SET status = \(bind: to.rawValue), gpu_hours = \(bind: allocation.gpuHours),
                    max_concurrent_gpus = \(bind: allocation.maxConcurrentGPUs), gpu_model = \(bind: allocation.gpuModel),
                    period_days = \(bind: allocation.periodDays), period_start = \(bind: allocation.periodStart),
                    period_end = \(bind: allocation.periodEnd), renewal_gpu_hours = \(bind: allocation.renewalGPUHours),
                    renewal_period_days = \(bind: allocation.renewalPeriodDays), updated_at = \(bind: at)
                WHERE id = \(bind: id) AND status = \(bind: from.rawValue)
                """).run()
            try await Self.record(id, action, from: from, to: to, changes: changes, reason: reason, actor: actor, at: at, db)
            return try await Self.allocation(id, now: at, db)!
        }
    }

    private static func apply(_ change: AllocationChange, to allocation: inout Allocation, _ changes: inout [AllocationDecision.FieldChange]) {
        if let value = change.gpuHours { set(&allocation.gpuHours, value, "gpu_hours", &changes) }
        if let value = change.maxConcurrentGPUs { set(&allocation.maxConcurrentGPUs, value, "max_concurrent_gpus", &changes) }
        if let value = change.gpuModel, value != allocation.gpuModel {
            changes.append(.init(field: "gpu_model", from: allocation.gpuModel ?? "any", to: value))
            allocation.gpuModel = value
        }
        if let value = change.periodDays { set(&allocation.periodDays, value, "period_days", &changes) }
    }

    private static func set<T: Equatable & CustomStringConvertible>(_ field: inout T, _ value: T, _ name: String,
                                                                    _ changes: inout [AllocationDecision.FieldChange]) {
        guard field != value else { return }
        changes.append(.init(field: name, from: text(field), to: text(value)))
        field = value
    }

    static func text(_ value: some CustomStringConvertible) -> String {
        if let double = value as? Double, double.rounded() == double, abs(double) < 1e15 { return String(Int(double)) }
        return value.description
    }

    static func requireReason(_ reason: String) throws(ComputeError) -> String {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 2_000 else {
            throw .invalidInput(param: "reason", message: "reason is required (1–2000 characters): it is recorded with the decision")
        }
        return reason
    }

    // MARK: Rows

    static let projectSelect = """
        SELECT p.id, p.organisation_id, o.name AS organisation, p.name, p.tier, p.description, p.created_by, p.created_at
        FROM compute_projects p JOIN organisations o ON o.id = p.organisation_id
        """

    static func project(_ row: any SQLRow) throws -> Project {
        Project(id: try row.decode(column: "id", as: String.self),
                organisationID: try row.decode(column: "organisation_id", as: String.self),
                organisation: try row.decode(column: "organisation", as: String.self),
                name: try row.decode(column: "name", as: String.self),
                tier: try Tier.parse(try row.decode(column: "tier", as: String.self)),
                description: try row.decode(column: "description", as: String.self),
                createdBy: try row.decode(column: "created_by", as: String.self),
                createdAt: try row.decode(column: "created_at", as: Int.self))
    }

    static func project(_ nameOrID: String, _ db: any SQLDatabase) async throws -> Project? {
        try await db.raw("\(unsafeRaw: projectSelect) WHERE p.name = \(bind: nameOrID) OR p.id = \(bind: nameOrID)").first().map(project)
    }

    static func openAllocation(projectID: String, _ db: any SQLDatabase) async throws -> (id: String, status: AllocationStatus)? {
        guard let row = try await db.raw("""
            SELECT id, status FROM compute_allocations
            WHERE project_id = \(bind: projectID) AND status IN ('new', 'active', 'renewal_requested')
            ORDER BY created_at DESC LIMIT 1
            """).first() else { return nil }
        return (try row.decode(column: "id", as: String.self),
                AllocationStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .new)
    }

    static func allocation(_ id: String, now: Int, _ db: any SQLDatabase) async throws -> Allocation? {
        guard let row = try await db.raw("""
            SELECT a.*, p.name AS project_name FROM compute_allocations a JOIN compute_projects p ON p.id = a.project_id
            WHERE a.id = \(bind: id)
            """).first() else { return nil }
        let periodStart = try row.decode(column: "period_start", as: Int?.self)
        let used = try await db.raw("""
            SELECT CAST(COALESCE(SUM(gpu_seconds), 0) AS BIGINT) AS used FROM compute_charges
            WHERE allocation_id = \(bind: id) AND charged_at >= \(bind: periodStart ?? 0)
            """).first()?.decode(column: "used", as: Int.self) ?? 0
        return Allocation(
            id: try row.decode(column: "id", as: String.self),
            projectID: try row.decode(column: "project_id", as: String.self),
            project: try row.decode(column: "project_name", as: String.self),
            status: AllocationStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .new,
            gpuHours: try row.decode(column: "gpu_hours", as: Double.self),
            maxConcurrentGPUs: try row.decode(column: "max_concurrent_gpus", as: Int.self),
            gpuModel: try row.decode(column: "gpu_model", as: String?.self),
            justification: try row.decode(column: "justification", as: String.self),
            periodDays: try row.decode(column: "period_days", as: Int.self),
            periodStart: periodStart,
            periodEnd: try row.decode(column: "period_end", as: Int?.self),
            renewalGPUHours: try row.decode(column: "renewal_gpu_hours", as: Double?.self),
            renewalPeriodDays: try row.decode(column: "renewal_period_days", as: Int?.self),
            requestedBy: try row.decode(column: "requested_by", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int.self),
            updatedAt: try row.decode(column: "updated_at", as: Int.self),
            usedGPUHours: Double(used) / 3_600,
            slurmSyncedAt: try row.decode(column: "slurm_synced_at", as: Int?.self),
            slurmError: try row.decode(column: "slurm_error", as: String?.self))
    }

    static func record(_ allocationID: String, _ action: AllocationAction, from: AllocationStatus?, to: AllocationStatus,
                       changes: [AllocationDecision.FieldChange], reason: String, actor: String, at: Int, _ db: any SQLDatabase) async throws {
        let encoded = String(decoding: try JSONEncoder().encode(changes), as: UTF8.self)
        // Decisions are numbered per allocation: several may fall in one second.
        let seq = try await db.raw("SELECT COUNT(*) AS n FROM compute_decisions WHERE allocation_id = \(bind: allocationID)")
            .first()?.decode(column: "n", as: Int.self) ?? 0
        try await db.raw("""
            INSERT INTO compute_decisions (id, allocation_id, seq, action, from_status, to_status, changes, reason, actor, created_at)
            VALUES (\(bind: RecordIdentifier.make("dcn")), \(bind: allocationID), \(bind: seq + 1), \(bind: action.rawValue), \(bind: from?.rawValue),
                    \(bind: to.rawValue), \(bind: encoded), \(bind: reason), \(bind: actor), \(bind: at))
            """).run()
    }

    static func decision(_ row: any SQLRow) throws -> AllocationDecision {
        let changes = try row.decode(column: "changes", as: String.self)
        return AllocationDecision(
            id: try row.decode(column: "id", as: String.self),
            allocationID: try row.decode(column: "allocation_id", as: String.self),
            action: AllocationAction(rawValue: try row.decode(column: "action", as: String.self)) ?? .change,
            fromStatus: try row.decode(column: "from_status", as: String?.self).flatMap(AllocationStatus.init(rawValue:)),
            toStatus: AllocationStatus(rawValue: try row.decode(column: "to_status", as: String.self)) ?? .new,
            changes: (try? JSONDecoder().decode([AllocationDecision.FieldChange].self, from: Data(changes.utf8))) ?? [],
            reason: try row.decode(column: "reason", as: String.self),
            actor: try row.decode(column: "actor", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int.self))
    }
}
