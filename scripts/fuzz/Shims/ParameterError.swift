/// The fuzz builds' copy of `ResetPressHTTP.ParameterError` without its Hummingbird response conformance,
/// which is the only thing that ties the parser files to Hummingbird.
enum ParameterError: Error, Sendable, Equatable {
    /// The query string or body is not valid for its format.
    case malformed(reason: String)
    /// The body is larger than `limit` bytes.
    case tooLarge(limit: Int)
}
