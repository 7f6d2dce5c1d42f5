import Foundation

/// Header-value building blocks: control-character removal, RFC 2047 encoded words and folding.
///
/// Every value that reaches a header goes through ``sanitize(_:)`` first, so no CR, LF or other control
/// character can start a new header line; the only line breaks in a header are the folds made here.
enum HeaderEncoding {
    /// The longest header line written, CRLF excluded (RFC 5322's SHOULD limit).
    static let maxLineLength = 78
    /// The longest encoded word written: fits after the longest header name used (`Reply-To: `) within
    /// ``maxLineLength``, and stays under RFC 2047's 75.
    static let maxEncodedWordLength = 66
    private static let hexDigits = Array("0123456789ABCDEF".unicodeScalars)

    /// `value` with each run of control characters (C0, DEL, C1, line and paragraph separators) replaced by
    /// one space.
    static func sanitize(_ value: String) -> String {
        if value.isPrintableASCII { return value }
        var result = String.UnicodeScalarView()
        var inControlRun = false
        for scalar in value.unicodeScalars {
            if isControl(scalar) {
                if !inControlRun { result.append(" ") }
                inControlRun = true
            } else {
                result.append(scalar)
                inControlRun = false
            }
        }
        return String(result)
    }

    /// Whether `scalar` must never appear raw in a header.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// The words of an unstructured value (`Subject`): plain ASCII words when the text is printable ASCII that
    /// folds cleanly, otherwise RFC 2047 encoded words.
    static func unstructuredWords(_ value: String, headerName: String) -> [String] {
        let text = sanitize(value)
        guard !text.isEmpty else { return [] }
        guard text.isPrintableASCII, !text.holdsEncodedWordMarker else { return encodedWords(text) }
        // Printable ASCII: a character is a byte, so lengths are byte counts.
        let words = text.utf8.split(separator: 0x20, omittingEmptySubsequences: false)
        let firstRoom = maxLineLength - headerName.utf8.count - 2
        let isPlain = words.enumerated().allSatisfy { index, word in
            !word.isEmpty && word.count <= (index == 0 ? firstRoom : maxLineLength - 1)
        }
        return isPlain ? words.map { String(decoding: $0, as: UTF8.self) } : encodedWords(text)
    }

    /// The words of a display name (whitespace runs collapsed to one space); empty when there is no name.
    ///
    /// Each space-separated word is written as an atom when it is plain `atext`, as a quoted string when it
    /// is other printable ASCII, and encoded otherwise; consecutive words of one kind share one quoted string
    /// or one run of encoded words. Keeping encoded runs between plain words means the spaces around them
    /// are real spaces, which RFC 2047 decoders and Python's parser alike keep.
    static func phraseWords(_ value: String) -> [String] {
        let text = sanitize(value)
        // Sanitized printable ASCII holds no whitespace but the space.
        let words = text.isPrintableASCII
            ? text.utf8.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
            : text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        var result: [String] = []
        var run: [String] = []
        var runKind = PhraseWordKind.atom
        func flush() {
            guard !run.isEmpty else { return }
            let text = run.joined(separator: " ")
            switch runKind {
            case .atom: result += run
            case .quoted: result.append(quoted(text))
            case .encoded: result += encodedWords(text)
            }
            run = []
        }
        for word in words {
            let kind = PhraseWordKind(word)
            if kind != runKind || kind == .atom { flush() }
            runKind = kind
            run.append(word)
        }
        flush()
        return result
    }

    private enum PhraseWordKind {
        case atom, quoted, encoded

        init(_ word: String) {
            if word.holdsEncodedWordMarker || !word.utf8.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) {
                self = .encoded
            } else if word.unicodeScalars.allSatisfy(\.isAtext) {
                self = .atom
            } else {
                self = .quoted
            }
        }
    }

    private static func quoted(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// `Name: word word…` folded before a word whenever the line would pass ``maxLineLength``; a single word
    /// longer than a line (only a long address can be) stays whole. No trailing CRLF.
    static func fold(name: String, words: [String]) -> String {
        // Written into one string sized once: this runs for every header of every mail.
        var folded = name + ":"
        folded.reserveCapacity(words.reduce(folded.utf8.count) { $0 + $1.utf8.count + 3 })
        var lineLength = folded.utf8.count
        var lineHasWord = false
        for word in words {
            // Header words are ASCII (atoms, quoted strings, encoded words, ASCII addresses): bytes are characters.
            let length = word.utf8.count
            if lineHasWord, lineLength + 1 + length > maxLineLength {
                folded += "\r\n"
                lineLength = 0
            }
            folded += " "
            folded += word
            lineLength += 1 + length
            lineHasWord = true
        }
        return folded
    }

    /// `text` as UTF-8 RFC 2047 encoded words of at most ``maxEncodedWordLength`` characters, Q or B (whichever
    /// is shorter), each holding whole characters so no word splits a UTF-8 sequence. A word that must be cut
    /// is cut after its last space, which stays inside the word (decoders drop the whitespace between words).
    static func encodedWords(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        let useB = bLength(bytes.count) < qLength(bytes)
        let room = maxEncodedWordLength - "=?utf-8?Q??=".count
        func length(_ units: [[UInt8]]) -> Int {
            useB ? bLength(units.reduce(0) { $0 + $1.count }) : units.reduce(0) { $0 + qLength($1) }
        }
        var words: [String] = []
        var chunk: [[UInt8]] = []
        for unit in units(of: text, fitting: room, useB: useB) {
            chunk.append(unit)
            while chunk.count > 1, length(chunk) > room {
                let cut = chunk.dropLast().lastIndex(of: [0x20]).map { $0 + 1 } ?? chunk.count - 1
                words.append(encodedWord(Array(chunk[..<cut].joined()), useB: useB))
                chunk.removeFirst(cut)
            }
        }
        if !chunk.isEmpty { words.append(encodedWord(Array(chunk.joined()), useB: useB)) }
        return words
    }

    /// The UTF-8 bytes of each character, or of each scalar for a character too long for one word.
    private static func units(of text: String, fitting room: Int, useB: Bool) -> [[UInt8]] {
        var units: [[UInt8]] = []
        for character in text {
            let bytes = Array(character.utf8)
            let length = useB ? bLength(bytes.count) : qLength(bytes)
            if length <= room {
                units.append(bytes)
            } else {
                units += character.unicodeScalars.map { Array(String($0).utf8) }
            }
        }
        return units
    }

    private static func encodedWord(_ bytes: [UInt8], useB: Bool) -> String {
        guard !useB else { return "=?utf-8?B?" + base64(bytes) + "?=" }
        var encoded = String.UnicodeScalarView()
        for byte in bytes {
            let scalar = Unicode.Scalar(byte)
            if byte == 0x20 {
                encoded.append("_")
            } else if scalar.isQLiteral {
                encoded.append(scalar)
            } else {
                encoded.append("=")
                encoded.append(hexDigits[Int(byte >> 4)])
                encoded.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return "=?utf-8?Q?" + String(encoded) + "?="
    }

    private static func qLength(_ bytes: [UInt8]) -> Int {
        bytes.reduce(0) { total, byte in
            let scalar = Unicode.Scalar(byte)
            let literal = byte == 0x20 || scalar.isQLiteral
            return total + (literal ? 1 : 3)
        }
    }

    private static func bLength(_ count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
