import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NuriHub

/// `nuri push DIR owner/name`
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload a folder to a hub repository as one commit.",
        discussion: """
            Speaks the same protocol as huggingface_hub's upload_folder: files the server already
            has at the same path are skipped, large files go through the LFS batch API (each
            checked by SHA-256 on arrival), the rest travel inside the commit. The repository is
            created first if it does not exist (--visibility says how).

            Example: nuri push ./smollm2 seoul-city/smollm2-ko --message "first weights"
            """
    )

    @Argument(help: "The folder to upload.")
    var directory: String
    @Argument(help: "owner/name.")
    var repository: String
    @Option(help: "The branch to commit to.")
    var revision = "main"
    @Option(help: "The commit message.")
    var message = "Upload with nuri push"
    @Option(help: "Visibility if the repository must be created: public, registered, sectors, gated, private.")
    var visibility = "private"
    @Option(help: "model or dataset.")
    var type = "model"
    @OptionGroup var connection: ServerConnection

    struct LocalEntry {
        let path: String
        let file: String
        let size: Int
    }

    func run() async throws {
        let id = try RepositoryID(parsing: repository)
        let kind = type.hasSuffix("s") ? type : type + "s"
        let prefix = kind == "datasets" ? "datasets/" : ""
        let files = try Self.walk(directory)
        guard !files.isEmpty else { throw CLIError("\(directory) has no files to push") }

        // Create the repository unless it exists.
        let (status, _) = try await connection.raw(.GET, "/api/\(kind)/\(id)", body: nil)
        if status == 404 {
            _ = try await connection.send(.POST, "/api/repos/create", body: [
                "name": id.name, "organization": id.owner, "type": String(kind.dropLast()), "visibility": visibility])
            print("Created \(id) (\(visibility)).")
        }
        let rev = revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? revision

        // Ask which files are large and what is there already, 256 at a time.
        var modes: [String: (lfs: Bool, remote: String?)] = [:]
        for batch in stride(from: 0, to: files.count, by: 256).map({ Array(files[$0..<min($0 + 256, files.count)]) }) {
            let body: [[String: Any]] = try batch.map { entry in
                let handle = FileHandle(forReadingAtPath: entry.file)
                let sample = try handle?.read(upToCount: 512) ?? Data()
                try handle?.close()
                return ["path": entry.path, "size": entry.size, "sample": sample.base64EncodedString()]
            }
            let answer = try await connection.send(.POST, "/api/\(kind)/\(id)/preupload/\(rev)", body: ["files": body])
            for file in (answer as? [String: Any])?["files"] as? [[String: Any]] ?? [] {
                guard let path = file["path"] as? String else { continue }
                modes[path] = ((file["uploadMode"] as? String) == "lfs", file["oid"] as? String)
            }
        }

        var lines: [String] = []
        var large: [(LocalEntry, String)] = []
        for entry in files {
            let mode = modes[entry.path] ?? (false, nil)
            if mode.lfs {
                let sha = try LocalFile.sha256(entry.file)
                if mode.remote == sha { continue }
                large.append((entry, sha))
                lines.append(try Self.line(["key": "lfsFile", "value": ["path": entry.path, "algo": "sha256", "oid": sha, "size": entry.size]]))
            } else {
                let data = try Data(contentsOf: URL(fileURLWithPath: entry.file))
                if mode.remote == GitObjectID.blob([UInt8](data)) { continue }
                lines.append(try Self.line(["key": "file", "value": ["path": entry.path, "content": data.base64EncodedString(), "encoding": "base64"]]))
            }
        }
        guard !lines.isEmpty else {
            print("Nothing to push: \(id)@\(revision) already has these files.")
            return
        }

        // Large files: the batch API says which the server lacks and where to put them.
        if !large.isEmpty {
            let objects = large.map { ["oid": $0.1, "size": $0.0.size] as [String: Any] }
            let answer = try await connection.send(.POST, "/\(prefix)\(id).git/info/lfs/objects/batch", body: [
                "operation": "upload", "transfers": ["basic"], "hash_algo": "sha256", "objects": objects])
            let wanted = Dictionary(((answer as? [String: Any])?["objects"] as? [[String: Any]] ?? []).compactMap { object -> (String, String)? in
                guard let oid = object["oid"] as? String, let actions = object["actions"] as? [String: Any],
                      let href = (actions["upload"] as? [String: Any])?["href"] as? String else { return nil }
                return (oid, href)
            }, uniquingKeysWith: { first, _ in first })
            for (entry, sha) in large {
                guard let href = wanted[sha] else { continue }
                try await Self.upload(entry, to: href)
            }
        }

        let header = try Self.line(["key": "header", "value": ["summary": message, "description": ""]])
        let body = Data(([header] + lines).joined(separator: "\n").utf8)
        var request = HTTPClientRequest(url: connection.base + "/api/\(kind)/\(id)/commit/\(rev)")
        request.method = .POST
        if let bearer = connection.bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        request.headers.add(name: "Content-Type", value: "application/x-ndjson")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        let data = Data((try await response.body.collect(upTo: 1 << 20)).readableBytesView)
        let object = (try? JSONSerialization.jsonObject(with: data)) ?? [:]
        guard response.status == .ok, let oid = (object as? [String: Any])?["commitOid"] as? String else {
            throw CLIError("the commit failed (\(response.status.code)): \(ServerConnection.message(in: object) ?? "")")
        }
        print("Pushed \(lines.count) file(s) to \(id)@\(revision): commit \(oid)")
    }

    /// PUTs a file to a signed upload URL, streamed from disk, without the token.
    static func upload(_ entry: LocalEntry, to href: String) async throws {
        guard let handle = FileHandle(forReadingAtPath: entry.file) else { throw CLIError("cannot read \(entry.file)") }
        defer { try? handle.close() }
        let progress = Progress(label: entry.path, total: entry.size)
        // Pulled one piece at a time, so a large file never sits in memory.
        let chunks = AsyncThrowingStream<ByteBuffer, any Error> {
            guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else { return nil }
            progress.advance(by: chunk.count)
            return ByteBuffer(bytes: chunk)
        }
        var request = HTTPClientRequest(url: href)
        request.method = .PUT
        request.body = .stream(chunks, length: .known(Int64(entry.size)))
        let response = try await HTTPClient.shared.execute(request, timeout: .hours(6))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        progress.finish()
        guard (200..<300).contains(Int(response.status.code)) else {
            throw CLIError("uploading \(entry.path) failed (\(response.status.code)): \(text.prefix(300))")
        }
    }

    static func line(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]), as: UTF8.self)
    }

    /// Every regular file below `root`, by repository path (skipping `.git` and download caches).
    static func walk(_ root: String) throws -> [LocalEntry] {
        let base = URL(fileURLWithPath: root).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey]) else {
            throw CLIError("cannot read the folder \(root)")
        }
        var entries: [LocalEntry] = []
        for case let url as URL in enumerator {
            let relative = String(url.standardizedFileURL.path.dropFirst(base.path.count + 1))
            if relative.hasPrefix(".git/") || relative == ".git" || relative.hasPrefix(".cache/") || relative.hasPrefix(".nuri-partial") { continue }
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true else { continue }
            _ = try RepositoryPath(relative)
            entries.append(LocalEntry(path: relative, file: url.path, size: values.fileSize ?? 0))
        }
        return entries.sorted { $0.path < $1.path }
    }
}
