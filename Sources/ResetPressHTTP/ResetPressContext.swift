public import Hummingbird

/// What the ResetPress routes need from a request context, so a host mounts them on a router of its
/// own context type: the peer's address (for the client IP), and the body limit and deadline the
/// routes read bodies with.
///
/// ``ResetPressRequestContext`` is the standalone server's; a host adds these members to its own
/// context (see `Sources/ResetPressExampleHost`) and puts ``BodyLimitMiddleware`` in front to set
/// the limits from the live settings.
public protocol ResetPressContext: RequestContext {
    /// The connected peer's IP address as text (`127.0.0.1` when there is no IP peer).
    var peerIP: String { get }
    /// Largest request body accepted, in bytes.
    var maxUploadSize: Int { get set }
    /// How long a request body may take to arrive whole.
    var bodyTimeout: Duration { get set }
    /// Ends the connection's input, so a connection whose body was dripped closes after its answer;
    /// a context without a channel may do nothing.
    func closeInput()
}

extension ResetPressContext {
    /// The client's IP address: the peer, or the X-Forwarded-For walk of `ClientAddress.resolve` when the
    /// peer is one of `trustedProxies`.
    public func clientIP(for request: Request, trustedProxies: [CIDR]) -> String {
        let forwarded = request.headers[values: .xForwardedFor]
        return ClientAddress.resolve(
            peer: peerIP,
            forwardedFor: forwarded.isEmpty ? nil : forwarded.joined(separator: ","),
            trustedProxies: trustedProxies
        )
    }
}

extension RequestParameters {
    /// Collects and parses the parameters of `request` with the context's body limit and deadline.
    public static func read(
        from request: Request,
        context: some ResetPressContext
    ) async throws(ParameterError) -> RequestParameters {
        try await read(from: request, limit: context.maxUploadSize, timeout: context.bodyTimeout)
    }
}
