import ArgumentParser
import NuriCompute
import NuriIdentity

/// `nuri compute project …`
struct ComputeProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Create and list the projects that receive GPU allocations.",
        subcommands: [Create.self, List.self, Show.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a project of an organisation, with its tier.",
            discussion: """
                The name becomes the project's Slurm account and QOS: 2–40 lower-case letters,
                digits, '-' or '_', starting with a letter. Tiers, first served first:
                national_team (may preempt the others' jobs), public, academic, startup, industry.

                Example:
                  nuri compute project create ko-llm --org kaist --tier national_team --description "Korean LLM"
                """
        )

        @Argument(help: "The project's name.") var name: String
        @Option(help: "The organisation it belongs to.") var org: String
        @Option(help: "national_team, public, academic, startup or industry.") var tier: String
        @Option(help: "What the project does.") var description: String = ""
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let tier = try Tier.parse(tier)
            let project = try await options.withCentre { centre, database in
                let organisation = try await IdentityStore(database: database).organisation(named: org)
                return try await centre.allocations.createProject(name: name, tier: tier, description: description,
                                                                  organisationID: organisation.id, actor: commandLineActor)
            }
            if json { return try Table.printJSON(project) }
            print("Created project \(project.name) (\(project.tier.rawValue)) of \(project.organisation).")
            print("Next: nuri compute allocation request --project \(project.name) --gpu-hours 1000 --max-gpus 16 --justification \"…\"")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List projects, by name.")

        @Option(help: "Only this organisation's.") var org: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let projects = try await options.withCentre { centre, database in
                guard let org else { return try await centre.allocations.projects() }
                return try await centre.allocations.projects(organisationIDs: [try await IdentityStore(database: database).organisation(named: org).id])
            }
            if json { return try Table.printJSON(projects) }
            Table.print(headers: ["NAME", "ORGANISATION", "TIER", "CREATED", "DESCRIPTION"], rows: projects.map {
                [$0.name, $0.organisation, $0.tier.rawValue, Table.time($0.createdAt), $0.description]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a project and its allocations.")

        @Argument(help: "The project's name.") var name: String
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let (project, allocations) = try await options.withCentre { centre, _ in
                let project = try await centre.allocations.project(name)
                return (project, try await centre.allocations.allocations(projectIDs: [project.id]))
            }
            try Table.printJSON(project)
            ComputeAllocationCommand.printTable(allocations)
        }
    }
}
