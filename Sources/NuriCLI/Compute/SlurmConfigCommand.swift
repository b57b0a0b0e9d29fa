import ArgumentParser
import NuriCompute

/// `nuri compute slurm-config`: a policy as slurm.conf lines.
struct SlurmConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm-config",
        abstract: "Print the slurm.conf lines that make Slurm schedule by a policy (the simulator's file format).",
        discussion: """
            Adopting a policy the simulator tried: put these lines in the cluster's slurm.conf
            (then `scontrol reconfigure`), and give the same file to `nuri serve --compute-policy`,
            which sets the tier priorities and preemption rights on the projects' QOS.
            """
    )

    @Option(help: "The policy file (YAML or JSON); the default policy without it.")
    var policy: String?

    func run() throws {
        let chosen: SchedulingPolicy
        do {
            chosen = try policy.map { try SchedulingPolicy.load(contentsOf: $0) } ?? SchedulingPolicy()
        } catch {
            throw CLIError("\(error)")
        }
        print(chosen.slurmConfiguration, terminator: "")
    }
}
