import ResetPressEngine

extension HookContext {
    /// The context of a request to a reset route: its parameters minus every secret, the auth code
    /// key that `reset_password.auth_code_key` names included, whatever it is called.
    static func resetRequest(
        method: String, path: String, clientIP: String, parameters: [String: String], settings: SettingsSnapshot
    ) -> HookContext {
        HookContext(
            method: method, path: path, clientIP: clientIP, parameters: parameters,
            withholding: [settings[ResetPasswordSettings.authCodeKey]], site: settings[CoreSettings.siteURL],
            mode: settings[ResetPasswordSettings.mode].rawValue)
    }
}
