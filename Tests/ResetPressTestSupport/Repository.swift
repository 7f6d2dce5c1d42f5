import Foundation

/// The repository the tests run from: its `settings/`, `templates/`, `scripts/` and `docs/`.
public enum Repository {
    /// The repository's root folder.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
