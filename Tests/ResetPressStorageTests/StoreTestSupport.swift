import Foundation
import ResetPressMail
@testable import ResetPressStorage

/// A fresh database in its own temporary folder.
func makeTemporaryDatabase() throws -> SQLiteDatabase {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-store-\(UUID().uuidString)")
    return try SQLiteDatabase(dataDirectory: folder)
}

/// A whole-second time, so it survives the REAL seconds column exactly.
func testTime(_ offset: TimeInterval = 0) -> Date {
    Date(timeIntervalSince1970: 1_700_000_000 + offset)
}

/// A message to queue, addressed to `to`.
func testMail(kind: String = "reset_code", to: String = "ann@example.com", subject: String = "Your code") throws -> OutboxMail {
    let message = MailMessage(
        from: try MailAddress(email: "site@example.com", name: "Site"),
        to: [try MailAddress(email: to)],
        subject: subject,
        textBody: "Code: 123456",
        htmlBody: "<p>Code: <b>123456</b></p>")
    return OutboxMail(kind: kind, message: message, messageID: "<\(UUID().uuidString)@example.com>")
}
