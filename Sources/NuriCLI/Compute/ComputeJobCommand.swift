import ArgumentParser
import NuriCompute

/// `nuri compute job …`
struct ComputeJobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Submit jobs to Slurm under a project's allocation, follow them, and charge their GPU use.",
        discussion: """
            Jobs go to Slurm with sbatch (account and QOS: the project); `nuri compute job sync`
            takes their state, Slurm's reason for a pending one, and their GPU-seconds from
            squeue and sacct, and charges the allocation what was not charged yet.

            Example:
              nuri compute job submit --project ko-llm --name pretrain --gpus 16 --minutes 600 --command "srun python train.py"
              nuri compute job sync
              nuri compute job list --project ko-llm
            """,
        subcommands: [Submit.self, List.self, Show.self, Cancel.self, Sync.self]
    )

    static func printTable(_ jobs: [ComputeJob]) {
        Table.print(headers: ["ID", "SLURM", "PROJECT", "NAME", "GPUS", "STATE", "REASON", "PREEMPTED", "GPU-HOURS"], rows: jobs.map {
            [$0.id, $0.slurmJobID, $0.project, $0.name, String($0.gpus), $0.state, $0.reason ?? "-", String($0.preemptions),
             ComputeAllocationCommand.hours(Double($0.chargedGPUSeconds) / 3_600)]
        })
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit a job to Slurm for a project with an active allocation.")

        @Option(help: "The project.") var project: String
        @Option(help: "The job's name.") var name: String
        @Option(help: "GPUs (across nodes).") var gpus: Int
        @Option(help: "Time limit in minutes (Slurm schedules by it).") var minutes: Int
        @Option(help: "The shell command the job runs.") var command: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let request = JobRequest(name: name, gpus: gpus, timeLimitMinutes: minutes, command: command)
            let job = try await options.withCentre { centre, _ in
                try await centre.submit(request, project: try await centre.allocations.project(project), actor: commandLineActor)
            }
            if json { return try Table.printJSON(job) }
            print("Submitted job \(job.id) (Slurm job \(job.slurmJobID)) for \(job.project).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first, as last synced.")

        @Option(help: "Only this project's.") var project: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let jobs = try await options.withCentre { centre, _ in
                guard let project else { return try await centre.jobs.jobs() }
                return try await centre.jobs.jobs(projectIDs: [try await centre.allocations.project(project).id])
            }
            if json { return try Table.printJSON(jobs) }
            printTable(jobs)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job (JSON).")

        @Argument(help: "The job id (job_…).") var id: String
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            try Table.printJSON(try await options.withCentre { centre, _ in try await centre.jobs.job(id) })
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a job in Slurm.")

        @Argument(help: "The job id (job_…).") var id: String
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let job = try await options.withCentre { centre, _ in try await centre.cancel(id) }
            print("Cancelled job \(job.id) (Slurm job \(job.slurmJobID)): \(job.state).")
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take Slurm's state and GPU use of every unfinished job, charge it, expire ended allocations.")

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: ComputeOptions

        func run() async throws {
            let summary = try await options.withCentre { centre, _ in try await centre.sync() }
            if json { return try Table.printJSON(summary) }
            printTable(summary.jobs)
            print("Charged \(ComputeAllocationCommand.hours(Double(summary.chargedGPUSeconds) / 3_600)) GPU-hours"
                  + (summary.expired.isEmpty ? "." : "; expired \(summary.expired.joined(separator: ", "))."))
        }
    }
}
