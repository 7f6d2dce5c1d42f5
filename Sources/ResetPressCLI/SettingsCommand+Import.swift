import ArgumentParser
import Foundation
import ResetPassword
import ResetPressEngine
import ResetPressSite
import ResetPressStorage

extension SettingsCommand {
    /// `resetpress settings import FILE`: a Simple JWT Login settings export mapped onto ours.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the reset settings and auth codes of a Simple JWT Login export (flat 3.x or nested 4.x keys).",
            discussion: """
                Maps flow 0/1/2 to reset_password.mode store_only/default_email/custom_email, email type 0/1 to \
                text/html, the subject, the (base64) body, allow reset, requires auth code, the auth code key, \
                the base64 password option and the auth codes (with role and expiry). The settings are written in \
                one atomic change; if it is refused, the auth codes added are removed again.
                """)
        @OptionGroup var site: SiteOptions
        @Argument(help: "The exported JSON file.") var file: String
        @Flag(name: .customLong("dry-run"), help: "Show the mapping, writing nothing.") var dryRun = false

        func run() async throws {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CLIFailure("cannot read \(file): \(error.localizedDescription)")
            }
            let now = Date()
            let mapping = try SJLSettingsImport(data: data, now: now)
            guard mapping.problems.isEmpty else {
                throw CLIFailure("nothing was imported:\n" + mapping.problems.map { "  - \($0)" }.joined(separator: "\n"))
            }
            report(mapping)
            if dryRun {
                print("Dry run: nothing was written.")
                return
            }
            let site = try await Site.open(self.site)
            let added = try await addCodes(mapping.authCodes, site: site, now: now)
            let changed: [String]
            do {
                changed = try await site.engine.settings.set(
                    Dictionary(mapping.changes.map { ($0.key, SettingsEngine.Input.value($0.value)) }, uniquingKeysWith: { $1 }),
                    actor: .cli, at: now)
            } catch let error as SettingsWriteError {
                for id in added { _ = try? await site.reset.gate.remove(id: id, now: now, by: .cli) }
                throw CLIFailure("nothing was imported:\n" + error.messages.map { "  - \($0.description)" }.joined(separator: "\n"))
            }
            print("Auth codes added: \(added.count) of \(mapping.authCodes.count).")
            print(changed.isEmpty ? "Settings: no change." : "Settings changed: \(changed.joined(separator: ", "))")
            if !changed.isEmpty, Site.signalRunningServer(self.site) { print("The running server was asked to reload.") }
        }

        private func report(_ mapping: SJLSettingsImport) {
            print("Simple JWT Login export (\(mapping.format)).")
            print("Mapped:")
            for change in mapping.changes {
                let value = change.value.description.replacingOccurrences(of: "\n", with: "\\n")
                print("  \(change.key) = \(value.count > 50 ? String(value.prefix(47)) + "..." : value)  <- \(change.source)")
            }
            for code in mapping.authCodes {
                print("  auth code ****\(code.code.suffix(4)), role \(code.role.isEmpty ? "-" : code.role), expires \(code.expiresAt.map(CLIDate.format) ?? "never")  <- \(code.source)")
            }
            if mapping.changes.isEmpty && mapping.authCodes.isEmpty { print("  (nothing)") }
            if !mapping.ignored.isEmpty { print("Ignored (no counterpart here): \(mapping.ignored.joined(separator: ", "))") }
            for note in mapping.notes { print("Note: \(note)") }
        }

        /// Adds the codes not stored yet; returns the ids added. A failure removes them again.
        private func addCodes(_ codes: [SJLSettingsImport.AuthCode], site: Site, now: Date) async throws -> [Int64] {
            let gate = site.reset.gate
            var added: [Int64] = []
            for code in codes {
                do {
                    // SJL's clients send these codes as they are: a short one is kept, marked weak, with a warning.
                    let record = try await gate.add(code: code.code, role: code.role, expiresAt: code.expiresAt, allowShort: true, now: now, by: .cli)
                    added.append(record.id)
                    if record.isWeak { Terminal.writeError("Warning: \(code.source): \(AuthCodeGate.weakWarning(record))\n") }
                } catch StorageError.duplicate(_) {
                    print("  auth code ****\(code.code.suffix(4)) is already stored; kept as it is.")
                } catch {
                    for id in added { _ = try? await gate.remove(id: id, now: now, by: .cli) }
                    throw CLIFailure("nothing was imported: \(code.source): \(error)")
                }
            }
            return added
        }
    }
}
