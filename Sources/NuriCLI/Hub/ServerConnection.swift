import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Where the hub commands find the server and who they are: `--url` (or NURI_URL, default
/// http://127.0.0.1:8080) and `--token` (or NURI_TOKEN). They talk HTTP, like any client, so
/// the server decides what the token may do.
struct ServerConnection: ParsableArguments {
    @Option(help: "The Nuri server (default NURI_URL, else http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "API token (default NURI_TOKEN). Without one, only public repositories are visible.")
    var token: String?

    var base: String {
        let value = url ?? ProcessInfo.processInfo.environment["NURI_URL"] ?? "http://127.0.0.1:8080"
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    var bearer: String? {
        let value = token ?? ProcessInfo.processInfo.environment["NURI_TOKEN"]
        return (value?.isEmpty ?? true) ? nil : value
    }

    /// A JSON request; returns the decoded answer, or throws the server's message.
    func send(_ method: HTTPMethod, _ path: String, body: [String: Any]? = nil) async throws -> Any {
        let (status, data) = try await raw(method, path, body: body.map { try JSONSerialization.data(withJSONObject: $0) })
        let object = data.isEmpty ? [String: Any]() : ((try? JSONSerialization.jsonObject(with: data)) ?? [String: Any]())
        guard (200..<300).contains(status) else {
            throw CLIError("the server answered \(status): \(Self.message(in: object) ?? String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return object
    }

    func raw(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> (Int, Data) {
        let (status, data, _) = try await rawWithHeaders(method, path, body: body)
        return (status, data)
    }

    /// As ``raw(_:_:body:)``, with the answer's headers.
    func rawWithHeaders(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> (Int, Data, HTTPHeaders) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            let buffer = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), Data(buffer.readableBytesView), response.headers)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("cannot reach \(base): \(error); start it with `nuri serve` or pass --url")
        }
    }

    static func message(in object: Any) -> String? {
        guard let dictionary = object as? [String: Any] else { return nil }
        if let error = dictionary["error"] as? [String: Any] { return error["message"] as? String }
        return dictionary["error"] as? String
    }

    /// `models/owner/name` for the `/api/nuri/repos/…` routes.
    static func repositoryPath(_ id: String, type: String) throws -> String {
        let parts = id.split(separator: "/")
        guard parts.count == 2 else { throw CLIError("a repository is named owner/name, not '\(id)'") }
        let kind = type.hasSuffix("s") ? type : type + "s"
        return "\(kind)/\(parts[0])/\(parts[1])"
    }
}

/// Prints a JSON value readably.
func printJSON(_ value: Any) {
    if let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) {
        print(String(decoding: data, as: UTF8.self))
    }
}
