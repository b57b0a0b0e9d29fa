/// What goes wrong talking to Slurm. `NuriServer` maps these to HTTP statuses; the CLI prints
/// them. Messages carry the tool's own words (never a secret: Slurm's tools print none).
public enum SlurmError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nuri is not set up to drive a Slurm cluster. 503.
    case notConfigured
    /// A Slurm tool is not installed. 503.
    case toolMissing(String)
    /// Slurm refused the request by its policy (a limit, a blocked account). 409.
    case refused(tool: String, message: String)
    /// A tool failed or timed out. 502.
    case commandFailed(tool: String, status: Int32, message: String)
    /// A tool printed something Nuri did not expect. 502.
    case unexpectedOutput(tool: String, output: String)

    public var description: String {
        switch self {
        case .notConfigured:
            return "no Slurm cluster is configured: set slurm_conf (NURI_SLURM_CONF, --slurm-conf) to the cluster's slurm.conf"
        case .toolMissing(let tool):
            return "the Slurm tool \(tool) is not installed; install slurm-client (and point slurm_conf at the cluster)"
        case .refused(let tool, let message):
            return "Slurm refused it (\(tool)): \(message)"
        case .commandFailed(let tool, let status, let message):
            return "\(tool) failed (exit \(status)): \(message)"
        case .unexpectedOutput(let tool, let output):
            return "\(tool) printed something unexpected: \(output.prefix(200))"
        }
    }
}
