import Crypto
import Foundation

/// A one-line progress display on standard error (only when it is a terminal), redrawn at most
/// five times a second: bytes done, total, speed. Used by one task at a time.
final class Progress: @unchecked Sendable {
    let label: String
    let total: Int
    private(set) var done: Int
    private let started = Date()
    private var lastDraw = Date.distantPast
    private let enabled = isatty(2) != 0

    init(label: String, total: Int, done: Int = 0) {
        self.label = label
        self.total = total
        self.done = done
    }

    func advance(by bytes: Int) {
        done += bytes
        if enabled, Date().timeIntervalSince(lastDraw) > 0.2 { draw() }
    }

    func finish() {
        if enabled { draw(); FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func draw() {
        lastDraw = Date()
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let width = 30
        let filled = total > 0 ? min(width, done * width / total) : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "\r%@ %@ %.1f/%.1f MB %.1f MB/s ", label, bar, Double(done) / 1e6, Double(total) / 1e6, Double(done) / 1e6 / seconds)
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// Hashes of local files, as the hub compares them.
enum LocalFile {
    /// SHA-256 of a file, read in 4 MiB pieces.
    static func sha256(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
