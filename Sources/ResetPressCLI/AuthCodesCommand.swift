import ArgumentParser
import Foundation
import ResetPressEngine
import ResetPassword
import ResetPressSite
import ResetPressStorage

/// `resetpress auth-codes ...`: the codes that open the AUTH_CODE gate.
struct AuthCodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth-codes", abstract: "Manage the auth codes of the AUTH_CODE gate.",
        subcommands: [Add.self, List.self, Remove.self])

    /// How a stored code is shown: never more than its last 4 characters.
    static func describe(_ record: AuthCodeRecord, now: Date) -> [String] {
        let expiry = record.expiresAt.map(CLIDate.format) ?? "never"
        let expired = record.expiresAt.map { $0 <= now } ?? false
        let state = (expired ? "expired" : "valid") + (record.isWeak ? ", weak" : "")
        return [String(record.id), "****\(record.lastFour)", record.role.isEmpty ? "-" : record.role, expiry, state]
    }

    struct Add: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "Add an auth code (stored as a keyed hash; only its last 4 characters are kept).")
        @OptionGroup var site: SiteOptions
        @Argument(help: "The code (at least 8 characters); or use --generate.") var code: String?
        @Flag(help: "Generate a random 32-character code and print it once.") var generate = false
        @Flag(name: .customLong("allow-short"), help: "Keep a code shorter than 8 characters that SJL clients already send (stored as weak, with a warning).")
        var allowShort = false
        @Option(help: "The role requests with this code act with (SJL's role); empty for none.") var role = ""
        @Option(help: "When the code stops working: ISO 8601 (2030-01-01T00:00:00Z) or relative (+3600s, +12h, +30d).")
        var expires: String?

        mutating func validate() throws {
            if code == nil && !generate { throw ValidationError("Give a CODE or --generate.") }
            if code != nil && generate { throw ValidationError("Give a CODE or --generate, not both.") }
            if let expires, CLIDate.parse(expires, now: Date()) == nil {
                throw ValidationError("--expires '\(expires)' is neither an ISO 8601 time nor +N[s|m|h|d].")
            }
        }

        func run(on site: Site) async throws {
            let now = Date()
            let expiresAt = expires.flatMap { CLIDate.parse($0, now: now) }
            if let expiresAt, expiresAt <= now { throw CLIFailure("--expires is in the past; give a future time.") }
            let plain = code ?? CodeGenerator.code(length: 32, charset: .alnum)
            let record: AuthCodeRecord
            do {
                record = try await site.reset.gate.add(code: plain, role: role, expiresAt: expiresAt, allowShort: allowShort, now: now, by: .cli)
            } catch let error as AuthCodeError {
                throw CLIFailure(error.description)
            } catch let error as StorageError {
                throw CLIFailure("\(error.description) See `resetpress auth-codes list`.")
            }
            if generate {
                print("Generated auth code (shown once, store it now): \(plain)")
            }
            print("Added auth code #\(record.id) ****\(record.lastFour), role \(role.isEmpty ? "-" : role), expires \(expiresAt.map(CLIDate.format) ?? "never").")
            if record.isWeak { Terminal.writeError("Warning: \(AuthCodeGate.weakWarning(record))\n") }
        }
    }

    struct List: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "List auth codes (id, last 4 characters, role, expiry).")
        @OptionGroup var site: SiteOptions

        func run(on site: Site) async throws {
            let records = try await site.reset.gate.list()
            if records.isEmpty {
                print("No auth codes. Add one with `resetpress auth-codes add --generate`.")
                return
            }
            let now = Date()
            TextTable.print(header: ["ID", "CODE", "ROLE", "EXPIRES", "STATE"], rows: records.map { AuthCodesCommand.describe($0, now: now) })
        }
    }

    struct Remove: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an auth code by id.")
        @OptionGroup var site: SiteOptions
        @Argument(help: "The id shown by `auth-codes list`.") var id: Int64

        func run(on site: Site) async throws {
            guard try await site.reset.gate.remove(id: id, now: Date(), by: .cli) else {
                throw CLIFailure("no auth code has id \(id). See `resetpress auth-codes list`.")
            }
            print("Removed auth code #\(id).")
            if site.engine.settings[ResetPasswordSettings.requiresAuthCode], !site.reset.gate.hasCodes {
                print("Warning: reset_password.requires_auth_code is on and no auth code is left; every reset request is refused.")
            }
        }
    }
}
