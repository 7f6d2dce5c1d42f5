import Foundation
import Testing

@testable import ResetPressUsers

@Suite struct UserImportTests {
    /// A temporary directory removed when the test ends.
    final class TempDir {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("users-import-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
        func write(_ name: String, _ data: Data) throws -> URL {
            let file = url.appendingPathComponent(name)
            try data.write(to: file)
            return file
        }
    }

    @Test func readsColumnsInAnyOrderAndCase() throws {
        let csv = """
        Email,LOGIN,Display_Name,password,first_name,last_name,nickname,favourite_colour
        ann@example.com,ann,Ann A.,s3cret,Ann,Archer,annie,blue
        bob@example.org,bob,,,,,,green
        """
        let result = try UserImport.parse(csv: csv)
        #expect(result.problems.isEmpty)
        #expect(result.recordCount == 2)
        #expect(result.rows == [
            ImportRow(
                line: 2, profile: NewUser(login: "ann", email: "ann@example.com", displayName: "Ann A.", nickname: "annie", firstName: "Ann", lastName: "Archer"),
                password: .plain("s3cret")),
            ImportRow(
                line: 3, profile: NewUser(login: "bob", email: "bob@example.org", displayName: "bob", nickname: "bob"), password: .none),
        ])
    }

    @Test func handlesBOMCRLFAndQuotedFieldsWithLineNumbers() throws {
        let csv = "\u{FEFF}login,email,display_name,password\r\n"
            + "carl,carl@example.com,\"Carl, the \"\"Great\"\"\",\"pass,word\"\r\n"
            + "dina,dina@example.com,\"Dina\r\nsecond line\",pw\r\n"
            + "\r\n"
            + "erin,not-an-email,Erin,pw\r\n"
        let result = try UserImport.parse(data: Data(csv.utf8))
        #expect(result.rows.map(\.login) == ["carl", "dina"])
        #expect(result.rows[0].displayName == "Carl, the \"Great\"")
        #expect(result.rows[0].password == .plain("pass,word"))
        #expect(result.rows[1].displayName == "Dina\r\nsecond line")
        #expect(result.rows.map(\.line) == [2, 3])
        // Dina spans lines 3-4, line 5 is blank, so Erin is on line 6.
        #expect(result.problems == [ImportProblem(line: 6, message: "invalid email \"not-an-email\"")])
    }

    @Test func importsAWordPressUsersExport() async throws {
        let csv = """
        ID,user_login,user_pass,user_nicename,user_email,user_url,user_registered,user_activation_key,user_status,display_name,first_name,last_name,nickname
        1,admin,$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0,admin,admin@example.com,https://example.com,2020-01-01 10:00:00,,0,Site Admin,,,admin
        2,bigbike,$wp$2y$10$qeleDSuDaeZO5fBsEqFReeWdlqaDnBDBzB16hFgsFnhN9qFBIihvm,bigbike,Big@Example.com,,2025-05-01 08:00:00,,0,Big Bike,Big,Bike,bb
        3,php,$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq,php,php@example.com,,2025-05-01 08:00:00,,0,PHP,,,
        """
        let result = try UserImport.parse(csv: csv)
        #expect(result.problems.isEmpty)
        #expect(result.rows.map(\.login) == ["admin", "bigbike", "php"])
        #expect(result.rows[1].email == "Big@Example.com")
        #expect(result.rows[1].firstName == "Big")
        #expect(result.rows[2].nickname == "php")

        let hasher = PasswordHasher(maxConcurrent: 2)
        let passwords = ["test12345", "BigBike@2026", "rasmuslerdorf"]
        for (row, password) in zip(result.rows, passwords) {
            let user = try await row.newUser(hashingWith: hasher, cost: 4)
            guard case .hash(let hash) = row.password else {
                Issue.record("line \(row.line) has no hash")
                continue
            }
            #expect(user.passwordHash == hash)
            #expect(await hasher.verify(password, against: user.passwordHash))
        }
    }

    @Test func newUserHashesPlainPasswordsAndMarksMissingOnesUnusable() async throws {
        let result = try UserImport.parse(csv: "email,password\na@example.com,pw1\nb@example.com,\n")
        let hasher = PasswordHasher(maxConcurrent: 1)
        let first = try await result.rows[0].newUser(hashingWith: hasher, cost: 4)
        #expect(first.passwordHash.hasPrefix("$wp$2y$04$"))
        #expect(await hasher.verify("pw1", against: first.passwordHash))
        let second = try await result.rows[1].newUser(hashingWith: hasher, cost: 4)
        #expect(second.passwordHash == PasswordHasher.unusableHash)
        #expect(second.login == "b@example.com")
    }

    @Test func reportsEachProblemWithItsLine() throws {
        let csv = """
        login,email,password,password_hash
        ok,ok@example.com,pw,
        ,,pw,
        spaced,"a b@example.com",pw,
        twoats,a@b@example.com,,
        nodot,a@localhost,,
        dupe,OK@example.com,,
        ok,other@example.com,,
        both,both@example.com,pw,$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0
        md5,md5@example.com,,5f4dcc3b5aa765d61d8327deb882cf99
        wide,wide@example.com,pw,,extra
        last,last@example.com,,$2b$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq
        """
        let result = try UserImport.parse(csv: csv)
        #expect(result.rows.map(\.line) == [2, 12])
        #expect(result.problems.map(\.line) == [3, 4, 5, 6, 7, 8, 9, 10, 11])
        let messages = result.problems.map(\.message)
        #expect(messages[0] == "missing email")
        #expect(messages[1] == "invalid email \"a b@example.com\"")
        #expect(messages[2] == "invalid email \"a@b@example.com\"")
        #expect(messages[3] == "invalid email \"a@localhost\"")
        #expect(messages[4] == "duplicate email OK@example.com (first on line 2)")
        #expect(messages[5] == "duplicate login ok (first on line 2)")
        #expect(messages[6].hasPrefix("both a plain password and a password hash"))
        #expect(messages[7].hasPrefix("unknown password hash format"))
        #expect(messages[8] == "5 fields but the header has 4; quote fields that contain commas")
    }

    @Test func reportsSeveralProblemsOnOneLine() throws {
        let result = try UserImport.parse(csv: "email,password_hash\nbad,nonsense\n")
        #expect(result.rows.isEmpty)
        #expect(result.problems.count == 2)
        #expect(result.problems.allSatisfy { $0.line == 2 })
    }

    @Test func rejectsFilesThatCannotBeImported() throws {
        #expect(throws: UserImportError.empty) { try UserImport.parse(csv: "\u{FEFF}\n  \n") }
        #expect(throws: UserImportError.missingEmailColumn(header: ["login", "password"])) {
            try UserImport.parse(csv: "login,password\nann,pw\n")
        }
        #expect(throws: UserImportError.duplicateColumn(first: "login", second: "user_login")) {
            try UserImport.parse(csv: "login,user_login,email\n")
        }
        #expect(throws: UserImportError.notUTF8) { try UserImport.parse(data: Data([0x65, 0x6d, 0xff, 0xfe])) }
        let broken = "email,display_name\na@example.com,\"two\nlines\"\nb@example.com,Bro\"ken\n"
        #expect {
            try UserImport.parse(csv: broken)
        } throws: { error in
            guard case UserImportError.malformedCSV(let line, _) = error else { return false }
            return line == 4
        }
        let missing = URL(fileURLWithPath: "/nonexistent/users.csv")
        #expect {
            try UserImport.parse(contentsOf: missing)
        } throws: { error in
            guard case UserImportError.unreadable(let path, _) = error else { return false }
            return path == missing.path
        }
    }

    @Test func parsesTenThousandRowsFromAFileWithProgress() throws {
        let dir = try TempDir()
        var csv = "user_login,user_email,user_pass,display_name\r\n"
        for index in 0..<10_000 {
            let hash = index % 2 == 0 ? "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0" : ""
            csv += "user\(index),user\(index)@example.com,\(hash),\"User \(index), Esq.\"\r\n"
        }
        let file = try dir.write("users.csv", Data(csv.utf8))
        var calls: [(Int, Int)] = []
        let result = try UserImport.parse(contentsOf: file) { calls.append(($0, $1)) }
        #expect(result.rows.count == 10_000)
        #expect(result.problems.isEmpty)
        #expect(result.rows.last?.line == 10_001)
        #expect(result.rows.last?.displayName == "User 9999, Esq.")
        #expect(calls.count <= 101)
        #expect(calls.count >= 100)
        #expect(calls.allSatisfy { $0.1 == 10_000 })
        #expect(zip(calls, calls.dropFirst()).allSatisfy { $0.0 < $1.0 && $1.0 - $0.0 >= 100 })
        #expect(calls.last?.0 == 10_000)
    }

    @Test(arguments: [
        ("a,b\n1,2\n", 2), ("a,b\n1,2", 2), ("a\r\n\"x\r\ny\"\r\n", 2), ("a\n\n\n", 3), ("a\r1\r", 2), ("", 0),
    ])
    func countsRecordsOutsideQuotes(text: String, expected: Int) {
        #expect(CSVRecordCounter.count(in: text) == expected)
    }

    @Test(arguments: [
        ("a@example.com", true), ("first.last+tag@sub.example.co.uk", true), ("ünï@exämple.de", true),
        ("", false), ("@example.com", false), ("a@", false), ("a@example", false), ("a@.com", false),
        ("a@example.", false), ("a@@example.com", false), ("a @example.com", false), ("a@exa\tmple.com", false),
    ])
    func checksEmailsSimply(candidate: String, plausible: Bool) {
        #expect(EmailAddress.isPlausible(candidate) == plausible)
    }
}
