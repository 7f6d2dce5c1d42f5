import Foundation
import Logging
import ResetPassword
import ResetPressSite
import ResetPressStorage

extension Site {
    /// Opens the site the options name, through the one composition root; a failure becomes a
    /// `CLIFailure` that names the fix.
    static func open(_ options: SiteOptions, logger: Logger = Logger(label: "resetpress")) async throws -> Site {
        do {
            return try await open(options.configuration(logger: logger))
        } catch let error as SiteError {
            throw CLIFailure(error.description)
        }
    }

    /// The site's storage, without starting the engine (`storage migrate|status`).
    static func openStorage(_ options: SiteOptions, logger: Logger = Logger(label: "resetpress")) async throws -> SiteStorage {
        do {
            return try await openStorage(options.configuration(logger: logger))
        } catch let error as SiteError {
            throw CLIFailure(error.description)
        }
    }

    /// Opens the site's storage, reads from it with `read` and closes it; a failed read becomes a
    /// `CLIFailure` that begins with `failure`.
    static func readStorage<Value>(
        _ options: SiteOptions, failure: String, _ read: (SiteStorage) async throws -> Value
    ) async throws -> Value {
        let storage = try await openStorage(options)
        do {
            let value = try await read(storage)
            await storage.close()
            return value
        } catch {
            await storage.close()
            throw CLIFailure("\(failure): \(error)")
        }
    }

    /// The reset flows, or a failure saying the plugin is off.
    var resetService: ResetPasswordService {
        get throws {
            guard let service = reset.activeService else {
                throw CLIFailure("the reset_password plugin is off (plugins.reset_password.active); turn it on to use this command.")
            }
            return service
        }
    }

    /// The file where a running server writes its process id.
    static func pidFile(_ options: SiteOptions) -> URL {
        options.dataURL.appendingPathComponent("resetpress.pid")
    }

    /// The pid of a live server of this site (its pid file names a running process), or nil.
    static func runningServer(_ options: SiteOptions) -> pid_t? {
        guard let text = try? String(contentsOf: pidFile(options), encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0
        else { return nil }
        return pid
    }

    /// Asks a running server of this site to re-read its settings; true when one was signalled.
    static func signalRunningServer(_ options: SiteOptions) -> Bool {
        guard let pid = runningServer(options) else { return false }
        return kill(pid, SIGHUP) == 0
    }
}

extension SiteOptions {
    /// The site configuration these options describe: root, data folder, the process environment.
    func configuration(logger: Logger) -> SiteConfiguration {
        var configuration = SiteConfiguration(root: rootURL, dataDirectory: dataURL)
        configuration.logger = logger
        return configuration
    }
}
