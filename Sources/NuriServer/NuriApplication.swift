import Hummingbird
import Logging
import NuriIdentity
import NuriStore

/// Builds Nuri's HTTP application: its router, middleware and routes.
public enum NuriApplication {
    /// The router with every route, for the server and for route tests without a socket.
    public static func router(configuration: ServerConfiguration, database: Database) -> Router<NuriRequestContext> {
        let router = Router(context: NuriRequestContext.self)
        // Outermost first: log the final status, count it, then render errors as JSON.
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        _ = ServerMetrics.registry

        HealthRoutes.add(to: router, database: database)

        let identity = IdentityStore(database: database)
        let api = router.group("api").add(middleware: AuthenticationMiddleware(identity: identity))
        IdentityRoutes(identity: identity, bodyLimit: configuration.maxBodySize).add(to: api)
        return router
    }

    /// The application listening where the configuration says.
    public static func application(
        configuration: ServerConfiguration, database: Database, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(configuration: configuration, database: database),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "nuri"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }
}
