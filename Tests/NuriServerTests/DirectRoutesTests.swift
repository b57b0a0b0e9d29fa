import Hummingbird
import NIOHTTP1
import NIOHTTPTypesHTTP1
import Testing

@testable import NuriServer

@Suite("Direct routes: the request a direct route hands the router")
struct DirectRoutesTests {
    static let heads: [HTTPHeaders] = [
        ["Host": "nuri.example.kr:8080", "Content-Type": "application/json", "Authorization": "Bearer k", "Content-Length": "2"],
        ["content-length": "2"],
        ["host": "a", "HOST": "b", "cookie": "x=1; y=2", "X-Custom": "값"],
    ]

    @Test("it is the request NIO's HTTP-types conversion makes from the same head (host as authority, the other fields in order)",
          arguments: heads)
    func sameAsConversion(_ headers: HTTPHeaders) throws {
        for path in ["/v1/chat/completions", "/v1/completions"] {
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
            let converted = try HTTPRequest(head, secure: false, splitCookie: false)
            #expect(DirectRoutes.request(head) == converted)
        }
    }
}
