import ArgumentParser
import Foundation
import NuriCompute

/// `nuri compute allocation …`
struct ComputeAllocationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocation",
        abstract: "Request, approve, deny, change, renew and revoke GPU allocations; see decisions and burn-down.",
        discussion: """
            Statuses (as ColdFront names them): new → active (approve) or denied (deny);
            active → renewal_requested (renew) → active (approve: a new period);
            active → revoked (revoke) or expired (at the period's end). With a Slurm cluster
            configured (--slurm-conf), each decision is applied to its accounts and QOS at once.

            Example:
              nuri compute allocation request --project ko-llm --gpu-hours 50000 --max-gpus 256 --gpu-model h100 \\
                --days 90 --justification "pretraining a 7B Korean model"
              nuri compute allocation approve alc_… --reason "national priority"
              nuri compute allocation burndown alc_…
            """,
        subcommands: [Request.self, List.self, Show.self, Approve.self, Deny.self, Change.self, Renew.self, Revoke.self,
                      Decisions.self, BurnDownCommand.self, Sync.self]
    )

    static func printTable(_ allocations: [Allocation]) {
        Table.print(headers: ["ID", "PROJECT", "STATUS", "GPU-HOURS", "USED", "MAX GPUS", "MODEL", "ENDS", "SLURM"], rows: allocations.map {
            [$0.id, $0.project, $0.status.rawValue, hours($0.gpuHours), hours($0.usedGPUHours), String($0.maxConcurrentGPUs), $0.gpuModel ?? "any",
             Table.time($0.periodEnd), $0.slurmError.map { "error: \($0)" } ?? ($0.slurmSyncedAt == nil ? "-" : "applied")]
        })
    }

    static func hours(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Prints an allocation after a decision, and Slurm's trouble if applying it failed.
    static func report(_ allocation: Allocation, _ verb: String, json: Bool) throws {
        if json { return try Table.printJSON(allocation) }
        print("\(verb) allocation \(allocation.id) of \(allocation.project): now \(allocation.status.rawValue).")
        if let error = allocation.slurmError {
            print("Slurm did not take it: \(error)\nFix the cluster, then: nuri compute allocation sync \(allocation.id)")
        }
    }

    struct Limits: ParsableArguments {
        @Option(name: .customLong("gpu-hours"), help: "GPU-hours for the period.") var gpuHours: Double?
        @Option(name: .customLong("max-gpus"), help: "GPUs the project may hold at once.") var maxGPUs: Int?
        @Option(name: .customLong("gpu-model"), help: "GPU model (h100, h200, b200; default any).") var gpuModel: String?
        @Option(help: "Length of the period in days, from approval.") var days: Int?

        var change: AllocationChange { AllocationChange(gpuHours: gpuHours, maxConcurrentGPUs: maxGPUs, gpuModel: gpuModel, periodDays: days) }
    }

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Request an allocation for a project (status new).")

        @Option(help: "The project.") var project: String
        @OptionGroup var limits: Limits
        @Option(help: "What the GPUs are for.") var justification: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            guard let gpuHours = limits.gpuHours, let maxGPUs = limits.maxGPUs else {
                throw CLIError("give --gpu-hours and --max-gpus")
            }
            let request = AllocationRequest(gpuHours: gpuHours, maxConcurrentGPUs: maxGPUs, gpuModel: limits.gpuModel,
                                            justification: justification, periodDays: limits.days ?? 90)
            let allocation = try await options.withCentre { centre, _ in
                try await centre.allocations.request(request, projectID: try await centre.allocations.project(project).id, actor: commandLineActor)
            }
            try report(allocation, "Requested", json: json)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List allocations, newest first.")

        @Option(help: "Only this project's.") var project: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let allocations = try await options.withCentre { centre, _ in
                try await centre.expireDue()
                guard let project else { return try await centre.allocations.allocations() }
                return try await centre.allocations.allocations(projectIDs: [try await centre.allocations.project(project).id])
            }
            if json { return try Table.printJSON(allocations) }
            printTable(allocations)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one allocation (JSON).")

        @Argument(help: "The allocation id (alc_…).") var id: String
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            try Table.printJSON(try await options.withCentre { centre, _ in
                try await centre.expireDue()
                return try await centre.allocations.allocation(id)
            })
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a new allocation or a renewal: its period starts now (limits may be changed at once).")

        @Argument(help: "The allocation id.") var id: String
        @OptionGroup var limits: Limits
        @Option(help: "Why (recorded with the decision).") var reason: String = ""
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let allocation = try await options.withCentre { centre, _ in
                try await centre.approve(id, change: limits.change, reason: reason, actor: commandLineActor)
            }
            try report(allocation, "Approved", json: json)
        }
    }

    struct Deny: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deny a new allocation, or a renewal (the allocation then runs to its end).")

        @Argument(help: "The allocation id.") var id: String
        @Option(help: "Why (required; recorded).") var reason: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let allocation = try await options.withCentre { centre, _ in try await centre.deny(id, reason: reason, actor: commandLineActor) }
            try report(allocation, "Denied", json: json)
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an open allocation's limits or period length.")

        @Argument(help: "The allocation id.") var id: String
        @OptionGroup var limits: Limits
        @Option(help: "Why (required; recorded).") var reason: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let allocation = try await options.withCentre { centre, _ in
                try await centre.change(id, limits.change, reason: reason, actor: commandLineActor)
            }
            try report(allocation, "Changed", json: json)
        }
    }

    struct Renew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Request another period for an active or expired allocation.")

        @Argument(help: "The allocation id.") var id: String
        @Option(name: .customLong("gpu-hours"), help: "GPU-hours for the new period (default: as now).") var gpuHours: Double?
        @Option(help: "Days of the new period (default: as now).") var days: Int?
        @Option(help: "Why the project needs it.") var justification: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let allocation = try await options.withCentre { centre, _ in
                try await centre.expireDue()
                return try await centre.allocations.requestRenewal(id, gpuHours: gpuHours, periodDays: days, justification: justification,
                                                                   actor: commandLineActor)
            }
            try report(allocation, "Requested renewal of", json: json)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an allocation: Slurm accepts and starts no more of the project's jobs.")

        @Argument(help: "The allocation id.") var id: String
        @Option(help: "Why (required; recorded).") var reason: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let allocation = try await options.withCentre { centre, _ in try await centre.revoke(id, reason: reason, actor: commandLineActor) }
            try report(allocation, "Revoked", json: json)
        }
    }

    struct Decisions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every decision about an allocation: who, when, what changed, why.")

        @Argument(help: "The allocation id.") var id: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let decisions = try await options.withCentre { centre, _ in try await centre.allocations.decisions(id) }
            if json { return try Table.printJSON(decisions) }
            Table.print(headers: ["WHEN", "ACTION", "STATUS", "BY", "CHANGES", "REASON"], rows: decisions.map { decision in
                [Table.time(decision.createdAt), decision.action.rawValue,
                 (decision.fromStatus.map { "\($0.rawValue) → " } ?? "") + decision.toStatus.rawValue, decision.actor,
                 decision.changes.filter { $0.field != "status" }.map { "\($0.field): \($0.from ?? "-") → \($0.to ?? "-")" }.joined(separator: "; "),
                 decision.reason]
            })
        }
    }

    struct BurnDownCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "burndown", abstract: "GPU-hours used and remaining in the current period, by day (UTC).")

        @Argument(help: "The allocation id.") var id: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let burnDown = try await options.withCentre { centre, _ in try await centre.allocations.burnDown(id) }
            if json { return try Table.printJSON(burnDown) }
            print("\(burnDown.project) (\(burnDown.status.rawValue)): \(hours(burnDown.usedGPUHours)) of \(hours(burnDown.grantedGPUHours)) GPU-hours used, \(hours(burnDown.remainingGPUHours)) remaining")
            Table.print(headers: ["DATE", "USED", "CUMULATIVE", "REMAINING"], rows: burnDown.days.map {
                [$0.date, hours($0.usedGPUHours), hours($0.cumulativeGPUHours), hours($0.remainingGPUHours)]
            })
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply an allocation's current state to Slurm again (after Slurm was unreachable).")

        @Argument(help: "The allocation id.") var id: String
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let allocation = try await options.withCentre { centre, _ in
                guard centre.slurm != nil else { throw SlurmError.notConfigured }
                return try await centre.syncAllocation(id)
            }
            try report(allocation, "Synced", json: false)
            if allocation.slurmError != nil { throw ExitCode.failure }
        }
    }
}
