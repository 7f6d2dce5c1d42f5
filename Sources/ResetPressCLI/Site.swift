import Foundation
import Logging
import ResetPassword
import ResetPressAdmin
import ResetPressEngine
import ResetPressStorage

/// An opened site: its database and its started engine.
struct Site {
    let options: SiteOptions
    let database: SQLiteDatabase
    let engine: Engine
    /// The reset-password plugin.
    let reset: ResetPasswordPlugin
    /// The admin pages and API.
    let admin: AdminPlugin

    /// Opens the database under the data directory and starts the engine; a bad settings file
    /// or variable becomes a failure naming it.
    static func open(_ options: SiteOptions, logger: Logger = Logger(label: "resetpress")) async throws -> Site {
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(dataDirectory: options.dataURL)
        } catch {
            throw CLIFailure("cannot open the database under \(options.dataURL.path): \(error). Check --data-dir and its permissions.")
        }
        let reset: ResetPasswordPlugin
        do {
            reset = try ResetPasswordPlugin(database: database, dataDirectory: options.dataURL)
        } catch {
            throw CLIFailure("cannot read or create the install secret under \(options.dataURL.path): \(error).")
        }
        let admin = AdminPlugin(reset: reset, outbox: database.outbox)
        let engine = Engine(
            root: options.rootURL, settingsStore: database.settings, jobStates: database.jobStates, plugins: [reset, admin], logger: logger)
        do {
            try await engine.start()
        } catch let error as SettingsLoadError {
            throw CLIFailure("settings: \(error.description)")
        }
        return Site(options: options, database: database, engine: engine, reset: reset, admin: admin)
    }

    /// The file where a running server writes its process id.
    static func pidFile(_ options: SiteOptions) -> URL {
        options.dataURL.appendingPathComponent("resetpress.pid")
    }

    /// Asks a running server of this site to re-read its settings; true when one was signalled.
    static func signalRunningServer(_ options: SiteOptions) -> Bool {
        guard let text = try? String(contentsOf: pidFile(options), encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return false }
        return kill(pid, SIGHUP) == 0
    }
}
