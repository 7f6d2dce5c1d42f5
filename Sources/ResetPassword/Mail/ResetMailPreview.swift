import Foundation
import ResetPressEngine
import ResetPressMail
import ResetPressUsers

extension ResetPasswordService {
    /// The user previews are addressed to when no real one is named.
    public static let sampleUser = User(
        id: nil, NewUser(login: "jdoe", email: "jane.doe@example.com", displayName: "Jane Doe", nickname: "jane", firstName: "Jane", lastName: "Doe"),
        createdAt: Date(timeIntervalSince1970: 0))

    /// The reset mail `settings` would send to `user`, with a fresh sample code and links, or nil
    /// in `store_only` mode (which sends none).
    ///
    /// It goes through the same composer as a real reset, mail filters included, so the preview
    /// is what the next reset sends under these settings; nothing is stored or queued. A `locale`
    /// (BCP 47) stands in for the user's own; unknown languages fall back as a real reset does.
    public func previewResetMail(for user: User, settings: SettingsSnapshot, locale: String? = nil) async throws -> MailMessage? {
        var user = user
        if let locale { user.locale = locale }
        let now = clock()
        let expiresAt = now.addingTimeInterval(TimeInterval(settings[ResetPasswordSettings.codeTTL]))
        let variables = composer.variables(
            user: user,
            code: CodeGenerator.code(length: settings[ResetPasswordSettings.codeLength], charset: settings[ResetPasswordSettings.codeCharset]),
            linkToken: CodeGenerator.linkToken(naming: user.id ?? 0), cancelToken: CodeGenerator.linkToken(naming: user.id ?? 0), expiresAt: expiresAt, clientIP: "127.0.0.1",
            settings: settings)
        let context = HookContext(site: settings[CoreSettings.siteURL]).with(user: user, mode: settings[ResetPasswordSettings.mode])
        return try await composer.resetMail(user: user, variables: variables, settings: settings, context: context)?.body?.plainMessage
    }
}
