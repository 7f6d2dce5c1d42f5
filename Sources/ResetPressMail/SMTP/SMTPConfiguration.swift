import Foundation

/// Where and how ``SMTPTransport`` connects: server, security, credentials and time limits.
public struct SMTPConfiguration: Sendable, Hashable {
    /// How the connection is secured.
    public enum Security: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP (a local relay); credentials, if any, are sent unencrypted.
        case none
        /// Plain TCP upgraded with `STARTTLS` before anything else; a server that does not offer it is refused.
        case startTLS = "starttls"
        /// TLS from the first byte (port 465).
        case tls
    }

    /// The server's host name or IP address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// How the connection is secured; certificates are always verified.
    public var security: Security
    /// The user name for `AUTH`; empty for no authentication.
    public var username: String
    /// The password for `AUTH`.
    public var password: String
    /// A PEM file of CA certificates trusted besides the system's; nil or empty for the system's only.
    public var caFile: String?
    /// The name sent with `EHLO`; nil for this machine's host name when it is a full domain name, else the
    /// connection's local address as an address literal.
    public var heloName: String?
    /// The limit on making the TCP connection.
    public var connectTimeout: Duration
    /// The limit on each reply, the greeting and the TLS handshake included.
    public var commandTimeout: Duration
    /// The limit on the reply to the end of the message data.
    public var dataTimeout: Duration
    /// How long an unused connection stays open before it is closed with `QUIT`.
    public var idleTimeout: Duration
    /// How many connections may be open at once, each carrying one message at a time (at least 1).
    public var maxConnections: Int

    /// Creates a configuration.
    public init(
        host: String, port: Int = 587, security: Security = .startTLS, username: String = "", password: String = "",
        caFile: String? = nil, heloName: String? = nil, connectTimeout: Duration = .seconds(15),
        commandTimeout: Duration = .seconds(30), dataTimeout: Duration = .seconds(120), idleTimeout: Duration = .seconds(30),
        maxConnections: Int = 2
    ) {
        self.maxConnections = max(1, maxConnections)
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.caFile = caFile
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.dataTimeout = dataTimeout
        self.idleTimeout = idleTimeout
    }

    /// `host:port`, as error messages name the server.
    public var serverDescription: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The configured `EHLO` name, or this machine's name when it looks like a domain; nil when neither fits.
    var configuredOrHostHELOName: String? {
        let candidate = heloName ?? Self.localHostName
        let allowed = candidate.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E: true
            default: false
            }
        }
        guard allowed, !candidate.isEmpty else { return nil }
        return heloName != nil || candidate.contains(".") ? candidate : nil
    }

    /// `gethostname(2)`, read once.
    private static let localHostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}
