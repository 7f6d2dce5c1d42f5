import Foundation
import Testing
@testable import ResetPressStorage

/// Runtime data is owner-only: a fresh data folder and database, and shared ones found at start.
@Suite struct PrivateFilesTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-modes-\(UUID().uuidString)")

    private func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func aFreshDataFolderAndDatabaseAreOwnerOnly() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("var")
        let database = try SQLiteDatabase(dataDirectory: data)
        try await database.settings.apply(["a.key": .string("written")])  // makes SQLite open its -wal and -shm
        let file = data.appendingPathComponent(SQLiteDatabase.fileName).path
        #expect(try mode(data.path) == 0o700)
        for path in [file, file + "-wal", file + "-shm"] {
            #expect(FileManager.default.fileExists(atPath: path), "\(path) missing")
            #expect(try mode(path) == 0o600, "\(path)")
        }
        #expect(database.permissionNotes.isEmpty)
    }

    @Test func aSharedDataFolderAndDatabaseAreTightenedAndReported() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        do { _ = try SQLiteDatabase(dataDirectory: folder) }
        let file = folder.appendingPathComponent(SQLiteDatabase.fileName).path
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)

        let folderNotes = try PrivateFiles.secureDirectory(folder)
        let reopened = try SQLiteDatabase(path: file)
        #expect(try mode(folder.path) == 0o700)
        #expect(try mode(file) == 0o600)
        #expect(folderNotes.count == 1 && folderNotes[0].contains(folder.path) && folderNotes[0].contains("was mode 755"))
        #expect(reopened.permissionNotes.contains { $0.contains(file) && $0.contains("was mode 644") })
    }

    @Test func aSharedStickyFolderIsReportedNotChanged() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: folder.path)
        let notes = try PrivateFiles.secureDirectory(folder)
        #expect(try mode(folder.path) == 0o1777)
        #expect(notes.count == 1 && notes[0].contains("chmod 700"))
    }
}
