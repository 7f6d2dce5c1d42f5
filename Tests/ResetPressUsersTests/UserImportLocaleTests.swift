import Foundation
import Testing
@testable import ResetPressUsers

/// The `locale` column of a user CSV (issue 14, item 2).
@Suite struct UserImportLocaleTests {
    @Test func localesAreNormalizedAndBadOnesSkipTheLine() async throws {
        let csv = "email,locale\na@example.com,fr_ca\nb@example.com,\nc@example.com,not a tag\n"
        let result = try UserImport.parse(csv: csv)
        #expect(result.rows.map(\.locale) == ["fr-CA", ""])
        #expect(result.problems.map(\.line) == [4])
        #expect(result.problems.first?.message.contains("locale 'not a tag'") == true)
        let user = try await #require(result.rows.first).newUser(hashingWith: PasswordHasher(maxConcurrent: 1), cost: 4)
        #expect(user.locale == "fr-CA")
    }
}
