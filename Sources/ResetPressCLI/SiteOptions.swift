import ArgumentParser
import Foundation
import Logging

/// Where the site lives and how to log: shared by every subcommand.
struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: "The site root holding settings/, templates/ and hooks/ (default: $RESETPRESS_ROOT or the working directory).")
    var root: String?

    @Option(name: .customLong("data-dir"), help: "Where runtime data goes (default: $RESETPRESS_DATA_DIR or <root>/var).")
    var dataDir: String?

    @Option(name: .customLong("log-format"), help: "Log lines as 'text' or 'json'.")
    var logFormat: LogFormat = .text

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    /// The site root as an absolute URL.
    var rootURL: URL {
        let path = root ?? ProcessInfo.processInfo.environment["RESETPRESS_ROOT"] ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
    }

    /// The data directory as an absolute URL.
    var dataURL: URL {
        if let path = dataDir ?? ProcessInfo.processInfo.environment["RESETPRESS_DATA_DIR"] {
            return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        }
        return rootURL.appendingPathComponent("var")
    }

    mutating func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
    }

    /// Sets up logging for the process; only the executable does this.
    func bootstrapLogging() {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = logFormat
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// The log line format.
    enum LogFormat: String, ExpressibleByArgument, Sendable {
        case text, json
    }
}
