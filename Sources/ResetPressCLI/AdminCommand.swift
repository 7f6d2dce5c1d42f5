import ArgumentParser
import Foundation
import ResetPressAdmin
import ResetPressEngine
import ResetPressSite

/// `resetpress admin ...`: the admin page's credential.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Manage the admin pages at /admin and the admin API's tokens.",
        subcommands: [SetPassword.self, Tokens.self])

    struct SetPassword: SiteCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract: "Set the admin password (stored as a bcrypt hash in the setting admin.password_hash; signs out every admin session).")
        @OptionGroup var site: SiteOptions
        @OptionGroup var password: RequiredPasswordOptions

        func run(on site: Site) async throws {
            let plain = try password.read()
            do {
                try await AdminPlugin.setPassword(plain, engine: site.engine, hasher: site.hasher, actor: .cli, at: Date())
            } catch let error as AdminPasswordError {
                throw CLIFailure(error.description)
            } catch let error as SettingsWriteError {
                throw CLIFailure(error.description)
            }
            let signalled = Site.signalRunningServer(self.site)
            print("Admin password set." + (signalled ? " The running server was told to reload." : ""))
        }
    }
}
