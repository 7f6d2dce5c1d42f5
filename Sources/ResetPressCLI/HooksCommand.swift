import ArgumentParser
import ResetPressEngine
import ResetPressSite

/// `resetpress hooks list`: every Swift and executable hook in run order.
struct HooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hooks", abstract: "Inspect hooks.", subcommands: [List.self])

    struct List: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "List Swift and executable hooks in run order, then executable hooks refused because another user may change them.")
        @OptionGroup var site: SiteOptions

        func run(on site: Site) async throws {
            let listing = site.engine.hooks.listing()
            if listing.isEmpty { print("No hooks registered.") }
            for line in listing {
                let kind: String
                switch line.kind {
                case .swiftFilter: kind = "swift filter  \(line.label)"
                case .swiftAction: kind = "swift action  \(line.label)"
                case .executable(let path): kind = "executable    \(path)"
                case .refused(let path, let reason): kind = "refused       \(path)  (\(reason))"
                }
                print("\(line.hook)  \(line.priority)  \(kind)")
            }
        }
    }
}

/// `resetpress plugins list`: the plugins this build ships and whether each is active (or always on).
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plugins", abstract: "Inspect plugins.", subcommands: [List.self])

    struct List: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "List plugins with their version and state.")
        @OptionGroup var site: SiteOptions

        func run(on site: Site) async throws {
            let engine = site.engine
            for plugin in engine.plugins {
                let state = plugin.isAlwaysOn ? "always on" : engine.isActive(plugin.id) ? "active" : "inactive"
                print("\(plugin.id)  \(plugin.name) \(plugin.version)  \(state)")
            }
        }
    }
}
