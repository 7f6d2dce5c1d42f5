import Foundation

/// The owner's figures for one time window: what `resetpress stats` prints and the dashboard draws.
public struct ResetStats: Sendable, Equatable, Codable {
    /// A client IP and how many times it was refused (rate-limited or throttled).
    public struct RefusedIP: Sendable, Equatable, Codable {
        public var ip: String
        public var count: Int
    }

    /// The counts of one slice of the window, for the timeline chart.
    public struct Bucket: Sendable, Equatable, Codable {
        public var start: Date
        public var requests: Int
        public var completed: Int
        public var refused: Int
    }

    /// The window, `[from, to)`.
    public var from: Date
    public var to: Date
    /// Events per kind (``ResetEventKind`` raw values), every kind present, zero included.
    public var counts: [String: Int]
    /// Completed changes per code issued; nil when no code was issued.
    public var completionRate: Double?
    /// The median time from request (queuing) to delivery of the mail sent in the window, in seconds.
    public var deliveryMedianSeconds: Double?
    /// The 95th percentile (nearest rank) of the same times.
    public var deliveryP95Seconds: Double?
    /// Outbox entries per status now (``QueueStatus`` raw values), zero included.
    public var queue: [String: Int]
    /// The most refused client IPs, most first.
    public var topRefusedIPs: [RefusedIP]
    /// The window cut into equal slices, oldest first.
    public var timeline: [Bucket]

    enum CodingKeys: String, CodingKey {
        case from, to, counts, queue, timeline
        case completionRate = "completion_rate"
        case deliveryMedianSeconds = "delivery_median_seconds"
        case deliveryP95Seconds = "delivery_p95_seconds"
        case topRefusedIPs = "top_refused_ips"
    }

    /// The count of `kind` in the window.
    public func count(_ kind: ResetEventKind) -> Int { counts[kind.rawValue] ?? 0 }

    /// Reads the figures of `[from, to)` from `events` and the queue from `outbox`, with the window
    /// cut into `buckets` slices for the timeline (by default 24 up to two days, else one a day, at
    /// most 90) and at most `topIPs` refused IPs.
    public static func read(
        events: any EventStore, outbox: any MailOutbox, from: Date, to: Date, buckets: Int? = nil, topIPs: Int = 10
    ) async throws -> ResetStats {
        let span = max(1, to.timeIntervalSince(from))
        let buckets = max(1, buckets ?? (span <= 2 * 86_400 ? 24 : min(90, Int((span / 86_400).rounded(.up)))))
        let counts = try await events.counts(from: from, to: to)
        let times = try await events.deliveryTimes(from: from, to: to)
        let queue = try await outbox.counts()
        let issued = counts[.codeIssued] ?? 0
        var timeline: [Bucket] = []
        let step = span / Double(buckets)
        for index in 0..<buckets {
            let start = from.addingTimeInterval(step * Double(index))
            let slice = try await events.counts(from: start, to: index == buckets - 1 ? to : start.addingTimeInterval(step))
            timeline.append(Bucket(
                start: start, requests: slice[.request] ?? 0, completed: slice[.completed] ?? 0,
                refused: ResetEventKind.refusals.reduce(0) { $0 + (slice[$1] ?? 0) }))
        }
        return ResetStats(
            from: from, to: to,
            counts: Dictionary(uniqueKeysWithValues: ResetEventKind.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
            completionRate: issued > 0 ? Double(counts[.completed] ?? 0) / Double(issued) : nil,
            deliveryMedianSeconds: median(times), deliveryP95Seconds: percentile(times, 0.95),
            queue: Dictionary(uniqueKeysWithValues: QueueStatus.allCases.map { ($0.rawValue, queue[$0] ?? 0) }),
            topRefusedIPs: try await events.topRefusedIPs(from: from, to: to, limit: topIPs).map { RefusedIP(ip: $0.ip, count: $0.count) },
            timeline: timeline)
    }

    /// The median of ascending `values` (the mean of the middle two for an even count); nil when empty.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let middle = values.count / 2
        return values.count.isMultiple(of: 2) ? (values[middle - 1] + values[middle]) / 2 : values[middle]
    }

    /// The `quantile` of ascending `values` by nearest rank; nil when empty.
    static func percentile(_ values: [Double], _ quantile: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let rank = Int((quantile * Double(values.count)).rounded(.up))
        return values[min(values.count, max(1, rank)) - 1]
    }
}
