import Foundation
import Hummingbird
import HummingbirdTesting
import ResetPressEngine
import ResetPressStorage
import Testing
@testable import ResetPressServer

@Suite struct HealthRouteTests {
    func site() async throws -> Engine {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-server-\(UUID().uuidString)")
        let database = try SQLiteDatabase(dataDirectory: root.appendingPathComponent("var"))
        let engine = Engine(root: root, settingsStore: database.settings, environment: [:])
        try await engine.start()
        return engine
    }

    @Test func healthzAnswersOKWithoutASocket() async throws {
        let engine = try await site()
        let app = Application(responder: ResetPressApplication.buildResponder(engine: engine))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
                #expect(response.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test func healthzAnswersOverARealSocket() async throws {
        let engine = try await site()
        let app = ResetPressApplication.build(
            engine: engine, configuration: ServerConfiguration(host: "127.0.0.1", port: 0), logger: engine.logger)
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

@Suite struct MetricsRouteTests {
    @Test func metricsCountRequestsPerRouteAndStatus() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-metrics-\(UUID().uuidString)")
        let database = try SQLiteDatabase(dataDirectory: root.appendingPathComponent("var"))
        let engine = Engine(root: root, settingsStore: database.settings, environment: [:])
        try await engine.start()
        let metrics = SiteMetrics(engine: engine, outbox: database.outbox)
        let app = Application(responder: ResetPressApplication.buildResponder(engine: engine, metrics: metrics))
        try await app.test(.router) { client in
            for _ in 0..<3 { try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) } }
            try await client.execute(uri: "/missing", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(text.contains(#"resetpress_http_requests_total{route="/healthz",method="GET",status="200"} 3"#))
                #expect(text.contains(#"status="404""#))
                #expect(text.contains("resetpress_http_request_duration_seconds_bucket"))
                #expect(text.contains(#"resetpress_outbox_messages{status="queued"} 0"#))
            }
        }
    }
}
