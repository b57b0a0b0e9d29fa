import ArgumentParser

/// `nuri compute …`: the national AI computing centre's GPU pool.
struct ComputeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute",
        abstract: "GPU allocations, the scheduling policy and its simulator, and jobs on Slurm.",
        subcommands: [ComputeProjectCommand.self, ComputeAllocationCommand.self, ComputeJobCommand.self,
                      SimulateCommand.self, ComputeBenchCommand.self, SlurmConfigCommand.self]
    )
}
