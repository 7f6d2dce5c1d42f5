import Foundation
import ResetPressStorage

/// The dashboard's charts as inline SVG drawn on the server: presentation attributes only (the
/// admin's CSP allows no inline style or script), `role="img"` with a `<title>` and `<desc>`.
enum DashboardChart {
    static let ink = "#1d2327"
    static let muted = "#646970"
    static let colors = (requests: "#2271b1", completed: "#00a32a", refused: "#d63638")

    /// A horizontal bar per outcome (``ResetEventKind``) with its count.
    static func outcomes(_ stats: ResetStats, id: String) -> String {
        let kinds = ResetEventKind.allCases
        let top = max(1, kinds.map { stats.count($0) }.max() ?? 0)
        let label = 120.0, bar = 260.0, row = 20.0
        let height = Double(kinds.count) * row + 10
        var out = open(
            id: "chart-outcomes-\(id)", width: label + bar + 60, height: height,
            title: "Outcomes, \(id)",
            desc: kinds.map { "\($0.rawValue) \(stats.count($0))" }.joined(separator: ", "))
        for (index, kind) in kinds.enumerated() {
            let y = 5 + Double(index) * row
            let count = stats.count(kind)
            let width = count == 0 ? 0 : max(1, bar * Double(count) / Double(top))
            let fill = ResetEventKind.refusals.contains(kind) || kind == .mailFailed ? colors.refused
                : (kind == .completed || kind == .mailSent ? colors.completed : colors.requests)
            out += text(x: label - 6, y: y + 14, anchor: "end", fill: ink, kind.rawValue)
            out += "<rect class=\"bar\" x=\"\(label)\" y=\"\(fmt(y + 3))\" width=\"\(fmt(width))\" height=\"\(fmt(row - 6))\" fill=\"\(fill)\"/>"
            out += text(x: label + width + 4, y: y + 14, anchor: "start", fill: muted, String(count))
        }
        return out + "</svg>"
    }

    /// Requests, completed and refused per slice of the window, as three grouped bars.
    static func timeline(_ stats: ResetStats, id: String) -> String {
        let buckets = stats.timeline
        let top = max(1, buckets.map { max($0.requests, $0.completed, $0.refused) }.max() ?? 0)
        let left = 30.0, plotWidth = 400.0, plotHeight = 160.0, top0 = 10.0
        let slot = plotWidth / Double(max(1, buckets.count))
        let barWidth = max(1, slot / 3 - 1)
        let summary = "\(buckets.count) slices from \(AdminFormat.date(stats.from)) to \(AdminFormat.date(stats.to)); "
            + "requests \(buckets.reduce(0) { $0 + $1.requests }), completed \(buckets.reduce(0) { $0 + $1.completed }), "
            + "refused \(buckets.reduce(0) { $0 + $1.refused })"
        var out = open(id: "chart-timeline-\(id)", width: left + plotWidth + 10, height: top0 + plotHeight + 40, title: "Timeline, \(id)", desc: summary)
        let base = top0 + plotHeight
        out += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(base))\" x2=\"\(fmt(left + plotWidth))\" y2=\"\(fmt(base))\" stroke=\"\(muted)\" stroke-width=\"1\"/>"
        out += text(x: left - 4, y: top0 + 10, anchor: "end", fill: muted, String(top))
        out += text(x: left - 4, y: base, anchor: "end", fill: muted, "0")
        for (index, bucket) in buckets.enumerated() {
            let x = left + Double(index) * slot
            for (offset, value, fill) in [(0.0, bucket.requests, colors.requests), (1.0, bucket.completed, colors.completed), (2.0, bucket.refused, colors.refused)] {
                let height = plotHeight * Double(value) / Double(top)
                guard height > 0 else { continue }
                out += "<rect class=\"bar\" x=\"\(fmt(x + offset * (barWidth + 1)))\" y=\"\(fmt(base - height))\" width=\"\(fmt(barWidth))\" "
                    + "height=\"\(fmt(height))\" fill=\"\(fill)\"><title>\(AdminPage.escape(AdminFormat.date(bucket.start))): \(value)</title></rect>"
            }
        }
        out += text(x: left, y: base + 14, anchor: "start", fill: muted, AdminFormat.date(stats.from))
        out += text(x: left + plotWidth, y: base + 14, anchor: "end", fill: muted, AdminFormat.date(stats.to))
        var legendX = left
        for (name, fill) in [("requests", colors.requests), ("completed", colors.completed), ("refused", colors.refused)] {
            out += "<rect x=\"\(fmt(legendX))\" y=\"\(fmt(base + 24))\" width=\"10\" height=\"10\" fill=\"\(fill)\"/>"
            out += text(x: legendX + 14, y: base + 33, anchor: "start", fill: ink, name)
            legendX += 90
        }
        return out + "</svg>"
    }

    /// The opening `<svg>` with its accessible name and description.
    private static func open(id: String, width: Double, height: Double, title: String, desc: String) -> String {
        let e = AdminPage.escape
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(e(id))\" class=\"chart\" role=\"img\" aria-labelledby=\"\(e(id))-title \(e(id))-desc\" "
            + "viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" font-family=\"sans-serif\" font-size=\"11\">"
            + "<title id=\"\(e(id))-title\">\(e(title))</title><desc id=\"\(e(id))-desc\">\(e(desc))</desc>"
    }

    private static func text(x: Double, y: Double, anchor: String, fill: String, _ content: String) -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\">\(AdminPage.escape(content))</text>"
    }

    /// A coordinate with at most one decimal.
    private static func fmt(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
