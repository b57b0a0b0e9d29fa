import Foundation

/// The shared traces (`../shared/data/traces/` beside the repository, or `NURI_TRACES_DIR`):
/// read from there, never copied into the repository (their terms allow research use, not redistribution here).
enum TraceFiles {
    static var directory: String {
        if let configured = ProcessInfo.processInfo.environment["NURI_TRACES_DIR"] { return configured }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared/data/traces").path
    }

    static var alibaba: String { directory + "/alibaba-gpu-v2023-openb.csv" }

    static var alibabaIsPresent: Bool { FileManager.default.fileExists(atPath: alibaba) }
}
