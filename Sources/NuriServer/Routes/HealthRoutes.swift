import Hummingbird
import NuriStore
import Prometheus

/// Public routes for operators and orchestrators: liveness, readiness and metrics.
enum HealthRoutes {
    struct Status: ResponseEncodable {
        let status: String
        let database: String?
    }

    static func add(to router: Router<NuriRequestContext>, database: Database) {
        // Liveness: the process answers. Never touches the database, so a slow database does
        // not get the process restarted.
        router.get("healthz") { _, _ in Status(status: "ok", database: nil) }
        // Readiness: the database answers too.
        router.get("readyz") { _, _ -> EditedResponse<Status> in
            do {
                try await database.ping()
                return EditedResponse(status: .ok, response: Status(status: "ready", database: database.kind.rawValue))
            } catch {
                return EditedResponse(status: .serviceUnavailable, response: Status(status: "database unreachable", database: database.kind.rawValue))
            }
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: ServerMetrics.registry.emitToBuffer())))
        }
    }
}
