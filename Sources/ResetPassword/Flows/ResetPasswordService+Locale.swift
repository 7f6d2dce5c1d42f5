import Foundation
import ResetPressStorage

/// Whose language a link's page speaks (issue 14, item 2): the user a link or cancel token belongs to.
///
/// These read and never write: opening a link (GET, HEAD, a mail scanner) still changes nothing.
extension ResetPasswordService {
    /// The locale of the user whose pending reset `linkToken` belongs to, live or expired; "" when
    /// the token matches no pending reset or its user has no locale.
    func userLocale(linkToken: String) async throws -> String {
        guard let record = try await record(linkToken: linkToken) else { return "" }
        return try await userLocale(of: record)
    }

    /// The locale of the user whose pending reset `cancelToken` would cancel; "" when none.
    func userLocale(cancelToken: String) async throws -> String {
        guard let record = try await record(cancelToken: cancelToken) else { return "" }
        return try await userLocale(of: record)
    }

    private func userLocale(of record: ResetCodeRecord) async throws -> String {
        guard let user = try await users.user(byEmail: record.email), user.id == record.userID else { return "" }
        return user.locale
    }
}
