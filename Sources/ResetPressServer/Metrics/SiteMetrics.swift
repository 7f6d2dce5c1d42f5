import CoreMetrics
import Foundation
import Prometheus
import ResetPressEngine
import ResetPressStorage
import Synchronization

/// The site's Prometheus metrics: requests per route and status, latencies, codes issued,
/// throttled and refused resets, `resetpress_events_total` per recorded outcome, and the outbox by
/// status (read when scraped).
///
/// Each site owns its registry (no global bootstrap), so several apps can live in one process.
public final class SiteMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    private let outbox: (any MailOutbox)?
    /// The request counter and timer of each route, method and status seen, made once: making a metric
    /// validates its name and looks it up in the registry under a lock.
    private let requestMetrics = MetricCache<RequestKey, (counter: CoreMetrics.Counter, timer: CoreMetrics.Timer)>()

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    /// Creates the metrics of a site and subscribes to the reset module's audit hooks.
    public init(engine: Engine, outbox: (any MailOutbox)?) {
        var configured = PrometheusMetricsFactory(registry: registry)
        configured.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        ]
        let factory = configured
        self.factory = factory
        self.outbox = outbox
        let issued = Counter(label: "resetpress_codes_issued_total", factory: factory)
        engine.hooks.addAction("reset_password_code_created", priority: 1000, label: "metrics") { (_: String, _) in issued.increment() }
        let changed = Counter(label: "resetpress_passwords_changed_total", factory: factory)
        engine.hooks.addAction("password_reset", priority: 1000, label: "metrics") { (_: String, _) in changed.increment() }
        let refusals = MetricCache<String, CoreMetrics.Counter>()
        engine.hooks.addAction("reset_password_failed", priority: 1000, label: "metrics") { (reason: String, _) in
            refusals.metric(for: reason) {
                Counter(label: "resetpress_resets_refused_total", dimensions: [("reason", reason)], factory: factory)
            }.increment()
        }
        // One counter per outcome the events table records (request, code_issued, completed, each refusal, mail_sent, ...).
        let outcomes = MetricCache<String, CoreMetrics.Counter>()
        engine.hooks.addAction(EventRecorder.actionName, priority: 1000, label: "metrics") { (outcome: String, _) in
            outcomes.metric(for: outcome) {
                Counter(label: "resetpress_events_total", dimensions: [("outcome", outcome)], factory: factory)
            }.increment()
        }
    }

    /// Counts one answered request and its duration.
    func record(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let metrics = requestMetrics.metric(for: key) {
            (
                counter: Counter(
                    label: "resetpress_http_requests_total",
                    dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory),
                timer: Timer(label: "resetpress_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory)
            )
        }
        metrics.counter.increment()
        metrics.timer.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// The metrics in Prometheus text format, with the outbox gauges read now.
    public func render() async -> String {
        if let outbox, let counts = try? await outbox.counts() {
            for (status, count) in counts {
                Gauge(label: "resetpress_outbox_messages", dimensions: [("status", status.rawValue)], factory: factory).record(count)
            }
        }
        return registry.emitToString()
    }
}

/// Metrics made once per key and kept: making one validates its name and looks it up in the registry
/// under the registry's lock, which cost more than the request it counts.
final class MetricCache<Key: Hashable & Sendable, Metric>: Sendable {
    private let made = Mutex<[Key: Metric]>([:])

    /// The metric of `key`, made by `make` the first time.
    func metric(for key: Key, make: () -> Metric) -> Metric {
        made.withLock { made in
            if let metric = made[key] { return metric }
            let metric = make()
            made[key] = metric
            return metric
        }
    }
}
