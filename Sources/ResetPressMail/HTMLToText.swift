/// Turns an HTML email body into readable plain text for the `text/plain` alternative.
///
/// Tags are stripped; `<script>`, `<style>`, `<title>` and `<template>` are dropped with their contents;
/// block elements start new lines (paragraphs and headings leave a blank line); `<br>` is a line break;
/// list items get `- ` or `1. `; links read `text (url)`; `<img alt>` keeps its alt text; entities are
/// decoded; whitespace collapses as a browser would (except inside `<pre>`) and blank lines collapse to one.
public enum HTMLToText {
    static let droppedElements: Set<String> = ["script", "style", "title", "template"]
    static let paragraphElements: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "table", "dl", "hr",
        "address", "figure", "form", "section", "article", "header", "footer", "aside", "nav", "main",
    ]
    static let lineElements: Set<String> = [
        "div", "li", "tr", "dt", "dd", "caption", "fieldset", "legend", "figcaption", "body", "html",
    ]

    /// The plain-text rendering of `html`, with `\n` line endings and no leading or trailing blank lines.
    public static func convert(_ html: String) -> String {
        var scanner = HTMLScanner(html)
        var text = TextBuilder()
        while let token = scanner.next() {
            switch token {
            case .text(let raw):
                text.append(HTMLEntities.decode(raw))
            case .startTag(let name, let attributes, let selfClosing):
                handleStart(name, attributes: attributes, selfClosing: selfClosing, scanner: &scanner, text: &text)
            case .endTag(let name):
                handleEnd(name, text: &text)
            }
        }
        return text.finish()
    }

    private static func handleStart(
        _ name: String, attributes: [String: String], selfClosing: Bool,
        scanner: inout HTMLScanner, text: inout TextBuilder
    ) {
        if droppedElements.contains(name) {
            if !selfClosing { scanner.skipRawText(until: name) }
            return
        }
        switch name {
        case "br":
            text.lineBreak()
        case "a":
            text.openLink(href: attributes["href"].map(HTMLEntities.decode) ?? "")
        case "img":
            if let alt = attributes["alt"] { text.append(HTMLEntities.decode(alt)) }
        case "ul", "ol":
            text.openList(ordered: name == "ol")
        case "li":
            text.listItem()
        case "pre":
            text.ensureNewlines(2)
            text.preDepth += 1
        default:
            separate(name, text: &text)
        }
    }

    /// The room an element's start or end leaves: a space beside a table cell, a blank line around a
    /// paragraph, a line break around a line.
    private static func separate(_ name: String, text: inout TextBuilder) {
        if name == "td" || name == "th" {
            text.append(" ")
        } else if paragraphElements.contains(name) {
            text.ensureNewlines(2)
        } else if lineElements.contains(name) {
            text.ensureNewlines(1)
        }
    }

    private static func handleEnd(_ name: String, text: inout TextBuilder) {
        switch name {
        case "a":
            text.closeLink()
        case "ul", "ol":
            text.closeList()
        case "pre":
            text.preDepth = max(0, text.preDepth - 1)
            text.ensureNewlines(2)
        default:
            separate(name, text: &text)
        }
    }
}

/// Accumulates the text output: whitespace collapsing, line breaks, links and list numbering.
struct TextBuilder {
    private var output: [Character] = []
    private var links: [(href: String, start: Int)] = []
    private var lists: [(ordered: Bool, count: Int)] = []
    var preDepth = 0

    /// Appends decoded text, collapsing whitespace runs to one space outside `<pre>`.
    mutating func append(_ text: String) {
        for character in text {
            if preDepth == 0, character.isWhitespace, character != "\u{A0}" {
                if let last = output.last, last != " ", last != "\n" { output.append(" ") }
            } else {
                output.append(character == "\r\n" || character == "\r" ? "\n" : character)
            }
        }
    }

    /// A forced line break (`<br>`).
    mutating func lineBreak() {
        output.append("\n")
    }

    /// Makes the output end with at least `count` newlines, unless nothing has been written yet.
    mutating func ensureNewlines(_ count: Int) {
        guard !output.isEmpty else { return }
        let trailing = output.reversed().prefix(while: { $0 == "\n" }).count
        output += Array(repeating: "\n", count: max(0, count - trailing))
    }

    mutating func openLink(href: String) {
        links.append((href.trimmingWhitespace(), output.count))
    }

    /// Appends ` (url)` after the link text, or the url alone when the text is empty; nothing when the text
    /// already is the url or the link is a fragment or script.
    mutating func closeLink() {
        guard let link = links.popLast() else { return }
        let href = link.href
        let lowered = href.lowercased()
        guard !href.isEmpty, !href.hasPrefix("#"), !lowered.hasPrefix("javascript:") else { return }
        let label = String(output[min(link.start, output.count)...]).trimmingWhitespace()
        if label.isEmpty {
            append(href)
        } else if label != href, "mailto:" + label != href {
            append(" (\(href))")
        }
    }

    mutating func openList(ordered: Bool) {
        lists.append((ordered, 0))
        ensureNewlines(2)
    }

    mutating func closeList() {
        _ = lists.popLast()
        ensureNewlines(2)
    }

    mutating func listItem() {
        ensureNewlines(1)
        guard !lists.isEmpty else {
            output += Array("- ")
            return
        }
        lists[lists.count - 1].count += 1
        let list = lists[lists.count - 1]
        output += Array(list.ordered ? "\(list.count). " : "- ")
    }

    /// The final text: non-breaking spaces as spaces, lines right-trimmed, blank-line runs collapsed to one,
    /// no blank lines at either end.
    func finish() -> String {
        var lines: [String] = []
        for line in String(output).replacingNBSP().split(separator: "\n", omittingEmptySubsequences: false) {
            var trimmed = Substring(line)
            while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
            if trimmed.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(String(trimmed))
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}

private extension String {
    func replacingNBSP() -> String {
        String(map { $0 == "\u{A0}" ? " " : $0 })
    }
}
