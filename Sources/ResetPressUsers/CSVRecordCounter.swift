/// Counts CSV records quickly, to give import progress a total before parsing.
enum CSVRecordCounter {
    /// The number of records in `text`, header included: line breaks (LF, CR or CRLF) outside
    /// double quotes, plus a last line without a break when it holds anything.
    static func count(in text: String) -> Int {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var records = 0
        var inQuotes = false
        var lineHasContent = false
        var afterCR = false
        for byte in text.utf8 {
            defer { afterCR = byte == cr }
            if byte == quote {
                inQuotes.toggle()
                lineHasContent = true
            } else if inQuotes || (byte != lf && byte != cr) {
                lineHasContent = true
            } else if !(byte == lf && afterCR) {
                records += 1
                lineHasContent = false
            }
        }
        return records + (lineHasContent ? 1 : 0)
    }
}
