// libFuzzer entry for the template parser and renderer (built with the ResetPressTemplates sources by `run`).
//
// Input: the bytes are the template source (invalid UTF-8 is repaired the way `String(decoding:)` does).
// Checked on every input, besides "no crash": pieces tile the source; rendering with no variables gives the
// source back; values are never re-scanned; HTML values are escaped; subjects have no CR/LF.

/// Runs one input; traps (and so reports a crash) when an invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func templateFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let template = Template(source)

    var next = 0
    for piece in template.pieces {
        precondition(piece.start == next && piece.end > piece.start, "pieces do not tile the source")
        precondition(piece.slot == Template.Piece.literal || template.keys.indices.contains(piece.slot), "bad slot")
        next = piece.end
    }
    precondition(next == template.bytes.count, "pieces stop before the end")
    precondition(Set(template.placeholderNames).count == template.placeholderNames.count, "names repeat")

    precondition(template.render(TemplateVariables(), as: .text) == source, "empty render changed the text")
    precondition(template.render(TemplateVariables(), as: .html) == source, "empty HTML render changed the text")
    precondition(template.unknownPlaceholders(known: []) == template.placeholderNames, "unknown list differs")

    var marked = TemplateVariables()
    var hostile = TemplateVariables()
    for name in template.placeholderNames {
        marked[name] = ""
        hostile[name] = "{{\(name)}}<&\"'>\r\n"
    }
    let emptied = template.render(marked, as: .text)
    precondition(emptied.utf8.count <= source.utf8.count, "empty values made the text longer")

    let text = template.render(hostile, as: .text)
    let expectedGrowth = template.pieces.reduce(0) { total, piece in
        guard piece.slot != Template.Piece.literal, let value = hostile[template.keys[piece.slot]] else { return total }
        return total + value.utf8.count - (piece.end - piece.start)
    }
    precondition(text.utf8.count == source.utf8.count + expectedGrowth, "a value was not inserted exactly once")

    let html = template.render(hostile, as: .html)
    let sourceAngles = source.utf8.count { $0 == UInt8(ascii: "<") }
    let rawPieces = template.pieces.count { $0.slot != Template.Piece.literal && !$0.escaped }
    precondition(html.utf8.count { $0 == UInt8(ascii: "<") } <= sourceAngles + rawPieces, "an escaped value kept a '<'")

    let subject = template.renderSubject(hostile)
    precondition(!subject.utf8.contains(0x0D) && !subject.utf8.contains(0x0A), "CR/LF in a subject")
    return 0
}
