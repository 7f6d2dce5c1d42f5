import Foundation
import Logging
import ResetPassword
import ResetPressAdmin
import ResetPressEngine
import ResetPressPostgres
import ResetPressStorage

/// An opened site: its storage and its started engine.
struct Site {
    let options: SiteOptions
    /// Every store, from the backend `storage.url` names (SQLite under the data dir by default).
    let storage: SiteStorage
    let engine: Engine
    /// The reset-password plugin.
    let reset: ResetPasswordPlugin
    /// The admin pages and API.
    let admin: AdminPlugin

    /// Opens the storage `storage.url` names (read from the environment or `settings/*.json`,
    /// since it cannot come from the database) and starts the engine; a bad settings file or
    /// variable, or storage that cannot be opened, becomes a failure naming it.
    static func open(_ options: SiteOptions, logger: Logger = Logger(label: "resetpress")) async throws -> Site {
        let storage = try await openStorage(options, logger: logger)
        do {
            let reset: ResetPasswordPlugin
            do {
                reset = try ResetPasswordPlugin(storage: storage, dataDirectory: options.dataURL)
            } catch {
                throw CLIFailure("cannot read or create the install secret under \(options.dataURL.path): \(error).")
            }
            let admin = AdminPlugin(reset: reset, storage: storage)
            let engine = Engine(root: options.rootURL, storage: storage, plugins: [reset, admin], logger: logger)
            do {
                try await engine.start()
            } catch let error as SettingsLoadError {
                throw CLIFailure("settings: \(error.description)")
            }
            return Site(options: options, storage: storage, engine: engine, reset: reset, admin: admin)
        } catch {
            await storage.close()
            throw error
        }
    }

    /// The site's storage, without starting the engine.
    static func openStorage(_ options: SiteOptions, logger: Logger = Logger(label: "resetpress")) async throws -> SiteStorage {
        do {
            let mail = options.dataURL.appendingPathComponent("mail")
            var notes = try PrivateFiles.secureDirectory(options.dataURL)
            if FileManager.default.fileExists(atPath: mail.path) { notes += try PrivateFiles.secureDirectory(mail) }
            for note in notes { logger.warning("\(note)") }
        } catch {
            throw CLIFailure("cannot create the data folder \(options.dataURL.path): \(error). Check --data-dir (RESETPRESS_DATA_DIR).")
        }
        let location: StorageLocation
        do {
            location = try StorageLocation.configured(root: options.rootURL, dataDirectory: options.dataURL)
        } catch let error as SettingsLoadError {
            throw CLIFailure("settings: \(error.description)")
        } catch {
            throw CLIFailure("storage.url: \(error)")
        }
        do {
            return try await SiteStorage.open(location, logger: logger)
        } catch {
            throw CLIFailure("cannot open the storage at \(location): \(error). Check storage.url (RESETPRESS_STORAGE__URL), --data-dir and permissions.")
        }
    }

    /// Stops following the settings feed and closes the storage.
    func close() async {
        engine.stop()
        await storage.close()
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
