import Foundation
import Hummingbird
import ResetPressHTTP
import ResetPressStorage

extension AdminRoutes {
    /// The dashboard at `/admin/dashboard`: the figures of `resetpress stats` for the last 24 hours
    /// and the last 30 days, with server-drawn SVG charts.
    func addDashboardRoutes(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/dashboard", use: page { _, _, session in try await dashboardPage(session) })
    }

    /// The windows the dashboard shows: id, heading, length in seconds.
    static let dashboardWindows: [(id: String, title: String, span: TimeInterval)] = [
        ("24h", "Last 24 hours", 86_400), ("30d", "Last 30 days", 30 * 86_400),
    ]

    private func dashboardPage(_ session: AdminSession) async throws -> Response {
        let now = site.now
        var content = ""
        if let events = site.events {
            for window in Self.dashboardWindows {
                let stats = try await ResetStats.read(events: events, outbox: site.outbox, from: now.addingTimeInterval(-window.span), to: now)
                content += DashboardSection(id: window.id, title: window.title, stats: stats).html
            }
            content += "<p class=\"hint\">The same figures on the server: <code>resetpress stats --since 24h</code> "
                + "(or <code>--since 30d</code>, <code>--json</code>).</p>"
        } else {
            content = "<p id=\"no-events\">This site records no events, so there is nothing to show.</p>"
        }
        return try await renderWithNotices(title: "Dashboard", content: content, session: session, current: "/admin/dashboard")
    }
}

/// One window of the dashboard as HTML: figures in tables (ids `<field>-<window>`), an outcome bar
/// chart and a timeline. Every value is escaped.
struct DashboardSection {
    let id: String
    let title: String
    let stats: ResetStats

    var html: String {
        let e = AdminPage.escape
        let rate = stats.completionRate.map { String(format: "%.1f %%", $0 * 100) } ?? "–"
        let seconds = { (value: Double?) in value.map { String(format: "%.2f s", $0) } ?? "–" }
        var out = "<section class=\"dashboard-window\" id=\"window-\(e(id))\"><h2>\(e(title)) "
            + "<code>\(e(AdminFormat.date(stats.from))) – \(e(AdminFormat.date(stats.to)))</code></h2>"
        out += "<table class=\"list figures\" id=\"figures-\(e(id))\"><tbody>"
        out += "<tr><th>Completion rate</th><td id=\"completion-rate-\(e(id))\">\(e(rate))</td>"
            + "<td>\(stats.count(.completed)) completed of \(stats.count(.codeIssued)) codes issued</td></tr>"
        out += "<tr><th>Request to delivery</th><td>median <span id=\"delivery-median-\(e(id))\">\(e(seconds(stats.deliveryMedianSeconds)))</span></td>"
            + "<td>p95 <span id=\"delivery-p95-\(e(id))\">\(e(seconds(stats.deliveryP95Seconds)))</span></td></tr>"
        let queue = QueueStatus.allCases.map { status in
            "\(e(status.rawValue)) <span id=\"queue-\(e(status.rawValue))-\(e(id))\">\(stats.queue[status.rawValue] ?? 0)</span>"
        }
        out += "<tr><th>Queue now</th><td colspan=\"2\">\(queue.joined(separator: " · "))</td></tr></tbody></table>"

        out += "<div class=\"charts\">" + DashboardChart.outcomes(stats, id: id) + DashboardChart.timeline(stats, id: id) + "</div>"

        out += "<table class=\"list outcomes\" id=\"outcomes-\(e(id))\"><thead><tr><th>Outcome</th><th>Count</th></tr></thead><tbody>"
        for kind in ResetEventKind.allCases {
            out += "<tr><td>\(e(kind.rawValue))</td><td id=\"count-\(e(kind.rawValue))-\(e(id))\">\(stats.count(kind))</td></tr>"
        }
        out += "</tbody></table>"

        out += AdminPage.listTable(
            id: "refused-ips-\(e(id))", headers: ["Refused client IP", "Count"], stats.topRefusedIPs,
            empty: ("refused-ips-\(e(id))", "No client IP was refused.")
        ) { entry in
            "<tr><td class=\"refused-ip\">\(e(entry.ip))</td><td class=\"refused-count\">\(entry.count)</td></tr>"
        }
        return out + "</section>"
    }
}
