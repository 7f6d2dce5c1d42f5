import ResetPressEngine

extension HookContext {
    /// The context of a request to a reset route: its parameters minus every secret, the auth code
    /// key that `reset_password.auth_code_key` names included, whatever it is called; its language
    /// preferences come from the `locale` parameter and `acceptLanguage` (the header's value).
    static func resetRequest(
        method: String, path: String, clientIP: String, parameters: [String: String], settings: SettingsSnapshot,
        acceptLanguage: String? = nil
    ) -> HookContext {
        var context = HookContext(
            method: method, path: path, clientIP: clientIP, parameters: parameters,
            withholding: [settings[ResetPasswordSettings.authCodeKey]], site: settings[CoreSettings.siteURL],
            mode: settings[ResetPasswordSettings.mode].rawValue)
        context.preferredLocales = LocalizedTemplates.requestPreferences(locale: parameters["locale"], acceptLanguage: acceptLanguage)
        return context
    }
}
