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
        let engine = Engine(root: root, settingsStore: database.settings, plugins: [], environment: [:])
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
