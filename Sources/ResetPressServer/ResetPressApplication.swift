import Hummingbird
import Logging
import ResetPressEngine
import ResetPressStorage

/// Builds the Hummingbird application that serves a site.
public enum ResetPressApplication {
    /// The application for `engine`, listening as `configuration` says.
    public static func build(
        engine: Engine, database: SQLiteDatabase, configuration: ServerConfiguration, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(engine: engine, database: database),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ResetPress"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// The routes of the site: health, then every active plugin's.
    public static func buildRouter(engine: Engine, database: SQLiteDatabase) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.addRoutes(HealthRoutes(database: database).routes)
        return router
    }
}
