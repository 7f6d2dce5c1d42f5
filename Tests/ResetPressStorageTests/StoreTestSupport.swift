import Foundation
import GRDB
@testable import ResetPressStorage

/// A fresh database in its own temporary folder.
func makeTemporaryDatabase() throws -> SQLiteDatabase {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-store-\(UUID().uuidString)")
    return try SQLiteDatabase(dataDirectory: folder)
}

/// Runs `body` with the path of a database file that `seed` filled as the schema was after
/// `migration` (opening it with `SQLiteDatabase` applies the migrations after), in a folder removed afterwards.
func withEarlierDatabase(upTo migration: String, seed: @escaping @Sendable (Database) throws -> Void, _ body: (String) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-earlier-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("resetpress.sqlite").path
    do {
        let earlier = try DatabasePool(path: path)
        try SchemaMigrations.migrator.migrate(earlier, upTo: migration)
        try await earlier.write(seed)
    }
    try await body(path)
}
