import Foundation
import Synchronization

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Parses template files once and keeps them; a file whose modification time, size or identity changed is
/// re-read on the next request. Safe to share between threads.
///
/// A cache hit costs one `stat` call. Files are read outside the lock, so two threads that miss at once may
/// both parse the file; both get the same template and the last one stored wins.
public final class TemplateCache: Sendable {
    /// The default largest file accepted, in bytes (1 MiB).
    public static let defaultMaximumFileSize = 1 << 20

    /// A parsed template and the file state it was read from.
    private struct Entry {
        let fingerprint: FileFingerprint
        let template: Template
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Templates parsed from text (after filters rewrote a file's text).
    private let parsedSources = Mutex(ParsedMemo())

    /// The memo of ``parsed(_:)``: the texts used last, compared first (comparing a mail's text to the one
    /// it equals costs a fraction of hashing it), then every text kept, by text.
    private struct ParsedMemo {
        static let recentCount = 8
        var recent: [Template] = []
        var bySource: [String: Template] = [:]

        mutating func find(_ source: String) -> Template? {
            if let index = recent.firstIndex(where: { $0.source == source }) { return recent[index] }
            guard let template = bySource[source] else { return nil }
            remember(template)
            return template
        }

        mutating func remember(_ template: Template) {
            if recent.count >= Self.recentCount { recent.removeLast() }
            recent.insert(template, at: 0)
        }
    }
    /// Most texts kept in `parsedSources`; past it the memo starts over, so filters that make
    /// a new text per request cannot grow it without bound.
    private static let maximumParsedSources = 256
    private let maximumFileSize: Int

    /// An empty cache that refuses files larger than `maximumFileSize` bytes.
    public init(maximumFileSize: Int = TemplateCache.defaultMaximumFileSize) {
        self.maximumFileSize = maximumFileSize
    }

    /// The template in the file at `url`, parsed once and re-read when the file has changed.
    /// A leading UTF-8 byte-order mark is dropped.
    public func template(at url: URL) throws(TemplateError) -> Template {
        guard url.isFileURL else { throw .unreadable(url.absoluteString, reason: "not a file URL") }
        return try template(atPath: url.path(percentEncoded: false))
    }

    /// The template in the file at `path` (see ``template(at:)``).
    public func template(atPath path: String) throws(TemplateError) -> Template {
        let current = try FileFingerprint(path: path)
        if let entry = entries.withLock({ $0[path] }), entry.fingerprint == current {
            return entry.template
        }
        let (fingerprint, source) = try readFile(at: path)
        let template = Template(source)
        entries.withLock { $0[path] = Entry(fingerprint: fingerprint, template: template) }
        return template
    }

    /// `source` parsed, from a memo of recent texts: the same template text is parsed once.
    public func parsed(_ source: String) -> Template {
        if let template = parsedSources.withLock({ $0.find(source) }) { return template }
        let template = Template(source)
        parsedSources.withLock { memo in
            if memo.bySource.count >= Self.maximumParsedSources { memo.bySource.removeAll(keepingCapacity: true) }
            memo.bySource[source] = template
            memo.remember(template)
        }
        return template
    }

    /// Forgets every cached template.
    public func removeAll() {
        entries.withLock { $0.removeAll() }
        parsedSources.withLock { $0 = ParsedMemo() }
    }

    /// Reads the file through one descriptor, returning the state it had when opened and its text.
    private func readFile(at path: String) throws(TemplateError) -> (FileFingerprint, String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.error(errno, path: path) }
        defer { close(descriptor) }
        let fingerprint = try FileFingerprint(descriptor: descriptor, path: path)
        guard fingerprint.size <= maximumFileSize else { throw .tooLarge(path, limit: maximumFileSize) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(fingerprint.size))
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.error(errno, path: path)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= maximumFileSize else { throw .tooLarge(path, limit: maximumFileSize) }
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
        guard let text = String(validating: body, as: UTF8.self) else { throw .notUTF8(path) }
        return (fingerprint, text)
    }

    /// Maps an `errno` value from `stat`, `open` or `read` to a template error.
    fileprivate static func error(_ code: Int32, path: String) -> TemplateError {
        if code == ENOENT || code == ENOTDIR { return .fileNotFound(path) }
        return .unreadable(path, reason: String(cString: strerror(code)))
    }
}

/// What identifies one version of a file: device, inode, size and modification time.
private struct FileFingerprint: Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int64
    let modifiedNanoseconds: Int64

    /// The state of the file at `path`; a directory or other non-regular file is unreadable.
    init(path: String) throws(TemplateError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw TemplateCache.error(errno, path: path) }
        try self.init(info, path: path)
    }

    /// The state of the open file `descriptor`.
    init(descriptor: Int32, path: String) throws(TemplateError) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw TemplateCache.error(errno, path: path) }
        try self.init(info, path: path)
    }

    private init(_ info: stat, path: String) throws(TemplateError) {
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(path, reason: "not a regular file")
        }
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        modifiedSeconds = Int64(info.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtimespec.tv_nsec)
        #else
        modifiedSeconds = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        #endif
    }
}
