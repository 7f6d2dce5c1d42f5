import ArgumentParser
import Dispatch
import Foundation
import Hummingbird
import Logging
import ResetPressServer
import ResetPressSite

/// `resetpress serve`: runs the HTTP server until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP server (SIGHUP re-reads settings and hooks; SIGINT/SIGTERM stop it gracefully).")

    @OptionGroup var site: SiteOptions

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 8080

    mutating func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
    }

    func run() async throws {
        site.bootstrapLogging()
        let logger = Logger(label: "resetpress")
        let opened = try await Site.open(site, logger: logger)
        let pidFile = Site.pidFile(site)
        try? "\(getpid())\n".write(to: pidFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let reloader = SignalReloader(logger: logger) {
            do {
                try await opened.engine.reload()
                logger.info("settings and hooks reloaded")
            } catch {
                logger.error("reload refused; the settings in force stay", metadata: ["error": "\(error)"])
            }
        }
        // The mail sender and the job loop run as services beside the server; SIGINT/SIGTERM end them
        // gracefully with it (the message being sent is finished).
        let app = ResetPressApplication.build(
            engine: opened.engine, configuration: ServerConfiguration(host: host, port: port), logger: logger,
            metrics: SiteMetrics(engine: opened.engine, outbox: opened.storage.outbox), services: opened.services,
            onServerRunning: { port in logger.info("listening", metadata: ["host": "\(host)", "port": "\(port)"]) })
        let served: Result<Void, any Error>
        do {
            try await app.runService()
            served = .success(())
        } catch {
            served = .failure(error)
        }
        reloader.cancel()
        await opened.close()
        try served.get()
    }
}

/// Runs `reload` whenever the process receives SIGHUP.
final class SignalReloader {
    private let source: any DispatchSourceSignal

    init(logger: Logger, reload: @escaping @Sendable () async -> Void) {
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            logger.info("SIGHUP received")
            Task { await reload() }
        }
        source.resume()
    }

    func cancel() { source.cancel() }
}
