/// Tells a node when any node wrote settings to the shared database, so it can reload them.
public protocol SettingsChangeFeed: Sendable {
    /// Starts listening and returns once listening is in place: every settings write committed
    /// after the return is yielded (writes from this node included).
    ///
    /// Each element lists the keys one write changed, sorted. An empty list means "changes may
    /// have been missed or are too many to name: reload everything" (sent after the feed lost its
    /// connection and listens again). The stream ends when the consumer stops iterating or the
    /// database shuts down.
    func changes() async throws -> AsyncStream<[String]>
}
