import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NuriIdentity
import NuriServer
import Testing

/// The Hub contract's traps, through the router: what `huggingface_hub` silently gets wrong when
/// a server gets them wrong (Tests/integration/hub drives the real client end to end).
@Suite("Hub routes")
struct HubRouteTests {
    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
    static func gitBlob(_ bytes: [UInt8]) -> String {
        Insecure.SHA1.hash(data: Array("blob \(bytes.count)\0".utf8) + bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Creates `seoul-city/NAME` as its admin and commits `files` (regular files) to main.
    static func publish(_ client: any TestClientProtocol, token: String, name: String, visibility: String = "public",
                        files: [String: [UInt8]]) async throws -> String {
        try await client.execute(uri: "/api/repos/create", method: .post, headers: .bearer(token),
                                 body: .json(#"{"name": "\#(name)", "organization": "seoul-city", "visibility": "\#(visibility)"}"#)) { response in
            #expect(response.status == .ok)
        }
        var lines = [#"{"key": "header", "value": {"summary": "add files", "description": ""}}"#]
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
            lines.append(#"{"key": "file", "value": {"path": "\#(path)", "content": "\#(Data(bytes).base64EncodedString())", "encoding": "base64"}}"#)
        }
        return try await client.execute(uri: "/api/models/seoul-city/\(name)/commit/main", method: .post, headers: .bearer(token),
                                        body: ByteBuffer(string: lines.joined(separator: "\n") + "\n")) { response in
            #expect(response.status == .ok)
            return try response.json()["commitOid"] as? String ?? ""
        }
    }

    static func setUp(_ harness: RouteHarness) async throws -> String {
        _ = try await harness.identity.createOrganisation(name: "seoul-city", sector: .public)
        _ = try await harness.identity.createUser(name: "minji", organisation: "seoul-city", role: .admin)
        return try await harness.token(for: "minji", scopes: [.read, .write])
    }

    @Test("HEAD /resolve sends the real Content-Length, a content-hash ETag and X-Repo-Commit; Range gives 206 or 416")
    func resolve() async throws {
        try await RouteHarness.run { harness, client in
            let token = try await Self.setUp(harness)
            let data = Array("안녕하세요, 서울\n".utf8)
            let commit = try await Self.publish(client, token: token, name: "m", files: ["데이터/서울.txt": data])
            let path = "/seoul-city/m/resolve/main/%EB%8D%B0%EC%9D%B4%ED%84%B0/%EC%84%9C%EC%9A%B8.txt"
            try await client.execute(uri: path, method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == String(data.count))
                #expect(response.headers[.eTag] == "\"\(Self.gitBlob(data))\"")
                #expect(response.headers[HTTPField.Name("X-Repo-Commit")!] == commit)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: path, method: .get, headers: [.range: "bytes=3-"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 3-\(data.count - 1)/\(data.count)")
                #expect(Array(response.body.readableBytesView) == Array(data[3...]))
            }
            try await client.execute(uri: path, method: .get, headers: [.range: "bytes=\(data.count)-"]) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.headers[.contentRange] == "bytes */\(data.count)")
            }
            // The same file by commit id.
            try await client.execute(uri: "/seoul-city/m/resolve/\(commit)/%EB%8D%B0%EC%9D%B4%ED%84%B0/%EC%84%9C%EC%9A%B8.txt", method: .get) { response in
                #expect(Array(response.body.readableBytesView) == data)
            }
        }
    }

    @Test("every 404 and 403 carries X-Error-Code, HEAD included; a private repository looks exactly like a missing one")
    func errorCodes() async throws {
        try await RouteHarness.run { harness, client in
            let token = try await Self.setUp(harness)
            let commit = try await Self.publish(client, token: token, name: "secret", visibility: "private", files: ["a.txt": [1, 2, 3]])
            _ = try await Self.publish(client, token: token, name: "open", files: ["a.txt": [1, 2, 3]])
            func code(_ uri: String, _ method: HTTPRequest.Method = .head, token: String? = nil) async throws -> (HTTPResponse.Status, String?, String?) {
                try await client.execute(uri: uri, method: method, headers: token.map { .bearer($0) } ?? [:]) { response in
                    (response.status, response.headers[HTTPField.Name("X-Error-Code")!], response.headers[HTTPField.Name("X-Repo-Commit")!])
                }
            }
            let hidden = try await code("/seoul-city/secret/resolve/main/a.txt")
            let missing = try await code("/seoul-city/never/resolve/main/a.txt")
            #expect(hidden.0 == .notFound && hidden.1 == "RepoNotFound")
            #expect(missing.0 == hidden.0 && missing.1 == hidden.1)
            #expect(try await code("/api/models/seoul-city/secret", .get).1 == "RepoNotFound")
            #expect(try await code("/seoul-city/secret/resolve/main/a.txt", token: token).0 == .ok)
            #expect(try await code("/seoul-city/open/resolve/no-branch/a.txt").1 == "RevisionNotFound")
            // A revision is one percent-encoded segment: routed, then decoded.
            #expect(try await code("/seoul-city/open/resolve/refs%2Fpr%2F1/a.txt").1 == "RevisionNotFound")
            let absent = try await code("/seoul-city/secret/resolve/main/b.txt", token: token)
            #expect(absent.1 == "EntryNotFound" && absent.2 == commit)
            let badToken = try await code("/api/models/seoul-city/open", .get, token: "nuri_" + String(repeating: "x", count: 43))
            #expect(badToken.0 == .unauthorized && badToken.1 != nil)
            #expect(try await code("/api/whoami-v2", .get).0 == .unauthorized)
        }
    }

    @Test("a commit is all or nothing: an oversized line, a large file never uploaded, a bad path leave the branch where it was")
    func commitAllOrNothing() async throws {
        try await RouteHarness.run(configure: { $0.maxBodySize = 64 * 1024 }) { harness, client in
            let token = try await Self.setUp(harness)
            let first = try await Self.publish(client, token: token, name: "m", files: ["a.txt": [1]])
            let big = Data(repeating: 7, count: 100 * 1024).base64EncodedString()
            let bodies = [
                #"{"key": "header", "value": {"summary": "too big"}}"# + "\n" + #"{"key": "file", "value": {"path": "b.bin", "content": "\#(big)"}}"#,
                #"{"key": "header", "value": {"summary": "missing blob"}}"# + "\n"
                    + #"{"key": "lfsFile", "value": {"path": "w.bin", "algo": "sha256", "oid": "\#(String(repeating: "ab", count: 32))", "size": 10}}"#,
                #"{"key": "header", "value": {"summary": "escape"}}"# + "\n" + #"{"key": "file", "value": {"path": "../x", "content": "AA=="}}"#,
                #"{"key": "file", "value": {"path": "x", "content": "AA=="}}"#,
            ]
            for (index, body) in bodies.enumerated() {
                try await client.execute(uri: "/api/models/seoul-city/m/commit/main", method: .post, headers: .bearer(token), body: ByteBuffer(string: body)) { response in
                    #expect([413, 400].contains(response.status.code), "body \(index): \(response.status)")
                    #expect(response.headers[HTTPField.Name("X-Error-Code")!] != nil)
                }
            }
            try await client.execute(uri: "/api/models/seoul-city/m/revision/main", method: .get) { response in
                let sha = try response.json()["sha"] as? String
                #expect(sha == first)
            }
        }
    }

    @Test("LFS: the batch API hands out an upload URL that needs no token; only the announced bytes become a blob")
    func lfsUpload() async throws {
        try await RouteHarness.run { harness, client in
            let token = try await Self.setUp(harness)
            _ = try await Self.publish(client, token: token, name: "m", files: [:])
            let data = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let oid = Self.sha256(data)
            let batch = #"{"operation": "upload", "transfers": ["basic"], "hash_algo": "sha256", "objects": [{"oid": "\#(oid)", "size": \#(data.count)}]}"#
            let href: String = try await client.execute(uri: "/seoul-city/m.git/info/lfs/objects/batch", method: .post, headers: .bearer(token),
                                                        body: ByteBuffer(string: batch)) { response in
                #expect(response.status == .ok)
                let objects = try response.json()["objects"] as? [[String: Any]] ?? []
                let actions = objects.first?["actions"] as? [String: Any]
                return (actions?["upload"] as? [String: Any])?["href"] as? String ?? ""
            }
            let uploadPath = try #require(URL(string: href)).path
            // Without a write token the batch API refuses, and a made-up upload URL is refused.
            try await client.execute(uri: "/seoul-city/m.git/info/lfs/objects/batch", method: .post, body: ByteBuffer(string: batch)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/nuri/uploads/made-up", method: .put, body: ByteBuffer(bytes: data)) { response in
                #expect(response.status == .forbidden)
            }
            // Wrong bytes: refused, and the commit cannot use them.
            var wrong = data
            wrong[0] ^= 1
            try await client.execute(uri: uploadPath, method: .put, body: ByteBuffer(bytes: wrong)) { response in
                #expect(response.status == .badRequest)
            }
            let commit = #"{"key": "header", "value": {"summary": "weights"}}"# + "\n"
                + #"{"key": "lfsFile", "value": {"path": "w.bin", "algo": "sha256", "oid": "\#(oid)", "size": \#(data.count)}}"#
            try await client.execute(uri: "/api/models/seoul-city/m/commit/main", method: .post, headers: .bearer(token), body: ByteBuffer(string: commit)) { response in
                #expect(response.headers[HTTPField.Name("X-Error-Code")!] == "BlobMissing")
            }
            // The right bytes, with no Authorization header at all.
            try await client.execute(uri: uploadPath, method: .put, body: ByteBuffer(bytes: data)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/models/seoul-city/m/commit/main", method: .post, headers: .bearer(token), body: ByteBuffer(string: commit)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/seoul-city/m/resolve/main/w.bin", method: .head) { response in
                #expect(response.headers[.eTag] == "\"\(oid)\"")
                #expect(response.headers[.contentLength] == String(data.count))
            }
            // Asking again for a stored blob: nothing to upload.
            try await client.execute(uri: "/seoul-city/m.git/info/lfs/objects/batch", method: .post, headers: .bearer(token), body: ByteBuffer(string: batch)) { response in
                let objects = try response.json()["objects"] as? [[String: Any]] ?? []
                #expect(objects.count == 1)
                #expect(objects.first?["actions"] == nil)
            }
        }
    }
}
