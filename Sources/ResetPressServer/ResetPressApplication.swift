import Hummingbird
import Logging
import ResetPressEngine
import ResetPressHTTP
import ServiceLifecycle

/// Builds the Hummingbird application that serves a site.
public enum ResetPressApplication {
    /// The application for `engine`, listening as `configuration` says, running `services` (the mail
    /// sender, the job loop) beside the server and ending them gracefully with it.
    public static func build(
        engine: Engine, configuration: ServerConfiguration, logger: Logger, metrics: SiteMetrics? = nil, services: [any Service] = [],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        // Idle and slow clients are cut off instead of holding a connection for ever.
        let idleSeconds = Int64(engine.settings[HTTPSettings.idleTimeoutSeconds])
        return Application(
            responder: buildResponder(engine: engine, metrics: metrics),
            server: .http1(configuration: .init(idleTimeout: .seconds(idleSeconds))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ResetPress"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// The site's responder: SJL's `/wp-json/...` and `?rest_route=` forms are rewritten before routing.
    public static func buildResponder(engine: Engine, metrics: SiteMetrics? = nil) -> some HTTPResponder<ResetPressRequestContext> {
        buildRouter(engine: engine, metrics: metrics).buildResponder().rewritingRESTRoutes()
    }

    /// The routes of the site: health and metrics, then every active plugin's, behind CORS and the body limit;
    /// last, `OPTIONS` and `405` for the methods a path does not route.
    public static func buildRouter(engine: Engine, metrics: SiteMetrics? = nil) -> Router<ResetPressRequestContext> {
        let router = Router(context: ResetPressRequestContext.self, options: .autoGenerateHeadEndpoints)
        let settings = engine.settings
        let apiPrefix = "/\(settings[HTTPSettings.namespace])/"
        if let metrics {
            router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        }
        router.add(middleware: CORSPolicyMiddleware(CORSPolicy(covers: { $0.hasPrefix(apiPrefix) }) { settings[HTTPSettings.corsOrigins] }))
        router.add(middleware: BodyLimitMiddleware(
            limit: { settings[HTTPSettings.maxBodyBytes] }, timeoutSeconds: { settings[HTTPSettings.idleTimeoutSeconds] }))
        router.addRoutes(HealthRoutes(metrics: metrics).routes)
        router.addRoutes(OpenAPIRoute(root: engine.root, namespace: settings[HTTPSettings.namespace]).routes)
        for case let plugin as any RoutePlugin in engine.plugins where engine.isActive(plugin.id) {
            plugin.addRoutes(to: router, engine: engine)
        }
        MethodFallbackRoutes.add(to: router)
        return router
    }
}
