import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A TCP (or TLS) connection to an SMTP server with request/reply exchanges that time out.
struct SMTPChannel: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBound<SMTPClientHandler>

    /// Connects to `host:port`, wrapping the connection in TLS at once when `tls` is given (implicit TLS).
    static func connect(
        host: String, port: Int, tls: NIOSSLContext?, timeout: Duration
    ) async throws(SMTPFailure) -> SMTPChannel {
        let serverName = SMTPChannel.serverNameIndication(for: host)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout.timeAmount)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPClientHandler())
                }
            }
        do {
            // An IP literal needs no resolver (NIO's getaddrinfo round trip also fails spuriously under load).
            let channel = if let address = try? SocketAddress(ipAddress: host, port: port) {
                try await bootstrap.connect(to: address).get()
            } else {
                try await bootstrap.connect(host: host, port: port).get()
            }
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPClientHandler.self), eventLoop: channel.eventLoop)
            }.get()
            return SMTPChannel(channel: channel, handler: handler)
        } catch {
            throw .connection("cannot connect: \(Self.describe(error))")
        }
    }

    /// Whether the connection is still open.
    var isActive: Bool { channel.isActive }

    /// Sends `command` (without its CRLF; nil to only read, as for the greeting) and waits for the reply.
    /// `step` names the request in errors; it must not hold secrets.
    func exchange(_ command: String?, step: String, timeout: Duration) async throws(SMTPFailure) -> SMTPReply {
        try await exchange(bytes: command.map { ByteBuffer(string: $0 + "\r\n") }, step: step, timeout: timeout)
    }

    /// Sends raw `bytes` (nil to only read) and waits for the reply.
    func exchange(bytes: ByteBuffer?, step: String, timeout: Duration) async throws(SMTPFailure) -> SMTPReply {
        let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
        let amount = timeout.timeAmount
        channel.eventLoop.execute { [channel, handler] in
            handler.value.expectReply(promise, step: step, timeout: amount)
            if let bytes { channel.writeAndFlush(bytes, promise: nil) }
        }
        do {
            return try await promise.futureResult.get()
        } catch let failure as SMTPFailure {
            throw failure
        } catch {
            throw .connection(Self.describe(error))
        }
    }

    /// Sends `commands` in one write (RFC 2920 pipelining) and waits for every reply, in order: each is the reply,
    /// or the failure that took its place (a broken connection fails the rest with it).
    func pipeline(_ commands: [(command: String, step: String)], timeout: Duration) async -> [Result<SMTPReply, SMTPFailure>] {
        let promises = commands.map { _ in channel.eventLoop.makePromise(of: SMTPReply.self) }
        let amount = timeout.timeAmount
        var bytes = ByteBuffer()
        for (command, _) in commands { bytes.writeString(command + "\r\n") }
        channel.eventLoop.execute { [channel, handler, bytes] in
            for (promise, step) in zip(promises, commands.map(\.step)) { handler.value.expectReply(promise, step: step, timeout: amount) }
            channel.writeAndFlush(bytes, promise: nil)
        }
        var replies: [Result<SMTPReply, SMTPFailure>] = []
        for promise in promises {
            do {
                replies.append(.success(try await promise.futureResult.get()))
            } catch let failure as SMTPFailure {
                replies.append(.failure(failure))
            } catch {
                replies.append(.failure(.connection(Self.describe(error))))
            }
        }
        return replies
    }

    /// Puts TLS under the SMTP handler after a `220` to `STARTTLS`; refuses if the server already sent more.
    func startTLS(context: NIOSSLContext, host: String) async throws(SMTPFailure) {
        let serverName = Self.serverNameIndication(for: host)
        do {
            try await channel.eventLoop.submit { [channel, handler] in
                guard !handler.value.hasBufferedInput else {
                    throw SMTPFailure.protocolViolation("the server sent data right after accepting STARTTLS")
                }
                let tls = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                try channel.pipeline.syncOperations.addHandler(tls, position: .first)
            }.get()
        } catch let failure as SMTPFailure {
            close()
            throw failure
        } catch {
            close()
            throw .tls(Self.describe(error))
        }
    }

    /// Closes the connection without a goodbye.
    func close() {
        channel.close(promise: nil)
    }

    /// The host name for TLS SNI and certificate checks: nil for an IP address, whose certificate is checked
    /// against the address connected to.
    static func serverNameIndication(for host: String) -> String? {
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        let isAddress = host.withCString { inet_pton(AF_INET, $0, &ipv4) == 1 || inet_pton(AF_INET6, $0, &ipv6) == 1 }
        return isAddress || host.isEmpty ? nil : host
    }

    /// A short text for a NIO error: the first reason of a failed connect, or the error's own description.
    static func describe(_ error: any Error) -> String {
        if let connectionError = error as? NIOConnectionError {
            if let first = connectionError.connectionErrors.first {
                return "\(first.target): \(describe(first.error))"
            }
            if let dns = connectionError.dnsAError ?? connectionError.dnsAAAAError {
                return "cannot resolve \(connectionError.host): \(dns)"
            }
        }
        if let ioError = error as? IOError {
            return String(cString: strerror(ioError.errnoCode))
        }
        if case ChannelError.connectTimeout = error { return "timed out" }
        if case ChannelPipelineError.notFound = error { return "the server closed the connection at once" }
        return String(describing: error)
    }
}

extension Duration {
    /// The same span as a NIO `TimeAmount` (whole nanoseconds; negative spans become zero).
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        let whole = max(0, min(seconds, Int64.max / 1_000_000_000 - 1))
        return .nanoseconds(whole * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000)
    }
}
