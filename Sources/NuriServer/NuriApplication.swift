import Hummingbird
import HummingbirdCore
import Logging
import NuriCompute
import NuriGateway
import NuriGuard
import NuriIdentity
import NuriStore

/// Builds Nuri's HTTP application: its router, middleware and routes.
public enum NuriApplication {
    /// The router with every route, for the server and for route tests without a socket.
    ///
    /// Every inference request passes the guard's transfer policy unless a test hands in
    /// another `policy`; `guardServices` defaults to fresh keys (tests), the server passes the
    /// installation's. `usageRecorder` writes the usage records (the server passes its own, to
    /// flush it on shutdown).
    public static func router(configuration: ServerConfiguration, database: Database, gateway: Gateway = Gateway(backends: []),
                              guardServices: GuardServices? = nil, policy: (any RequestPolicy)? = nil,
                              usageRecorder: UsageRecorder? = nil) -> Router<NuriRequestContext> {
        let guardServices = guardServices ?? GuardServices(database: database, keys: .generate())
        let policy = policy ?? GuardPolicy(policy: guardServices.policy)
        let router = Router(context: NuriRequestContext.self)
        // Outermost first: log and count the final status, then render errors as JSON.
        router.add(middleware: RequestRecordMiddleware())
        router.add(middleware: ErrorMiddleware())
        _ = ServerMetrics.registry

        HealthRoutes.add(to: router, database: database)

        let identity = IdentityStore(database: database, principalCache: PrincipalCache())
        let recorder = usageRecorder ?? Self.usageRecorder(database: database)
        let authentication = AuthenticationMiddleware(identity: identity)
        let api = router.group("api").add(middleware: authentication).add(middleware: AdminAuditMiddleware(audit: guardServices.audit))
        IdentityRoutes(identity: identity, bodyLimit: configuration.maxBodySize).add(to: api)
        let v1 = router.group("v1").add(middleware: authentication)
        let limits = LimitStore(database: database)
        let limiter = RateLimiter(store: limits)
        OpenAIRoutes(gateway: gateway, bodyLimit: configuration.maxBodySize, usage: recorder,
                     limiter: limiter, policy: policy).add(to: v1)
        LimitRoutes(limits: limits, limiter: limiter, identity: identity, bodyLimit: configuration.maxBodySize).add(to: api)
        UsageRoutes(usage: UsageStore(database: database), recorder: recorder, identity: identity).add(to: api)
        GuardRoutes(services: guardServices, identity: identity, bodyLimit: configuration.maxBodySize).add(to: api)
        let slurm = configuration.slurmSettings.map(SlurmDriver.init(settings:))
        ComputeRoutes(centre: ComputeCentre(database: database, slurm: slurm), identity: identity, bodyLimit: configuration.maxBodySize).add(to: api)
        let tokenizerGroup = router.group().add(middleware: authentication)
        TokenizerRoutes(gateway: gateway, bodyLimit: configuration.maxBodySize).add(to: tokenizerGroup)
        HubRoutes.install(on: router, configuration: configuration, database: database, identity: identity)
        return router
    }

    /// Usage records written to `database`; a failed write is logged with the number of records lost.
    public static func usageRecorder(database: Database) -> UsageRecorder {
        UsageRecorder(store: UsageStore(database: database)) { error, count in
            Logger(label: "nuri.usage").error("usage not recorded", metadata: ["error": "\(error)", "records": "\(count)"])
        }
    }

    /// The application listening where the configuration says.
    public static func application(
        configuration: ServerConfiguration, database: Database, gateway: Gateway, guardServices: GuardServices, logger: Logger,
        usageRecorder: UsageRecorder? = nil, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let responder = router(configuration: configuration, database: database, gateway: gateway, guardServices: guardServices,
                               usageRecorder: usageRecorder).buildResponder()
        let serverName = "nuri"
        let direct = DirectRoutes(paths: ["/v1/chat/completions", "/v1/completions"], bodyLimit: configuration.maxBodySize,
                                  responder: responder, logger: logger, serverName: serverName)
        return Application(
            responder: responder,
            server: HTTPServerBuilder { NuriHTTPChannel(responder: $0, direct: direct) },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }
}
