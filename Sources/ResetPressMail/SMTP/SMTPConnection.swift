import Foundation
import NIOCore
import NIOSSL

/// An SMTP session ready for mail: connected, greeted, secured as configured and authenticated.
///
/// Not safe for overlapping use: ``SMTPTransport`` runs one transaction at a time on it.
struct SMTPConnection: Sendable {
    let channel: SMTPChannel
    let capabilities: SMTPCapabilities
    private let configuration: SMTPConfiguration

    /// Connects and runs greeting, `EHLO`, `STARTTLS` and `AUTH` as `configuration` asks.
    static func open(_ configuration: SMTPConfiguration, tls: NIOSSLContext?) async throws(SMTPFailure) -> SMTPConnection {
        guard !configuration.host.isEmpty else { throw .configuration("no SMTP server host is set") }
        guard (1...65535).contains(configuration.port) else { throw .configuration("port \(configuration.port) is not valid") }
        let implicitTLS = configuration.security == .tls ? tls : nil
        let channel = try await SMTPChannel.connect(
            host: configuration.host, port: configuration.port, tls: implicitTLS, timeout: configuration.connectTimeout)
        do throws(SMTPFailure) {
            let timeout = configuration.commandTimeout
            let greeting = try await channel.exchange(nil, step: "the greeting", timeout: timeout)
            guard greeting.code == 220 else { throw SMTPFailure.reply(step: "the greeting", reply: greeting, forMessage: false) }
            let name = configuration.configuredOrHostHELOName ?? Self.addressLiteral(channel.channel.localAddress)
            var capabilities = try await hello(channel, name: name, timeout: timeout)
            if configuration.security == .startTLS {
                guard capabilities.offers("STARTTLS"), let tls else {
                    throw SMTPFailure.configuration("the server does not offer STARTTLS; use security tls or none if that is intended")
                }
                let reply = try await channel.exchange("STARTTLS", step: "STARTTLS", timeout: timeout)
                guard reply.code == 220 else { throw SMTPFailure.reply(step: "STARTTLS", reply: reply, forMessage: false) }
                try await channel.startTLS(context: tls, host: configuration.host)
                capabilities = try await hello(channel, name: name, timeout: timeout)
            }
            if !configuration.username.isEmpty {
                try await SMTPAuthenticator(channel: channel, timeout: timeout).authenticate(
                    username: configuration.username, password: configuration.password, offered: capabilities.authMechanisms)
            }
            return SMTPConnection(channel: channel, capabilities: capabilities, configuration: configuration)
        } catch {
            channel.close()
            throw error
        }
    }

    /// Sends one message: `MAIL FROM`, `RCPT TO` for each recipient, `DATA` and the dot-stuffed `data`.
    /// Returns the server's reply to the end of the data. After a refusal the transaction is reset with `RSET` so
    /// the connection stays usable. A broken connection or a `421` at `MAIL FROM` is ``SMTPFailure/staleConnection(_:)``.
    ///
    /// When the server offers `PIPELINING` (RFC 2920) the envelope goes in one write: `MAIL FROM`, every `RCPT TO`
    /// and, for one recipient, `DATA` (two round trips a message instead of four); with several recipients `DATA`
    /// waits until every one was accepted, so a message still goes to all or none.
    func send(from sender: String, to recipients: [String], data: [UInt8]) async throws(SMTPFailure) -> SMTPReply {
        var mailCommand = "MAIL FROM:<\(sender)>"
        if capabilities.offers("SIZE") { mailCommand += " SIZE=\(data.count)" }
        let envelope = [(command: mailCommand, step: "MAIL FROM:<\(sender)>")] + recipients.map { (command: "RCPT TO:<\($0)>", step: "RCPT TO:<\($0)>") }
        let dataAccepted = capabilities.offers("PIPELINING")
            ? try await sendPipelined(envelope, withData: recipients.count == 1)
            : try await sendOneByOne(envelope)
        if !dataAccepted {
            do throws(SMTPFailure) {
                try Self.require(try await channel.exchange("DATA", step: "DATA", timeout: configuration.commandTimeout), 354, step: "DATA")
            } catch {
                await reset()
                throw error
            }
        }
        let final = try await channel.exchange(
            bytes: ByteBuffer(bytes: data), step: "the end of the message", timeout: configuration.dataTimeout)
        guard final.code == 250 else {
            await reset()
            throw .reply(step: "the end of the message", reply: final, forMessage: true)
        }
        return final
    }

    /// Sends the envelope a command at a time, stopping at the first refusal; returns false (`DATA` not sent yet).
    private func sendOneByOne(_ envelope: [(command: String, step: String)]) async throws(SMTPFailure) -> Bool {
        let timeout = configuration.commandTimeout
        let mailReply: SMTPReply
        do throws(SMTPFailure) {
            mailReply = try await channel.exchange(envelope[0].command, step: envelope[0].step, timeout: timeout)
        } catch .connection(let text) {
            throw .staleConnection(text)
        }
        if mailReply.code == 421 { throw .staleConnection("MAIL FROM answered \(mailReply)") }
        do throws(SMTPFailure) {
            try Self.check(mailReply, step: envelope[0].step, accepted: [250])
            for (command, step) in envelope.dropFirst() {
                try Self.check(try await channel.exchange(command, step: step, timeout: timeout), step: step, accepted: [250, 251])
            }
        } catch {
            await reset()
            throw error
        }
        return false
    }

    /// Sends the envelope, and `DATA` when `withData`, in one write, then checks the replies in order; returns
    /// whether `DATA` was sent and accepted. A server that accepts `DATA` after refusing the envelope is given
    /// an empty message's end before the reset, so nothing of this message reaches anyone.
    private func sendPipelined(_ envelope: [(command: String, step: String)], withData: Bool) async throws(SMTPFailure) -> Bool {
        let commands = withData ? envelope + [(command: "DATA", step: "DATA")] : envelope
        let replies = await channel.pipeline(commands, timeout: configuration.commandTimeout)
        let mailReply: SMTPReply
        switch replies[0] {
        case .failure(.connection(let text)): throw .staleConnection(text)
        case .failure(let failure): throw failure
        case .success(let reply): mailReply = reply
        }
        if mailReply.code == 421 { throw .staleConnection("MAIL FROM answered \(mailReply)") }
        var refusal: SMTPFailure?
        var dataAccepted = false
        for (index, outcome) in replies.enumerated() {
            let reply: SMTPReply
            switch outcome {
            case .failure(let failure): throw failure
            case .success(let answer): reply = answer
            }
            if index == envelope.count {  // DATA
                dataAccepted = reply.code == 354
                if refusal == nil, !dataAccepted { refusal = .reply(step: "DATA", reply: reply, forMessage: true) }
            } else if refusal == nil, !(index == 0 ? [250] : [250, 251]).contains(reply.code) {
                refusal = .reply(step: commands[index].step, reply: reply, forMessage: true)
            }
        }
        guard let refusal else { return dataAccepted }
        if dataAccepted {
            _ = try? await channel.exchange(".", step: "the end of an abandoned message", timeout: configuration.commandTimeout)
        }
        await reset()
        throw refusal
    }

    /// Says `QUIT` (waiting briefly for the answer) and closes.
    func quit() async {
        if channel.isActive {
            _ = try? await channel.exchange("QUIT", step: "QUIT", timeout: .seconds(2))
        }
        channel.close()
    }

    /// `RSET` after a refused transaction; the connection is closed when that fails too.
    private func reset() async {
        guard channel.isActive else { return }
        do {
            let reply = try await channel.exchange("RSET", step: "RSET", timeout: configuration.commandTimeout)
            if reply.code != 250 { channel.close() }
        } catch {
            channel.close()
        }
    }

    /// `EHLO`, falling back to `HELO` for a server that does not know `EHLO`.
    private static func hello(_ channel: SMTPChannel, name: String, timeout: Duration) async throws(SMTPFailure) -> SMTPCapabilities {
        let reply = try await channel.exchange("EHLO \(name)", step: "EHLO", timeout: timeout)
        if reply.code == 250 { return SMTPCapabilities(ehloReply: reply) }
        guard reply.code == 500 || reply.code == 502 else { throw .reply(step: "EHLO", reply: reply, forMessage: false) }
        try require(try await channel.exchange("HELO \(name)", step: "HELO", timeout: timeout), 250, step: "HELO", forMessage: false)
        return SMTPCapabilities()
    }

    private static func require(_ reply: SMTPReply, _ code: Int, step: String, forMessage: Bool = true) throws(SMTPFailure) {
        guard reply.code == code else { throw .reply(step: step, reply: reply, forMessage: forMessage) }
    }

    /// Throws the refusal of a message's command unless its reply code is one of `accepted`.
    private static func check(_ reply: SMTPReply, step: String, accepted: Set<Int>) throws(SMTPFailure) {
        guard accepted.contains(reply.code) else { throw .reply(step: step, reply: reply, forMessage: true) }
    }

    /// `[192.0.2.1]` or `[IPv6:2001:db8::1]` for the local end of the connection (`[127.0.0.1]` when unknown).
    private static func addressLiteral(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress else { return "[127.0.0.1]" }
        if case .v6 = address { return "[IPv6:\(ip)]" }
        return "[\(ip)]"
    }
}
