import Foundation
@testable import ResetPressStorage

/// A fresh database in its own temporary folder.
func makeTemporaryDatabase() throws -> SQLiteDatabase {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-store-\(UUID().uuidString)")
    return try SQLiteDatabase(dataDirectory: folder)
}
