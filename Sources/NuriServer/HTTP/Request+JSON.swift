import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// Reads the body (at most `limit` bytes) and decodes it as JSON.
    ///
    /// - 413 when the body is larger than `limit`, naming the limit and the setting;
    /// - 400 when it is empty, not JSON, or a field has the wrong type (naming the field).
    /// Unknown fields are ignored, as OpenAI's API does.
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        try await decodeJSONKeepingRaw(type, limit: limit).0
    }

    /// As ``decodeJSON(_:limit:)``, also returning the body as a generic JSON value (to pass on
    /// fields Nuri does not interpret, e.g. to a remote backend).
    func decodeJSONKeepingRaw<T: Decodable>(_ type: T.Type, limit: Int) async throws -> (T, Data) {
        let data = Data(try await collectJSONBody(limit: limit).readableBytesView)
        return (try JSONDecoder().decode(T.self, from: data), data)
    }

    /// The body of a JSON request, not yet decoded: 413 past `limit` bytes, 400 when empty.
    func collectJSONBody(limit: Int) async throws -> ByteBuffer {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(
                status: .contentTooLarge,
                message: "the request body is larger than \(limit) bytes; send less, or raise the server's max_body_size setting",
                type: "invalid_request_error", code: "body_too_large")
        }
        guard buffer.readableBytes > 0 else {
            throw APIError(status: .badRequest, message: "the request body is empty; send a JSON object", type: "invalid_request_error", code: "invalid_request_body")
        }
        return buffer
    }
}
