import Foundation

/// Runs one Slurm tool as a subprocess: an argument array (never a shell line), the cluster's
/// `SLURM_CONF` in its environment, stdin closed, a time limit.
struct SlurmCommand: Sendable {
    /// The cluster's slurm.conf (nil: the tools' default, `/etc/slurm/slurm.conf`).
    let slurmConf: String?
    /// Seconds before the tool is killed.
    let timeout: Double

    struct Output: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `tool` with `arguments`, returning its output whatever its exit status.
    func run(_ tool: String, _ arguments: [String]) async throws -> Output {
        let executable = try Self.locate(tool)
        var variables = ProcessInfo.processInfo.environment
        if let slurmConf { variables["SLURM_CONF"] = slurmConf }
        let environment = variables
        let timeout = self.timeout
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let running = Running()
                let process = running.process
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.environment = environment
                process.standardInput = FileHandle.nullDevice
                let out = Pipe()
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: SlurmError.commandFailed(tool: tool, status: -1, message: "cannot start \(executable): \(error)"))
                    return
                }
                let timer = DispatchWorkItem { running.terminateIfRunning() }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
                // Both pipes are drained at once, so a chatty stderr cannot block stdout.
                let group = DispatchGroup()
                group.enter()
                DispatchQueue.global().async {
                    running.setErrors(err.fileHandleForReading.readDataToEndOfFile())
                    group.leave()
                }
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                timer.cancel()
                if process.terminationReason == .uncaughtSignal {
                    continuation.resume(throwing: SlurmError.commandFailed(tool: tool, status: process.terminationStatus,
                                                                           message: "killed after \(Int(timeout)) s without an answer; is the cluster up?"))
                    return
                }
                continuation.resume(returning: Output(status: process.terminationStatus,
                                                      stdout: String(decoding: outData, as: UTF8.self),
                                                      stderr: String(decoding: running.errors, as: UTF8.self)))
            }
        }
    }

    /// A started process and its stderr, shared between the threads that wait on it.
    private final class Running: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var errorData = Data()

        func terminateIfRunning() { if process.isRunning { process.terminate() } }
        func setErrors(_ data: Data) { lock.withLock { errorData = data } }
        var errors: Data { lock.withLock { errorData } }
    }

    /// Runs `tool` and returns its stdout; a non-zero exit throws with the tool's message
    /// (``SlurmError/refused(tool:message:)`` when Slurm names a policy it applied).
    func check(_ tool: String, _ arguments: [String]) async throws -> String {
        let output = try await run(tool, arguments)
        guard output.status == 0 else {
            let message = Self.message(output.stderr.isEmpty ? output.stdout : output.stderr)
            if Self.isPolicyRefusal(message) { throw SlurmError.refused(tool: tool, message: message) }
            throw SlurmError.commandFailed(tool: tool, status: output.status, message: message)
        }
        return output.stdout
    }

    /// The tool's lines, without the `sbatch: error:` prefixes, on one line.
    static func message(_ text: String) -> String {
        text.split(separator: "\n").map { line in
            var line = Substring(line)
            for prefix in ["sbatch: error: ", "sacctmgr: error: ", "squeue: error: ", "sacct: error: ", "scontrol: error: ", " "] {
                while line.hasPrefix(prefix) { line = line.dropFirst(prefix.count) }
            }
            return String(line)
        }.filter { !$0.isEmpty }.joined(separator: "; ").prefix(1_000).description
    }

    static func isPolicyRefusal(_ message: String) -> Bool {
        ["violates accounting/QOS policy", "Invalid account", "Invalid qos", "AssocGrpSubmitJobsLimit", "QOSGrpSubmitJobsLimit",
         "Job violates", "Requested node configuration is not available"].contains { message.contains($0) }
    }

    /// The tool's path: in PATH, or where Debian installs Slurm's tools.
    static func locate(_ tool: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/usr/local/bin"]
        for directory in directories {
            let candidate = (directory as NSString).appendingPathComponent(tool)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw SlurmError.toolMissing(tool)
    }
}
