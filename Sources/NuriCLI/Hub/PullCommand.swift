import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NuriHub

/// `nuri pull owner/name[@rev] [DIR]`
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download a hub repository (one revision) into a folder, resuming where it stopped.",
        discussion: """
            Files already present with the right content are skipped. A file being downloaded
            is written to DIR/.nuri-partial/ and renamed into place once its hash is checked; if
            the download stops (network, Ctrl-C), running the same command again continues from
            the bytes already there (HTTP Range).

            Examples:
              nuri pull seoul-city/smollm2-ko
              nuri pull seoul-city/smollm2-ko@v1 ./models/smollm2
            """
    )

    @Argument(help: "owner/name, optionally @branch, @tag or @commit.")
    var repository: String
    @Argument(help: "The folder to write (default: the repository's name).")
    var directory: String?
    @Option(help: "model or dataset.")
    var type = "model"
    @OptionGroup var connection: ServerConnection

    func run() async throws {
        let parts = repository.split(separator: "@", maxSplits: 1)
        let id = try RepositoryID(parsing: String(parts[0]))
        let revision = parts.count > 1 ? String(parts[1]) : "main"
        let kind = type.hasSuffix("s") ? type : type + "s"
        let prefix = kind == "datasets" ? "datasets/" : ""
        let folder = directory ?? id.name
        let encodedRevision = revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? revision

        let info = try await connection.send(.GET, "/api/\(kind)/\(id)/revision/\(encodedRevision)") as? [String: Any] ?? [:]
        guard let sha = info["sha"] as? String else { throw CLIError("the server did not say which commit \(revision) is") }
        var entries: [[String: Any]] = []
        var next: String? = "/api/\(kind)/\(id)/tree/\(sha)?recursive=true"
        while let path = next {
            let (status, data, headers) = try await connection.rawWithHeaders(.GET, path, body: nil)
            guard status == 200 else { throw CLIError("listing the files failed (\(status))") }
            entries += (try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []).filter { $0["type"] as? String == "file" }
            // Pages of 1000 entries: `Link: <URL>; rel="next"` names the next one.
            next = headers.first(name: "Link").flatMap { link -> String? in
                guard link.contains("rel=\"next\""), let start = link.firstIndex(of: "<"), let end = link.firstIndex(of: ">"),
                      let url = URL(string: String(link[link.index(after: start)..<end])) else { return nil }
                return url.path + (url.query.map { "?" + $0 } ?? "")
            }
        }

        let partial = (folder as NSString).appendingPathComponent(".nuri-partial")
        var fetched = 0, kept = 0
        for entry in entries {
            guard let path = entry["path"] as? String, let size = entry["size"] as? Int else { continue }
            let repositoryPath = try RepositoryPath(path)   // never write outside the folder
            let target = (folder as NSString).appendingPathComponent(repositoryPath.value)
            let lfs = entry["lfs"] as? [String: Any]
            let expected = (lfs?["oid"] as? String) ?? (entry["oid"] as? String ?? "")
            if try Self.matches(target, size: size, expected: expected, isLFS: lfs != nil) { kept += 1; continue }
            try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
            let temporary = (partial as NSString).appendingPathComponent(expected + ".part")
            let url = "\(connection.base)/\(prefix)\(id)/resolve/\(sha)/" + repositoryPath.value.split(separator: "/")
                .map { String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0) }.joined(separator: "/")
            try await download(url, to: temporary, size: size, label: path)
            guard try Self.matches(temporary, size: size, expected: expected, isLFS: lfs != nil) else {
                try? FileManager.default.removeItem(atPath: temporary)
                throw CLIError("\(path) arrived damaged (its hash does not match); run the command again")
            }
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.moveItem(atPath: temporary, toPath: target)
            fetched += 1
        }
        try? FileManager.default.removeItem(atPath: partial)
        print("Pulled \(id)@\(revision) (commit \(sha)) into \(folder): \(fetched) downloaded, \(kept) already there.")
    }

    /// Downloads `url` into `file`, continuing after the bytes already there.
    func download(_ url: String, to file: String, size: Int, label: String) async throws {
        if !FileManager.default.fileExists(atPath: file) { FileManager.default.createFile(atPath: file, contents: nil) }
        guard let handle = FileHandle(forUpdatingAtPath: file) else { throw CLIError("cannot write \(file)") }
        defer { try? handle.close() }
        var have = Int(try handle.seekToEnd())
        if have > size { try handle.truncate(atOffset: 0); have = 0 }
        if have == size { return }
        var request = HTTPClientRequest(url: url)
        if let bearer = connection.bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if have > 0 { request.headers.add(name: "Range", value: "bytes=\(have)-") }
        let response = try await HTTPClient.shared.execute(request, timeout: .hours(6))
        switch response.status.code {
        case 206: break
        case 200:
            try handle.truncate(atOffset: 0)   // the server sent the whole file: start over
            have = 0
        default:
            let text = String(buffer: try await response.body.collect(upTo: 1 << 16))
            throw CLIError("downloading \(label) failed (\(response.status.code)): \(text.prefix(300))")
        }
        let progress = Progress(label: label, total: size, done: have)
        for try await buffer in response.body {
            try handle.write(contentsOf: Data(buffer.readableBytesView))
            progress.advance(by: buffer.readableBytes)
        }
        try handle.synchronize()
        progress.finish()
    }

    /// Whether `file` exists with this size and content hash (SHA-256 for large files, git's blob id otherwise).
    static func matches(_ file: String, size: Int, expected: String, isLFS: Bool) throws -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
              (attributes[.size] as? NSNumber)?.intValue == size else { return false }
        if isLFS { return try LocalFile.sha256(file) == expected }
        guard let data = FileManager.default.contents(atPath: file) else { return false }
        return GitObjectID.blob([UInt8](data)) == expected
    }
}
