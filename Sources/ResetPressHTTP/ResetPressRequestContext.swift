import HTTPTypes
public import Hummingbird
public import NIOCore

/// The request context of every ResetPress route: Hummingbird's core storage, the connected peer's
/// address, and the body limit the route enforces.
///
/// Under `app.test(.router)` no socket exists, so `remoteAddress` is `nil` and `peerIP` is `127.0.0.1`
/// (the request came from inside the process); under `.live` and in production it is the TCP peer.
public struct ResetPressRequestContext: ResetPressContext, RemoteAddressRequestContext {
    /// The body limit used until something sets `maxUploadSize` (SPEC `http.max_body_bytes` default, 64 KiB).
    public static let defaultMaxUploadSize = 64 * 1024
    /// The body deadline used until something sets `bodyTimeout` (the `http.idle_timeout_seconds` default).
    public static let defaultBodyTimeout = Duration.seconds(30)

    /// Hummingbird's per-request storage (logger, route parameters, endpoint path).
    public var coreContext: CoreRequestContextStorage
    /// The connected peer, when the request came over a socket.
    public let remoteAddress: SocketAddress?
    /// The connection the request came on (closed early after a dripped body).
    let channel: any Channel
    /// Largest request body accepted, in bytes: used by Hummingbird's `decode` and by
    /// `RequestParameters.read(from:context:)`. `BodyLimitMiddleware` sets it from the live setting.
    public var maxUploadSize: Int
    /// How long a request body may take to arrive whole; `BodyLimitMiddleware` sets it from
    /// `http.idle_timeout_seconds`.
    public var bodyTimeout: Duration

    /// Creates the context for a request that arrived on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
        self.maxUploadSize = Self.defaultMaxUploadSize
        self.bodyTimeout = Self.defaultBodyTimeout
    }

    /// The peer's IP address as text (`127.0.0.1` when there is no IP peer: router tests, Unix sockets).
    public var peerIP: String {
        remoteAddress?.ipAddress ?? "127.0.0.1"
    }

    /// Closes the connection's input (after a dripped body).
    public func closeInput() {
        channel.close(mode: .input, promise: nil)
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`.
    static var xForwardedFor: Self { Self("X-Forwarded-For")! }
}
