import Foundation
import Testing
import ResetPressTemplates

@Suite("Template cache")
struct TemplateCacheTests {
    /// A fresh temporary directory, removed by the caller.
    private func makeDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "rp-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func returnsTheParsedFile() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "email.tpl")
        try Data("Code: {{ CODE }}".utf8).write(to: file)
        let cache = TemplateCache()
        let first = try cache.template(at: file)
        #expect(first.render(["code": "1"], as: .text) == "Code: 1")
        #expect(try cache.template(at: file) == first)
    }

    @Test func rereadsAChangedFile() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "email.tpl")
        let cache = TemplateCache()
        try Data("Old {{CODE}}".utf8).write(to: file)
        #expect(try cache.template(at: file).render(["code": "1"], as: .text) == "Old 1")
        try Data("Brand new <<CODE>>".utf8).write(to: file)
        #expect(try cache.template(at: file).render(["code": "1"], as: .text) == "Brand new 1")
    }

    /// Sets the modification date of `file` to `seconds` after 1970.
    private func setModificationDate(of file: URL, to seconds: TimeInterval) throws {
        let attributes: [FileAttributeKey: Any] = [.modificationDate: Date(timeIntervalSince1970: seconds)]
        try FileManager.default.setAttributes(attributes, ofItemAtPath: file.path(percentEncoded: false))
    }

    @Test func rereadsAFileOfTheSameSizeWithANewModificationDate() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "email.tpl")
        let cache = TemplateCache()
        try Data("AAAA {{CODE}}".utf8).write(to: file)
        try setModificationDate(of: file, to: 1_000)
        #expect(try cache.template(at: file).source == "AAAA {{CODE}}")
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: Data("BBBB".utf8))
        try handle.close()
        try setModificationDate(of: file, to: 2_000)
        #expect(try cache.template(at: file).source == "BBBB {{CODE}}")
    }

    @Test func missingFileThrowsFileNotFound() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "missing.tpl")
        #expect(throws: TemplateError.fileNotFound(file.path(percentEncoded: false))) {
            try TemplateCache().template(at: file)
        }
    }

    @Test func deletedFileThrowsAfterBeingCached() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "email.tpl")
        let cache = TemplateCache()
        try Data("x".utf8).write(to: file)
        _ = try cache.template(at: file)
        try FileManager.default.removeItem(at: file)
        #expect(throws: TemplateError.fileNotFound(file.path(percentEncoded: false))) {
            try cache.template(at: file)
        }
    }

    @Test func invalidUTF8ThrowsNotUTF8() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "bad.tpl")
        try Data([0x48, 0x69, 0xFF, 0xFE]).write(to: file)
        #expect(throws: TemplateError.notUTF8(file.path(percentEncoded: false))) {
            try TemplateCache().template(at: file)
        }
    }

    @Test func directoryIsUnreadable() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect {
            try TemplateCache().template(at: dir)
        } throws: { error in
            guard case .unreadable = error as? TemplateError else { return false }
            return true
        }
    }

    @Test func oversizedFileIsRefused() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "big.tpl")
        try Data(repeating: UInt8(ascii: "a"), count: 2_000).write(to: file)
        #expect(throws: TemplateError.tooLarge(file.path(percentEncoded: false), limit: 1_000)) {
            try TemplateCache(maximumFileSize: 1_000).template(at: file)
        }
    }

    @Test func byteOrderMarkIsDropped() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "bom.tpl")
        try Data([0xEF, 0xBB, 0xBF] + Array("Hi {{CODE}}".utf8)).write(to: file)
        #expect(try TemplateCache().template(at: file).source == "Hi {{CODE}}")
    }

    @Test func concurrentReadsAgree() async throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "email.tpl")
        try Data("Code {{CODE}}".utf8).write(to: file)
        let cache = TemplateCache()
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<32 {
                group.addTask { try cache.template(at: file).render(["code": "5"], as: .text) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: "Code 5", count: 32))
    }

    @Test func errorMessagesNameTheFile() {
        let error = TemplateError.notUTF8("/t/x.tpl")
        #expect(error.description.contains("/t/x.tpl"))
        #expect(error.path == "/t/x.tpl")
    }

    @Test func parsedTextRendersLikeAFreshParseAndSurvivesManyDistinctTexts() {
        let cache = TemplateCache()
        var variables = TemplateVariables()
        variables["NAME"] = "Ann <b>"
        let source = "Hi {{ NAME }}, <<NAME>>!"
        #expect(cache.parsed(source) == Template(source))
        #expect(cache.parsed(source).render(variables, as: .html) == Template(source).render(variables, as: .html))
        // Past the memo's bound it starts over; every text still parses to its own template.
        for index in 0..<600 {
            #expect(cache.parsed("n\(index) {{NAME}}").render(variables, as: .text) == "n\(index) Ann <b>")
        }
    }
}
