import ArgumentParser
import Foundation
import ResetPressEngine
import ResetPressSite

/// `resetpress settings ...`: read and write the site's settings.
struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "Show and change settings.",
        subcommands: [List.self, Get.self, Set.self, Unset.self, Import.self, Export.self, Reload.self])

    /// Writes changes and tells a running server to pick them up.
    static func write(_ changes: [String: SettingsEngine.Input], site options: SiteOptions) async throws {
        let site = try await Site.open(options)
        let changed: [String]
        do {
            changed = try await site.engine.settings.set(changes, actor: .cli, at: Date())
        } catch let error as SettingsWriteError {
            throw CLIFailure("nothing was changed:\n" + error.messages.map { "  - \($0.description)" }.joined(separator: "\n"))
        }
        print(changed.isEmpty ? "No change." : "Changed: \(changed.joined(separator: ", "))")
        if !changed.isEmpty, Site.signalRunningServer(options) { print("The running server was asked to reload.") }
    }

    struct List: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "List every setting with its value and source.")
        @OptionGroup var site: SiteOptions

        func run(on site: Site) async throws {
            let entries = site.engine.settings.entries()
            let width = entries.map(\.definition.name.count).max() ?? 0
            for entry in entries {
                let value = entry.shown.replacingOccurrences(of: "\n", with: "\\n")
                let shown = value.count > 60 ? String(value.prefix(57)) + "..." : value
                print(entry.definition.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + shown + "  [\(entry.source)]")
            }
        }
    }

    struct Get: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "Print one setting's value (secrets masked).")
        @OptionGroup var site: SiteOptions
        @Argument(help: "The setting key, e.g. reset_password.mode.") var key: String

        func run(on site: Site) async throws {
            let entries = site.engine.settings.entries()
            guard let entry = entries.first(where: { $0.definition.name == key }) else {
                throw CLIFailure("unknown setting '\(key)'. See `resetpress settings list`.")
            }
            print(entry.shown)
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change settings atomically: `set KEY VALUE` or `set KEY=VALUE KEY=VALUE ...`.")
        @OptionGroup var site: SiteOptions
        @Argument(help: "KEY VALUE, or one or more KEY=VALUE.") var assignments: [String]

        func parsed() throws -> [String: SettingsEngine.Input] {
            if assignments.count == 2, !assignments[0].contains("=") {
                return [assignments[0]: .text(assignments[1])]
            }
            var changes: [String: SettingsEngine.Input] = [:]
            for assignment in assignments {
                guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                    throw ValidationError("'\(assignment)' is not KEY=VALUE.")
                }
                changes[String(assignment[..<equals])] = .text(String(assignment[assignment.index(after: equals)...]))
            }
            return changes
        }

        mutating func validate() throws {
            guard !assignments.isEmpty else { throw ValidationError("Give KEY VALUE or KEY=VALUE.") }
            _ = try parsed()
        }

        func run() async throws {
            try await SettingsCommand.write(try parsed(), site: site)
        }
    }

    struct Unset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove database values, falling back to file, environment or default.")
        @OptionGroup var site: SiteOptions
        @Argument(help: "Setting keys.") var keys: [String]

        func run() async throws {
            try await SettingsCommand.write(Dictionary(uniqueKeysWithValues: keys.map { ($0, .unset) }), site: site)
        }
    }

    struct Export: SiteCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the settings written through admin page, API or CLI as a settings file (secrets masked).")
        @OptionGroup var site: SiteOptions
        @Flag(help: "Export every setting, not only those stored in the database.") var all = false

        func run(on site: Site) async throws {
            let snapshot = site.engine.settings.snapshot
            var object: [String: Any] = [:]
            for definition in snapshot.allDefinitions {
                guard let resolved = snapshot.resolved(definition.name), all || resolved.source == .database else { continue }
                switch resolved.value {
                case .bool(let value): object[definition.name] = value
                case .int(let value): object[definition.name] = value
                case .string: object[definition.name] = definition.display(resolved.value)
                case .list(let value): object[definition.name] = value
                }
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    struct Reload: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "Check settings/*.json and make a running server re-read them.")
        @OptionGroup var site: SiteOptions

        func run(on _: Site) async throws {
            print("Settings files are valid.")
            print(Site.signalRunningServer(self.site) ? "The running server was asked to reload." : "No running server found.")
        }
    }
}
