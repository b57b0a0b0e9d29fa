import Foundation
import Hummingbird
import NIOCore
import NuriCompute
import NuriIdentity

/// `/api/compute`: the computing centre's projects, allocations, decisions, jobs and burn-down.
///
/// | route | scope | who |
/// |---|---|---|
/// | `GET /api/compute/projects`, `GET …/projects/{name}` | read | operators all; members their organisations' |
/// | `POST /api/compute/projects` | admin | operators (a project's tier is the centre's decision) |
/// | `GET /api/compute/allocations[?project=]`, `GET …/allocations/{id}` | read | as projects |
/// | `GET …/allocations/{id}/decisions`, `GET …/allocations/{id}/burndown` | read | as projects |
/// | `POST /api/compute/allocations`, `POST …/allocations/{id}/renew` | write | members of the project's organisation, operators |
/// | `POST …/allocations/{id}/approve`, `deny`, `change`, `revoke`, `sync` | admin | operators |
/// | `GET /api/compute/jobs[?project=]`, `GET …/jobs/{id}` | read | as projects |
/// | `POST /api/compute/jobs`, `POST …/jobs/{id}/cancel` | write | members of the project's organisation, operators |
/// | `POST /api/compute/sync` | admin | operators: take Slurm's job states and usage, expire ended allocations |
///
/// Someone else's project, allocation or job answers 404, as if it did not exist.
struct ComputeRoutes {
    let centre: ComputeCentre
    let identity: IdentityStore
    let bodyLimit: Int

    struct ProjectBody: Decodable {
        let organisation: String
        let name: String
        let tier: String
        let description: String?
    }

    struct AllocationBody: Decodable {
        let project: String
        let gpuHours: Double
        let maxConcurrentGPUs: Int
        let gpuModel: String?
        let justification: String
        let periodDays: Int?

        enum CodingKeys: String, CodingKey {
            case project, justification
            case gpuHours = "gpu_hours"
            case maxConcurrentGPUs = "max_concurrent_gpus"
            case gpuModel = "gpu_model"
            case periodDays = "period_days"
        }
    }

    /// An operator's decision: the reason, and for approve and change the limits to set.
    struct DecisionBody: Decodable {
        var reason: String?
        var gpuHours: Double?
        var maxConcurrentGPUs: Int?
        var gpuModel: String?
        var periodDays: Int?

        init() {}

        enum CodingKeys: String, CodingKey {
            case reason
            case gpuHours = "gpu_hours"
            case maxConcurrentGPUs = "max_concurrent_gpus"
            case gpuModel = "gpu_model"
            case periodDays = "period_days"
        }

        var change: AllocationChange {
            AllocationChange(gpuHours: gpuHours, maxConcurrentGPUs: maxConcurrentGPUs, gpuModel: gpuModel, periodDays: periodDays)
        }
    }

    struct RenewalBody: Decodable {
        let justification: String
        let gpuHours: Double?
        let periodDays: Int?

        enum CodingKeys: String, CodingKey {
            case justification
            case gpuHours = "gpu_hours"
            case periodDays = "period_days"
        }
    }

    struct JobBody: Decodable {
        let project: String
        let name: String
        let gpus: Int
        let timeLimitMinutes: Int
        let command: String

        enum CodingKeys: String, CodingKey {
            case project, name, gpus, command
            case timeLimitMinutes = "time_limit_minutes"
        }
    }

    func add(to api: RouterGroup<NuriRequestContext>) {
        let group = api.group("compute")
        group.get("projects", use: projects)
        group.post("projects", use: createProject)
        group.get("projects/:project", use: project)
        group.get("allocations", use: allocations)
        group.post("allocations", use: requestAllocation)
        group.get("allocations/:id", use: allocation)
        group.get("allocations/:id/decisions", use: decisions)
        group.get("allocations/:id/burndown", use: burnDown)
        group.post("allocations/:id/renew", use: renew)
        group.post("allocations/:id/approve", use: approve)
        group.post("allocations/:id/deny", use: deny)
        group.post("allocations/:id/change", use: change)
        group.post("allocations/:id/revoke", use: revoke)
        group.post("allocations/:id/sync", use: syncAllocation)
        group.get("jobs", use: jobs)
        group.post("jobs", use: submit)
        group.get("jobs/:id", use: job)
        group.post("jobs/:id/cancel", use: cancel)
        group.post("sync", use: sync)
    }

    // MARK: Projects

    @Sendable func projects(_ request: Request, context: NuriRequestContext) async throws -> IdentityRoutes.List<Project> {
        let principal = try context.require(.read)
        return IdentityRoutes.List(data: try await centre.allocations.projects(organisationIDs: Self.organisations(of: principal)))
    }

    @Sendable func createProject(_ request: Request, context: NuriRequestContext) async throws -> EditedResponse<Project> {
        let principal = try context.require(.admin)
        try principal.requireOperator("create compute projects (a project's tier is the centre's decision)")
        let body = try await request.decodeJSON(ProjectBody.self, limit: bodyLimit)
        let organisation = try await identity.organisation(named: body.organisation)
        let project = try await centre.allocations.createProject(name: body.name, tier: try Tier.parse(body.tier), description: body.description ?? "",
                                                                 organisationID: organisation.id, actor: principal.user.id)
        return EditedResponse(status: .created, response: project)
    }

    @Sendable func project(_ request: Request, context: NuriRequestContext) async throws -> Project {
        let principal = try context.require(.read)
        return try await visibleProject(try context.parameters.require("project"), principal)
    }

    // MARK: Allocations

    @Sendable func allocations(_ request: Request, context: NuriRequestContext) async throws -> IdentityRoutes.List<Allocation> {
        let principal = try context.require(.read)
        try await centre.expireDue()
        if let name = request.uri.queryParameters["project"].map(String.init) {
            let project = try await visibleProject(name, principal)
            return IdentityRoutes.List(data: try await centre.allocations.allocations(projectIDs: [project.id]))
        }
        let projectIDs = try await visibleProjectIDs(principal)
        return IdentityRoutes.List(data: try await centre.allocations.allocations(projectIDs: projectIDs))
    }

    @Sendable func requestAllocation(_ request: Request, context: NuriRequestContext) async throws -> EditedResponse<Allocation> {
        let principal = try context.require(.write)
        let body = try await request.decodeJSON(AllocationBody.self, limit: bodyLimit)
        let project = try await visibleProject(body.project, principal)
        let allocation = try await centre.allocations.request(
            AllocationRequest(gpuHours: body.gpuHours, maxConcurrentGPUs: body.maxConcurrentGPUs, gpuModel: body.gpuModel,
                              justification: body.justification, periodDays: body.periodDays ?? 90),
            projectID: project.id, actor: principal.user.id)
        return EditedResponse(status: .created, response: allocation)
    }

    @Sendable func allocation(_ request: Request, context: NuriRequestContext) async throws -> Allocation {
        let principal = try context.require(.read)
        try await centre.expireDue()
        return try await visibleAllocation(context, principal)
    }

    @Sendable func decisions(_ request: Request, context: NuriRequestContext) async throws -> IdentityRoutes.List<AllocationDecision> {
        let principal = try context.require(.read)
        let allocation = try await visibleAllocation(context, principal)
        return IdentityRoutes.List(data: try await centre.allocations.decisions(allocation.id))
    }

    @Sendable func burnDown(_ request: Request, context: NuriRequestContext) async throws -> BurnDown {
        let principal = try context.require(.read)
        try await centre.expireDue()
        let allocation = try await visibleAllocation(context, principal)
        return try await centre.allocations.burnDown(allocation.id)
    }

    @Sendable func renew(_ request: Request, context: NuriRequestContext) async throws -> Allocation {
        let principal = try context.require(.write)
        let allocation = try await visibleAllocation(context, principal)
        let body = try await request.decodeJSON(RenewalBody.self, limit: bodyLimit)
        try await centre.expireDue()
        return try await centre.allocations.requestRenewal(allocation.id, gpuHours: body.gpuHours, periodDays: body.periodDays,
                                                           justification: body.justification, actor: principal.user.id)
    }

    @Sendable func approve(_ request: Request, context: NuriRequestContext) async throws -> Allocation {
        let (principal, allocation, body) = try await decision(request, context, "approve allocations")
        return try await centre.approve(allocation.id, change: body.change, reason: body.reason ?? "", actor: principal.user.id)
    }

    @Sendable func deny(_ request: Request, context: NuriRequestContext) async throws -> Allocation {
        let (principal, allocation, body) = try await decision(request, context, "deny allocations")
        return try await centre.deny(allocation.id, reason: body.reason ?? "", actor: principal.user.id)
    }

    @Sendable func change(_ request: Request, context: NuriRequestContext) async throws -> Allocation {
        let (principal, allocation, body) = try await decision(request, context, "change allocations")
        return try await centre.change(allocation.id, body.change, reason: body.reason ?? "", actor: principal.user.id)
    }

    @Sendable func revoke(_ request: Request, context: NuriRequestContext) async throws -> Allocation {
        let (principal, allocation, body) = try await decision(request, context, "revoke allocations")
        return try await centre.revoke(allocation.id, reason: body.reason ?? "", actor: principal.user.id)
    }

    @Sendable func syncAllocation(_ request: Request, context: NuriRequestContext) async throws -> Allocation {
        let principal = try context.require(.admin)
        try principal.requireOperator("apply allocations to Slurm")
        guard centre.slurm != nil else { throw SlurmError.notConfigured }
        return try await centre.syncAllocation(try await visibleAllocation(context, principal).id)
    }

    /// An operator's decision on an allocation: the admin scope, an operator, and a body that
    /// may be empty (approve needs none).
    func decision(_ request: Request, _ context: NuriRequestContext, _ action: String) async throws -> (Principal, Allocation, DecisionBody) {
        let principal = try context.require(.admin)
        try principal.requireOperator(action)
        let allocation = try await visibleAllocation(context, principal)
        let buffer = try await Self.collect(request, limit: bodyLimit)
        let body = buffer.readableBytes == 0 ? DecisionBody() : try JSONDecoder().decode(DecisionBody.self, from: Data(buffer.readableBytesView))
        return (principal, allocation, body)
    }

    // MARK: Jobs

    @Sendable func jobs(_ request: Request, context: NuriRequestContext) async throws -> IdentityRoutes.List<ComputeJob> {
        let principal = try context.require(.read)
        if let name = request.uri.queryParameters["project"].map(String.init) {
            let project = try await visibleProject(name, principal)
            return IdentityRoutes.List(data: try await centre.jobs.jobs(projectIDs: [project.id]))
        }
        let projectIDs = try await visibleProjectIDs(principal)
        return IdentityRoutes.List(data: try await centre.jobs.jobs(projectIDs: projectIDs))
    }

    @Sendable func submit(_ request: Request, context: NuriRequestContext) async throws -> EditedResponse<ComputeJob> {
        let principal = try context.require(.write)
        let body = try await request.decodeJSON(JobBody.self, limit: bodyLimit)
        let project = try await visibleProject(body.project, principal)
        let job = try await centre.submit(JobRequest(name: body.name, gpus: body.gpus, timeLimitMinutes: body.timeLimitMinutes, command: body.command),
                                          project: project, actor: principal.user.id)
        return EditedResponse(status: .created, response: job)
    }

    @Sendable func job(_ request: Request, context: NuriRequestContext) async throws -> ComputeJob {
        let principal = try context.require(.read)
        return try await visibleJob(context, principal)
    }

    @Sendable func cancel(_ request: Request, context: NuriRequestContext) async throws -> ComputeJob {
        let principal = try context.require(.write)
        return try await centre.cancel(try await visibleJob(context, principal).id)
    }

    @Sendable func sync(_ request: Request, context: NuriRequestContext) async throws -> ComputeCentre.SyncSummary {
        let principal = try context.require(.admin)
        try principal.requireOperator("sync jobs from Slurm")
        return try await centre.sync()
    }

    // MARK: Visibility

    /// The organisations whose projects the caller sees (nil: every one, for operators).
    static func organisations(of principal: Principal) -> [String]? {
        principal.isOperator ? nil : principal.memberships.map(\.organisationID)
    }

    /// The ids of the projects the caller sees (nil: every one, for operators).
    func visibleProjectIDs(_ principal: Principal) async throws -> [String]? {
        guard let organisations = Self.organisations(of: principal) else { return nil }
        return try await centre.allocations.projects(organisationIDs: organisations).map(\.id)
    }

    func visibleProject(_ name: String, _ principal: Principal) async throws -> Project {
        let project = try await centre.allocations.project(name)
        try requireVisible(project, to: principal, else: .notFound(kind: "project", name: name))
        return project
    }

    func visibleAllocation(_ context: NuriRequestContext, _ principal: Principal) async throws -> Allocation {
        let id = try context.parameters.require("id")
        let allocation = try await centre.allocations.allocation(id)
        try requireVisible(try await centre.allocations.project(allocation.projectID), to: principal,
                           else: .notFound(kind: "allocation", name: id))
        return allocation
    }

    func visibleJob(_ context: NuriRequestContext, _ principal: Principal) async throws -> ComputeJob {
        let id = try context.parameters.require("id")
        let job = try await centre.jobs.job(id)
        try requireVisible(try await centre.allocations.project(job.projectID), to: principal, else: .notFound(kind: "job", name: id))
        return job
    }

    /// Operators see every project and what belongs to it; members only their organisation's.
    /// Others get a 404, as for what does not exist.
    func requireVisible(_ project: Project, to principal: Principal, else hidden: ComputeError) throws {
        guard principal.isOperator || principal.role(in: project.organisationID) != nil else { throw hidden }
    }

    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(status: .contentTooLarge, message: "the request body is larger than \(limit) bytes; send less, or raise the server's max_body_size setting",
                           type: "invalid_request_error", code: "body_too_large")
        }
    }
}

extension Project: ResponseEncodable {}
extension Allocation: ResponseEncodable {}
extension AllocationDecision: ResponseEncodable {}
extension BurnDown: ResponseEncodable {}
extension ComputeJob: ResponseEncodable {}
extension ComputeCentre.SyncSummary: ResponseEncodable {}
