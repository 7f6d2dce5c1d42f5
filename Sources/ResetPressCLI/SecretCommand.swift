import ArgumentParser
import Foundation
import ResetPressEngine
import ResetPressSite
import ResetPressStorage

/// `resetpress secret status|rotate|retire`: the install keys, by id (never the key itself).
struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret", abstract: "Show, rotate and retire the install keys that hash codes, seal mail and sign webhooks.",
        subcommands: [Status.self, Rotate.self, Retire.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the install keys by id (current first), when each was recorded, and what still uses the previous ones.")
        @OptionGroup var site: SiteOptions
        @Flag(help: "Print JSON: keys (id, role, recorded_at) and retire_blocked_by.") var json = false

        func run() async throws {
            let site = try await Site.open(self.site)
            let now = Date()
            let recorded = try await site.storage.installChecks.recorded()
            let uses = try await SecretCommand.rotation(site, self.site).remainingUses(of: site.secret, now: now)
            let keys = zip(site.secret.keyIDs, site.secret.checkValues).enumerated().map { index, key in
                KeyRow(id: key.0, role: index == 0 ? "current" : "previous", recordedAt: recorded.first { $0.value == key.1 }?.recordedAt)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                encoder.keyEncodingStrategy = .convertToSnakeCase
                print(String(decoding: try encoder.encode(Report(keys: keys, retireBlockedBy: uses)), as: UTF8.self))
                return
            }
            TextTable.print(header: ["KEY", "ROLE", "RECORDED"], rows: keys.map { [$0.id, $0.role, $0.recordedAt.map(CLIDate.format) ?? "-"] })
            if keys.count == 1 {
                print("One key: `resetpress secret rotate` adds a new current one.")
            } else if uses.isEmpty {
                print("No stored data uses the previous keys: `resetpress secret retire` removes them.")
            } else {
                print("Still using a previous key:")
                for use in uses { print("- \(use)") }
            }
        }
    }

    /// One key as `status` shows it.
    struct KeyRow: Encodable {
        let id: String
        let role: String
        let recordedAt: Date?
    }

    /// What `status --json` prints.
    struct Report: Encodable {
        let keys: [KeyRow]
        let retireBlockedBy: [String]
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new current key; the old ones stay in secret.key.previous to open and verify what they made.")
        @OptionGroup var site: SiteOptions

        func run() async throws {
            let site = try await Site.open(self.site)
            let rotation = SecretCommand.rotation(site, self.site)
            let now = Date()
            let rotated: InstallSecret
            do {
                rotated = try await rotation.rotate(site.secret, now: now)
            } catch {
                throw CLIFailure("cannot write the new key next to \(rotation.secretFile.path): \(error.localizedDescription). "
                    + "Rotate where that file can be written, then copy it to every node; nothing else changed.")
            }
            try await site.storage.audit.record([AuditRecord(
                at: now, actor: .cli, action: "secret.rotated", subject: rotated.keyIDs[0], detail: "previous: " + rotated.keyIDs.dropFirst().joined(separator: ","))])
            let previous = InstallSecret.previousFile(of: rotation.secretFile).path
            print("""
                New current key \(rotated.keyIDs[0]); previous keys: \(rotated.keyIDs.dropFirst().joined(separator: ", ")).
                Wrote \(rotation.secretFile.path) and \(previous) (mode 0600).
                Copy both files to every node's data folder and restart each server: a server keeps the keys it loaded until it restarts.
                Codes, links, queued mail, auth codes and API tokens made under a previous key keep working; webhooks carry a signature
                under every key until `resetpress secret retire`, so move receivers to the new one (`resetpress webhooks secret`).
                """)
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the previous keys once no stored code, mail, auth code or API token uses them; nodes with only an old key are refused after.")
        @OptionGroup var site: SiteOptions

        func run() async throws {
            let site = try await Site.open(self.site)
            let rotation = SecretCommand.rotation(site, self.site)
            let now = Date()
            guard site.secret.keyIDs.count > 1 else {
                print("Only the current key \(site.secret.keyIDs[0]) is in use; there is nothing to retire.")
                return
            }
            let uses = try await rotation.remainingUses(of: site.secret, now: now)
            guard uses.isEmpty else {
                throw CLIFailure("the previous keys are still in use; nothing was removed:\n" + uses.map { "- \($0)" }.joined(separator: "\n"))
            }
            let retired = site.secret.keyIDs.dropFirst().joined(separator: ",")
            do {
                _ = try await rotation.retire(site.secret)
            } catch {
                throw CLIFailure("cannot remove \(InstallSecret.previousFile(of: rotation.secretFile).path): \(error.localizedDescription)")
            }
            try await site.storage.audit.record([AuditRecord(at: now, actor: .cli, action: "secret.retired", subject: retired)])
            print("Retired \(retired); \(site.secret.keyIDs[0]) is the only key. Remove secret.key.previous from the other nodes and restart them.")
        }
    }

    /// The rotation of `site`'s keys, in the files the options and the environment name.
    static func rotation(_ site: Site, _ options: SiteOptions) -> KeyRotation {
        KeyRotation(storage: site.storage, secretFile: InstallSecret.file(in: options.dataURL, environment: ProcessInfo.processInfo.environment))
    }
}
