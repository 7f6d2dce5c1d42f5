import Logging
import NIOSSL

/// The state behind an ``SMTPTransport``: at most one open connection, used by one transaction at a time.
///
/// Callers queue in arrival order on a gate held for a whole transaction, so the actor's reentrancy never lets
/// two transactions share the connection.
actor SMTPSession {
    private let configuration: SMTPConfiguration
    private let logger: Logger
    private var connection: SMTPConnection?
    private var tlsContext: NIOSSLContext?
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var idleTimer: Task<Void, Never>?
    private var uses = 0
    /// How many connections have been opened.
    private(set) var connectionsOpened = 0

    init(configuration: SMTPConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends one message, connecting or reconnecting as needed, and returns the reply to its end of data.
    func deliver(from sender: String, to recipients: [String], data: [UInt8]) async throws(SMTPFailure) -> SMTPReply {
        await acquire()
        defer { release() }
        var retried = false
        while true {
            let (current, reused) = try await openConnection()
            do throws(SMTPFailure) {
                return try await current.send(from: sender, to: recipients, data: data)
            } catch .staleConnection(let text) {
                discard(current)
                guard reused, !retried else { throw .connection(text) }
                retried = true
                logger.debug("SMTP connection went stale; reconnecting", metadata: ["server": "\(configuration.serverDescription)"])
            } catch {
                if !current.channel.isActive { discard(current) }
                throw error
            }
        }
    }

    /// Waits for the current transaction, then says `QUIT` and closes the connection.
    func close() async {
        await acquire()
        defer { release() }
        await quitConnection()
    }

    /// The open connection and whether it was used before, or a new one.
    private func openConnection() async throws(SMTPFailure) -> (SMTPConnection, reused: Bool) {
        if let connection {
            if connection.channel.isActive { return (connection, true) }
            discard(connection)
        }
        let fresh = try await SMTPConnection.open(configuration, tls: try makeTLSContext())
        connectionsOpened += 1
        connection = fresh
        logger.debug("SMTP connected", metadata: [
            "server": "\(configuration.serverDescription)", "security": "\(configuration.security.rawValue)",
        ])
        return (fresh, false)
    }

    private func makeTLSContext() throws(SMTPFailure) -> NIOSSLContext? {
        guard configuration.security != .none else { return nil }
        if let tlsContext { return tlsContext }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let caFile = configuration.caFile, !caFile.isEmpty {
            tls.additionalTrustRoots = [.file(caFile)]
        }
        do {
            let context = try NIOSSLContext(configuration: tls)
            tlsContext = context
            return context
        } catch {
            let source = configuration.caFile.flatMap { $0.isEmpty ? nil : "the CA file \($0)" } ?? "the system's CA certificates"
            throw .configuration("cannot load \(source): \(error)")
        }
    }

    private func discard(_ stale: SMTPConnection) {
        stale.channel.close()
        if connection?.channel.channel === stale.channel.channel { connection = nil }
    }

    private func quitConnection() async {
        idleTimer?.cancel()
        idleTimer = nil
        guard let open = connection else { return }
        connection = nil
        await open.quit()
    }

    private func acquire() async {
        idleTimer?.cancel()
        idleTimer = nil
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the gate to the next caller, or starts the idle timer when nobody waits.
    private func release() {
        uses += 1
        guard waiting.isEmpty else {
            waiting.removeFirst().resume()
            return
        }
        busy = false
        guard connection != nil else { return }
        let generation = uses
        let delay = configuration.idleTimeout
        idleTimer = Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            await self?.closeIfIdle(generation: generation)
        }
    }

    private func closeIfIdle(generation: Int) async {
        guard !busy, uses == generation else { return }
        await acquire()
        defer { release() }
        if uses == generation {
            logger.debug("SMTP connection idle; closing", metadata: ["server": "\(configuration.serverDescription)"])
            await quitConnection()
        }
    }
}
