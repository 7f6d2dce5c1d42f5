import Foundation
import ResetPressTestSupport

/// A site root in a temporary folder with the repository's settings and templates, removed at the end.
final class SiteFolder: Sendable {
    static let repositoryRoot = Repository.root

    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-sitetest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for folder in ["settings", "templates"] {
            try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// The decoded text of every `.eml` under `folder` (relative to the root), oldest first: headers as
    /// written, quoted-printable soft breaks and `=3D` undone.
    func deliveredMail(in folder: String) throws -> [String] {
        let directory = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try names.filter { $0.hasSuffix(".eml") }.sorted().map { name in
            try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
                .replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
                .replacingOccurrences(of: "=3D", with: "=")
        }
    }

    /// The code after `marker` in `text`.
    static func code(after marker: String, in text: String) -> String? {
        guard let start = text.range(of: marker)?.upperBound else { return nil }
        let code = text[start...].prefix { $0.isLetter || $0.isNumber }
        return code.isEmpty ? nil : String(code)
    }
}
