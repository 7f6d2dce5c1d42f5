import ArgumentParser
import Foundation

/// The `resetpress` command: the server and the site owner's tools.
struct ResetPress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resetpress",
        abstract: "A password-reset service with a WordPress-style plugin engine.",
        subcommands: [
            ServeCommand.self, SettingsCommand.self, HooksCommand.self, PluginsCommand.self, UsersCommand.self,
            AuthCodesCommand.self, ResetCommand.self, MailCommand.self, WebhooksCommand.self, TemplatesCommand.self, JobsCommand.self, AdminCommand.self,
            StorageCommand.self, StatsCommand.self, AuditCommand.self, SecretCommand.self,
        ])
}

/// A command failed for a reason the user can act on (exit status 1).
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs the command line with the documented exit codes: 0 ok, 1 failure, 2 bad usage.
@main
enum Main {
    static func main() async {
        do {
            var command = try ResetPress.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            exit(1)
        } catch let exitCode as ExitCode {
            exit(exitCode.rawValue)
        } catch {
            let code = ResetPress.exitCode(for: error)
            let message = ResetPress.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            FileHandle.standardError.write(Data((message.isEmpty ? "error: \(error)" : message).utf8 + [10]))
            exit(code == .validationFailure ? 2 : 1)
        }
    }
}
