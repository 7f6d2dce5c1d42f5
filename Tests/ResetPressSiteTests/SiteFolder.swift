import Foundation
import Synchronization
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

    /// A `login,email` CSV of `count` users `user<i>` with `email(i)`, for `users import`.
    func usersCSV(count: Int, email: (Int) -> String) throws -> URL {
        let csv = root.appendingPathComponent("users.csv")
        try (["login,email"] + (0..<count).map { "user\($0),\(email($0))" }).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        return csv
    }
}

/// One reset request per user from four clients against a running server, recording which users
/// were answered 200 (acknowledged).
final class ResetLoad: Sendable {
    static let path = "/simple-jwt-login/v1/user/reset_password"
    private let indexes = Mutex<Set<Int>>([])
    var count: Int { indexes.withLock { $0.count } }
    var all: Set<Int> { indexes.withLock { $0 } }

    /// Starts posting for users `0..<userCount`, addressed `email(i)`.
    func start(_ server: ServerProcess, userCount: Int, email: @escaping @Sendable (Int) -> String) -> Task<Void, any Error> {
        Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        for index in stride(from: lane, to: userCount, by: 4) {
                            let answer = try await server.send("POST", Self.path, json: ["email": email(index)])
                            if answer.status == 200 { _ = self.indexes.withLock { $0.insert(index) } }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Waits (at most 12 s) until at least `count` requests were acknowledged; returns which.
    func acknowledged(atLeast count: Int) async throws -> Set<Int> {
        for _ in 0..<1200 where self.count < count { try await Task.sleep(for: .milliseconds(10)) }
        return all
    }
}
