import Foundation
import Logging
import ResetPressEngine
import ResetPressStorage
import ResetPressUsers
import ResetPressWebhooks

/// What a host tells ``Site/open(_:)``: where the site lives, which storage, whose users, which plugins.
public struct SiteConfiguration: Sendable {
    /// Where the site's data lives.
    public enum Storage: Sendable {
        /// `storage.url` from the environment or `settings/*.json`, else the SQLite file under the data folder.
        case configured
        /// This location (a SQLite path or a PostgreSQL URL).
        case location(StorageLocation)
        /// Stores the host opened itself; the site closes them with ``Site/close()``.
        case stores(SiteStorage)
    }

    /// The site root: `settings/`, `templates/` and `hooks/` are found under it.
    public var root: URL
    /// Runtime data: the install secret, the mail spool and, by default, the SQLite file.
    public var dataDirectory: URL
    /// Which storage to open.
    public var storage: Storage = .configured
    /// The host's own users; nil keeps them in the site's storage (a password change is then one transaction).
    public var users: (any UserDirectory)?
    /// The host's own plugins, activated after the built-in reset and admin plugins.
    public var plugins: [any Plugin] = []
    /// Where `RESETPRESS_*` settings are read from.
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// The logger every part of the site logs to.
    public var logger = Logger(label: "resetpress")
    /// Hashes new passwords and verifies old ones (one per process is enough).
    public var hasher = PasswordHasher()
    /// The time the flows see (tests move it by hand).
    public var clock: @Sendable () -> Date = { Date() }
    /// The delay before a webhook's next try after failed try n (tests shorten it).
    public var webhookBackoff: @Sendable (Int) -> TimeInterval = WebhookSender.webhookBackoff(afterAttempt:)
    /// How often the webhook sender looks for deliveries due again (tests shorten it).
    public var webhookTick: Duration = .seconds(1)

    /// A site rooted at `root` with its data under `dataDirectory` (default `<root>/var`).
    public init(root: URL, dataDirectory: URL? = nil) {
        self.root = root
        self.dataDirectory = dataDirectory ?? root.appendingPathComponent("var")
    }
}

/// Why a site could not be opened; each case says what to fix.
public enum SiteError: Error, CustomStringConvertible {
    /// A settings file or variable is invalid (`storage.url` included).
    case settings(String)
    /// The data folder could not be made or read.
    case dataDirectory(path: String, reason: String)
    /// The storage could not be opened.
    case storage(location: String, reason: String)
    /// The install secret could not be read or created.
    case installSecret(path: String, reason: String)
    /// Another user may write a template or a folder holding one (see `FileTrust`).
    case untrustedFile(String)
    /// The install secret in `file` is not one the storage works with (another node's data).
    case foreignSecret(file: String, storage: String)

    public var description: String {
        switch self {
        case .settings(let message):
            "settings: \(message)"
        case .dataDirectory(let path, let reason):
            "cannot create the data folder \(path): \(reason). Check --data-dir (RESETPRESS_DATA_DIR)."
        case .storage(let location, let reason):
            "cannot open the storage at \(location): \(reason). Check storage.url (RESETPRESS_STORAGE__URL), --data-dir and permissions."
        case .installSecret(let path, let reason):
            "cannot read or create the install secret under \(path): \(reason)."
        case .untrustedFile(let reason):
            reason
        case .foreignSecret(let file, let storage):
            "the install secret \(file) is not the one the storage at \(storage) works with: this node could not open the mail "
                + "the other nodes sealed, nor check the codes they issued, and they could not open its own. Every server and CLI "
                + "on one database shares one secret.key: copy secret.key from the data folder of a server already using this "
                + "database (its --data-dir, var/ by default) to \(file) with mode 0600 (or name that file in "
                + "RESETPRESS_SECRET_FILE), then start again. No code, mail or setting was written."
        }
    }
}
