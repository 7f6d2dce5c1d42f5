import Foundation
@testable import ResetPressCLI
import Testing

/// What the commands share: the dates they read (`--expires`, SJL expiry dates) and the tables they print.
@Suite struct CommandSupportTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func datesAreAbsoluteInUTCOrRelativeToNow() throws {
        let now = Self.now
        #expect(CLIDate.parse("+90m", now: now) == now.addingTimeInterval(90 * 60))
        #expect(CLIDate.parse("+12h", now: now) == now.addingTimeInterval(12 * 3600))
        #expect(CLIDate.parse("+7d", now: now) == now.addingTimeInterval(7 * 86400))
        #expect(CLIDate.parse(" +30 ", now: now) == now.addingTimeInterval(30), "a bare number is seconds")
        // 2030-01-01T00:00:00Z is 1_893_456_000.
        #expect(CLIDate.parse("2030-01-02", now: now) == Date(timeIntervalSince1970: 1_893_542_400))
        #expect(CLIDate.parse("2030-01-02 03:04", now: now) == Date(timeIntervalSince1970: 1_893_553_440))
        #expect(CLIDate.parse("2030-01-02T03:04:05+02:00", now: now) == Date(timeIntervalSince1970: 1_893_553_445 - 7200))
        for text in ["+", "+-5", "+5w", "+99999999999d", "tomorrow", "2030-13-01"] {
            #expect(CLIDate.parse(text, now: now) == nil, "\(text)")
        }
        let printed = CLIDate.format(Date(timeIntervalSince1970: 1_893_553_445))
        #expect(printed == "2030-01-02T03:04:05Z")
        #expect(CLIDate.parse(printed, now: now) == Date(timeIntervalSince1970: 1_893_553_445), "what the CLI prints, it reads back")
    }

    @Test func tablesAlignTheirColumnsAndKeepEachCellOnOneLine() {
        let lines = TextTable.lines(header: ["ID", "EMAIL", "NOTE"], rows: [["7", "ann@example.org", "-"], ["1234", "bo@x.io", "last"]])
        #expect(lines == [
            "ID    EMAIL            NOTE",
            "7     ann@example.org  -",
            "1234  bo@x.io          last",
        ])
        #expect(TextTable.cell("line one\r\nline two") == "line one  line two")
        #expect(TextTable.cell(String(repeating: "x", count: 12), limit: 10) == String(repeating: "x", count: 9) + "…")
        #expect(TextTable.cell("exactly10!", limit: 10) == "exactly10!")
    }
}
