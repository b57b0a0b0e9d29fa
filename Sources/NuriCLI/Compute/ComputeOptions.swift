import Foundation
import ArgumentParser
import NuriCompute
import NuriServer
import NuriStore

/// Where `nuri compute` finds the database (as `nuri admin` does) and the Slurm cluster.
struct ComputeOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("slurm-conf"), help: "The Slurm cluster's slurm.conf (or NURI_SLURM_CONF, or slurm_conf in the config file); without it, decisions are recorded but not applied to Slurm.")
    var slurmConf: String?

    /// Runs `body` with the centre over the open database (and the Slurm cluster, if configured).
    func withCentre<R>(_ body: (ComputeCentre, Database) async throws -> R) async throws -> R {
        let configuration = try store.configuration()
        var settings = configuration.slurmSettings
        if let slurmConf { settings = SlurmDriver.Settings(slurmConf: (slurmConf as NSString).expandingTildeInPath, policy: configuration.computePolicy) }
        let slurm = settings.map(SlurmDriver.init(settings:))
        return try await store.withDatabase { database in
            try await body(ComputeCentre(database: database, slurm: slurm), database)
        }
    }
}

/// The actor recorded for decisions made from the command line (the operator at the console).
let commandLineActor = "cli:operator"
