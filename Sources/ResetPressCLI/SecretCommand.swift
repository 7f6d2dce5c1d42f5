import ArgumentParser
import Foundation
import ResetPressEngine
import ResetPressSite
import ResetPressStorage

/// `resetpress secret status|rotate|retire`: the install keys, by id (never the key itself).
struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret", abstract: "Show, rotate, promote and retire the install keys that hash codes, seal mail and sign webhooks.",
        subcommands: [Status.self, Rotate.self, Promote.self, Retire.self])

    struct Status: KeyRotationCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the install keys by id (current, next, previous), when each was recorded, and what still uses the previous ones.")
        @OptionGroup var site: SiteOptions
        @Flag(help: "Print JSON: keys (id, role, recorded_at) and retire_blocked_by.") var json = false

        func run(on site: Site, rotation: KeyRotation, now: Date) async throws {
            let recorded = try await site.storage.installChecks.recorded()
            let uses = try await rotation.remainingUses(of: site.secret, now: now)
            let secret = site.secret
            let keys = secret.keyIDs.indices.map { index in
                KeyRow(id: secret.keyIDs[index], role: secret.roles[index], recordedAt: recorded.first { $0.value == secret.checkValues[index] }?.recordedAt)
            }
            if json {
                print(try JSONOutput.text(Report(keys: keys, retireBlockedBy: uses)))
                return
            }
            TextTable.print(header: ["KEY", "ROLE", "RECORDED"], rows: keys.map { [$0.id, $0.role.rawValue, $0.recordedAt.map(CLIDate.format) ?? "-"] })
            if let next = secret.nextKeyID {
                print("Key \(next) is staged: once every server has secret.key.next and was restarted, `resetpress secret promote` makes it current.")
            }
            if secret.previousKeyIDs.isEmpty {
                if secret.nextKeyID == nil { print("One key: `resetpress secret rotate` stages a new one.") }
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
        let role: InstallKeyRole
        let recordedAt: Date?
    }

    /// What `status --json` prints.
    struct Report: Encodable {
        let keys: [KeyRow]
        let retireBlockedBy: [String]
    }

    struct Rotate: KeyRotationCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stage a new key in secret.key.next: every server that has it opens and verifies with it; `promote` makes it current.")
        @OptionGroup var site: SiteOptions

        func run(on site: Site, rotation: KeyRotation, now: Date) async throws {
            if let staged = site.secret.nextKeyID {
                throw CLIFailure("key \(staged) is already staged; once every server has it, run `resetpress secret promote`.")
            }
            let staged = try await SecretCommand.writing(rotation) { try await rotation.stage(site.secret, now: now) }
            let id = staged.nextKeyID ?? "-"
            try await site.storage.audit.record([AuditRecord(at: now, actor: .cli, action: "secret.staged", subject: id)])
            print("""
                Staged key \(id) in \(InstallSecret.nextFile(of: rotation.secretFile).path) (mode 0600); \(staged.keyIDs[0]) stays current.
                Copy that file to every server's data folder and restart each, one after the other: a server then opens and
                verifies with both keys and still seals with \(staged.keyIDs[0]). Then run `resetpress secret promote`.
                """)
        }
    }

    struct Promote: KeyRotationCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the staged key current; the old one stays in secret.key.previous to open and verify what it made.")
        @OptionGroup var site: SiteOptions

        func run(on site: Site, rotation: KeyRotation, now: Date) async throws {
            let promoted = try await SecretCommand.writing(rotation) { try await rotation.promote(site.secret, now: now) }
            guard let promoted else { throw CLIFailure("no key is staged: `resetpress secret rotate` stages one first.") }
            let previous = promoted.previousKeyIDs.joined(separator: ", ")
            try await site.storage.audit.record([AuditRecord(at: now, actor: .cli, action: "secret.promoted", subject: promoted.keyIDs[0], detail: "previous: \(previous)")])
            print("""
                Key \(promoted.keyIDs[0]) is current; previous keys: \(previous).
                Wrote \(rotation.secretFile.path) and \(InstallSecret.previousFile(of: rotation.secretFile).path) (mode 0600).
                Copy both to every server's data folder and restart each: until it restarts, a server seals with the old key,
                which every server still opens. Codes, links, queued mail, auth codes and API tokens made under a previous key keep
                working; webhooks carry a signature under every key until `resetpress secret retire`, so move receivers to the new
                one (`resetpress webhooks secret`).
                """)
        }
    }

    struct Retire: KeyRotationCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the previous keys once no stored code, mail, auth code or API token uses them; nodes with only an old key are refused after.")
        @OptionGroup var site: SiteOptions

        func run(on site: Site, rotation: KeyRotation, now: Date) async throws {
            guard !site.secret.previousKeyIDs.isEmpty else {
                print("No previous key is kept; there is nothing to retire.")
                return
            }
            let uses = try await rotation.remainingUses(of: site.secret, now: now)
            guard uses.isEmpty else {
                throw CLIFailure("the previous keys are still in use; nothing was removed:\n" + uses.map { "- \($0)" }.joined(separator: "\n"))
            }
            let retired = site.secret.previousKeyIDs.joined(separator: ",")
            do {
                _ = try await rotation.retire(site.secret)
            } catch {
                throw CLIFailure("cannot remove \(InstallSecret.previousFile(of: rotation.secretFile).path): \(error.localizedDescription)")
            }
            try await site.storage.audit.record([AuditRecord(at: now, actor: .cli, action: "secret.retired", subject: retired)])
            print("Retired \(retired); \(site.secret.keyIDs[0]) is current. Remove secret.key.previous from the other servers and restart them.")
        }
    }

    /// Runs a step that writes key files, turning a failed write into an error that says where.
    static func writing<T>(_ rotation: KeyRotation, _ step: () async throws -> T) async throws -> T {
        do {
            return try await step()
        } catch {
            throw CLIFailure("cannot record the key or write its files next to \(rotation.secretFile.path): \(error.localizedDescription). "
                + "Run this where that file can be written, then copy the files to every server.")
        }
    }
}

/// A `secret` subcommand: `run(on:)` hands it the rotation of the opened site's keys and the time.
protocol KeyRotationCommand: SiteCommand {
    /// The command's work on `rotation`, whose key files are where the options and the environment say.
    func run(on site: Site, rotation: KeyRotation, now: Date) async throws
}

extension KeyRotationCommand {
    func run(on site: Site) async throws {
        let secretFile = InstallSecret.file(in: self.site.dataURL, environment: ProcessInfo.processInfo.environment)
        try await run(on: site, rotation: KeyRotation(storage: site.storage, secretFile: secretFile), now: Date())
    }
}
