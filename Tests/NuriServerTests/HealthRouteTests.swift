import Foundation
import Hummingbird
import HummingbirdTesting
import NuriServer
import NuriStore
import NuriTestSupport
import Testing

@Suite("Public routes: health, readiness, metrics, errors")
struct HealthRouteTests {
    @Test("/healthz and /readyz answer without a token")
    func healthAndReadiness() async throws {
        try await RouteHarness.run { _, client in
            try await client.execute(uri: "/healthz", method: .get) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(try response.json()["status"] as? String == "ok")
            }
            try await client.execute(uri: "/readyz", method: .get) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(try response.json()["database"] as? String == "sqlite")
            }
        }
    }

    @Test("/readyz answers 503 when the database is gone, while /healthz stays up")
    func readinessFollowsTheDatabase() async throws {
        try await RouteHarness.run { harness, client in
            try await harness.database.close()
            try await client.execute(uri: "/readyz", method: .get) { (response: TestResponse) async throws in
                #expect(response.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/healthz", method: .get) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("/metrics exports request counts and latency histograms by route and status")
    func metrics() async throws {
        try await RouteHarness.run { _, client in
            try await client.execute(uri: "/healthz", method: .get) { _ in }
            try await client.execute(uri: "/api/orgs", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = response.text
                #expect(text.contains("# TYPE hb_requests counter"))
                #expect(text.contains(#"hb_requests{http_route="/healthz",http_request_method="GET",http_response_status_code="200"}"#))
                #expect(text.contains(#"http_response_status_code="401""#))
                #expect(text.contains("# TYPE http_server_request_duration histogram"))
                #expect(text.contains(#"http_server_request_duration_bucket{http_route="/healthz""#))
            }
        }
    }

    @Test("an unknown path gets a JSON 404 in OpenAI's error shape")
    func unknownRoute() async throws {
        try await RouteHarness.run { _, client in
            try await client.execute(uri: "/no/such/route", method: .get) { (response: TestResponse) async throws in
                #expect(response.status == .notFound)
                #expect(try response.errorBody().type == "not_found_error")
            }
        }
    }
}
