import ArgumentParser
import Foundation
import ResetPassword
import ResetPressSite
import ResetPressStorage
import ResetPressUsers

extension UsersCommand {
    /// `resetpress users import FILE`: CSV with plain passwords or existing hashes, idempotent.
    struct Import: SiteCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import users from CSV (plain passwords or bcrypt/phpass/$wp$ hashes); running it twice gives the same result.",
            discussion: """
                Columns (header line, any order): login|user_login, email|user_email, display_name, nickname, \
                first_name, last_name, password (plain) or password_hash|user_pass (a hash). Users are matched \
                by email: known ones are updated, others added. Bad lines are skipped and reported by line \
                number; the exit status is then 1.
                """)
        @OptionGroup var site: SiteOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(name: .customLong("dry-run"), help: "Check the file and report what would change, writing nothing.")
        var dryRun = false

        func run(on site: Site) async throws {
            let store = site.storage.users
            let reading = ImportProgress(label: "reading")
            let parsed: UserImportResult
            do {
                parsed = try UserImport.parse(contentsOf: URL(fileURLWithPath: file)) { reading.update($0, of: $1) }
            } catch let error as UserImportError {
                throw CLIFailure(error.description)
            }
            reading.finish()

            var problems = parsed.problems
            var rows: [ImportRow] = []
            var existing = 0
            for row in parsed.rows {
                if let owner = try await store.user(byLogin: row.login), owner.email.lowercased() != row.email.lowercased() {
                    problems.append(ImportProblem(line: row.line, message: "login \(row.login) belongs to another user (\(owner.email))"))
                    continue
                }
                if dryRun, try await store.user(byEmail: row.email) != nil { existing += 1 }
                rows.append(row)
            }
            problems.sort { $0.line < $1.line }

            if dryRun {
                print("Dry run: \(rows.count - existing) would be added, \(existing) updated, \(problems.count) problems; nothing was written.")
            } else {
                let users = try await Self.hashAll(rows, site: site)
                let result: (added: Int, updated: Int)
                do {
                    result = try await store.upsert(users, now: Date())
                } catch let error as StorageError {
                    throw CLIFailure("nothing was imported: \(error.description)")
                }
                print("Added \(result.added), updated \(result.updated), problems \(problems.count).")
            }
            for problem in problems { Terminal.writeError("line \(problem.line): \(problem.message)\n") }
            if !problems.isEmpty { throw ExitCode(1) }
        }

        /// Hashes plain passwords concurrently through the site's hasher (which bounds the threads
        /// used), keeping the rows' order.
        static func hashAll(_ rows: [ImportRow], site: Site) async throws -> [NewUser] {
            let hasher = site.hasher
            let cost = site.engine.settings[ResetPasswordSettings.passwordHashCost]
            let plainCount = rows.count { if case .plain = $0.password { true } else { false } }
            let hashing = ImportProgress(label: "hashing")
            var users = [NewUser?](repeating: nil, count: rows.count)
            do {
                try await withThrowingTaskGroup(of: (Int, NewUser).self) { group in
                    var next = 0
                    func addNext() {
                        let index = next
                        let row = rows[index]
                        group.addTask { (index, try await row.newUser(hashingWith: hasher, cost: cost)) }
                        next += 1
                    }
                    while next < min(rows.count, hasher.maxConcurrent * 4) { addNext() }
                    var hashed = 0
                    while let (index, user) = try await group.next() {
                        users[index] = user
                        if case .plain = rows[index].password, plainCount > 0 {
                            hashed += 1
                            hashing.update(hashed, of: plainCount)
                        }
                        if next < rows.count { addNext() }
                    }
                }
            } catch let error as PasswordHasherError {
                throw CLIFailure("nothing was imported: \(error.description) (users.password_hash_cost)")
            }
            hashing.finish()
            return users.compactMap { $0 }
        }
    }
}

/// Shows progress on standard error: a redrawn bar on a terminal, otherwise a line per 10 %.
final class ImportProgress {
    private let label: String
    private let isTerminal = Terminal.stderrIsTerminal
    private var shownPercent = -1
    private var shownTenth = 0

    init(label: String) {
        self.label = label
    }

    /// Reports `done` of `total` items.
    func update(_ done: Int, of total: Int) {
        guard total > 0 else { return }
        let percent = min(100, done * 100 / total)
        if isTerminal {
            guard percent != shownPercent else { return }
            shownPercent = percent
            let filled = percent * 30 / 100
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
            Terminal.writeError("\r\(label) [\(bar)] \(percent)% \(done)/\(total)")
        } else if percent / 10 > shownTenth {
            shownTenth = percent / 10
            Terminal.writeError("\(label): \(percent)% (\(done)/\(total))\n")
        }
    }

    /// Ends the bar's line.
    func finish() {
        if isTerminal && shownPercent >= 0 { Terminal.writeError("\n") }
    }
}
