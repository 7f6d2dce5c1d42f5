import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes each message as an `.eml` file under a directory instead of sending it (the default transport).
///
/// Files are named `<yyyyMMdd'T'HHmmss.SSS'Z'>-<safe message id>.eml` from the message's date and id, so a
/// retry of the same outbox entry replaces its own file rather than adding a copy. Each file is written to a
/// hidden temporary name in the same directory, made durable, then renamed into place, and the directory
/// is fsynced: a reader listing `*.eml` never sees a partial file, and a returned file survives a crash. A
/// batch writes all its files, makes them durable with one `syncfs` (on Linux; elsewhere an fsync each),
/// renames them and syncs the directory once: a batch of 128 costs two flushes instead of 129. Files are
/// mode 0600 (they hold reset codes); a missing directory is created 0700.
public struct FileMailTransport: MailTransport {
    /// The directory the `.eml` files go to.
    public let directory: URL
    /// Renders (and signs) each message.
    public let renderer: MessageRenderer
    private let logger: Logger
    /// ``directory``'s path, without a trailing slash.
    private let directoryPath: String

    /// Creates a transport writing into `directory`.
    public init(directory: URL, renderer: MessageRenderer = .plain, logger: Logger = Logger(label: "resetpress.mail.file")) {
        self.directory = directory
        let path = directory.path
        self.directoryPath = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        self.renderer = renderer
        self.logger = logger
    }

    /// Writes the message (see ``write(_:messageID:date:)``); the receipt's detail is the file path.
    public func send(
        _ message: MailMessage, messageID: String, date: Date
    ) async throws(MailDeliveryError) -> MailReceipt {
        let id = MessageID.normalized(messageID, fallbackDomain: message.from.domain)
        let url = try write(message, messageID: id, date: date)
        return MailReceipt(messageID: id, detail: url.path)
    }

    /// Writes every message of the batch, syncing them together; each receipt's detail is its file path.
    public func send(batch: [OutgoingMail]) async -> [Result<MailReceipt, MailDeliveryError>] {
        write(batch).map { outcome in outcome.map { MailReceipt(messageID: $0.messageID, detail: $0.path) } }
    }

    /// Renders the message and writes it atomically, returning the file's URL. Failures are temporary
    /// ``MailDeliveryError``s naming the path and the system error.
    @discardableResult
    public func write(_ message: MailMessage, messageID: String, date: Date) throws(MailDeliveryError) -> URL {
        URL(fileURLWithPath: try write([OutgoingMail(message: message, messageID: messageID, date: date)])[0].get().path)
    }

    /// Writes each message to its temporary file, fsyncs them all, renames them into place and syncs the
    /// directory once; one outcome per message, in order.
    private func write(_ batch: [OutgoingMail]) -> [Result<(messageID: String, path: String), MailDeliveryError>] {
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            let failure = MailDeliveryError(permanent: false, message: "cannot create \(directory.path): \(error)")
            return batch.map { _ in .failure(failure) }
        }
        let written = batch.map { mail in Result { () throws(MailDeliveryError) in try writeTemporary(mail) } }
        let synced = syncAll(written)
        let placed = synced.map { outcome in outcome.flatMap { file in Result { () throws(MailDeliveryError) in try rename(file) } } }
        if placed.contains(where: { (try? $0.get()) != nil }) { syncDirectory() }
        return placed
    }
    /// `<UTC timestamp>-<message id with anything but letters, digits, '.', '_', '-' replaced by '_'>.eml`.
    static func fileName(messageID: String, date: Date) -> String {
        // By scalar, so a non-ASCII scalar becomes one '_' whatever its UTF-8 length; one plain loop,
        // since this runs for every mail.
        var safe: [UInt8] = []
        safe.reserveCapacity(min(120, messageID.utf8.count))
        for scalar in messageID.unicodeScalars where scalar != "<" && scalar != ">" {
            if safe.count == 120 { break }
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F: safe.append(UInt8(scalar.value))
            default: safe.append(0x5F)
            }
        }
        return MailDate.fileStamp(date) + "-" + String(decoding: safe, as: UTF8.self) + ".eml"
    }

    /// A message written to its hidden temporary file, not yet synced or in place.
    private struct TemporaryFile {
        let messageID: String
        let path: String
        let temporary: String
        let descriptor: Int32
    }

    /// Renders `mail` and writes it to a new hidden file beside its final name, left open for ``sync(_:)``.
    private func writeTemporary(_ mail: OutgoingMail) throws(MailDeliveryError) -> TemporaryFile {
        let id = MessageID.normalized(mail.messageID, fallbackDomain: mail.message.from.domain)
        var rendered = try renderer.render(mail.message, messageID: id, date: mail.date)
        // Paths as plain strings: Foundation's URL appending cost more than rendering the headers.
        let name = Self.fileName(messageID: id, date: mail.date)
        let path = directoryPath + "/" + name
        let temporary = directoryPath + "/." + name + "." + RandomHex.make(byteCount: 6) + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw systemError("cannot create \(temporary)") }
        let failure = rendered.withUTF8 { bytes -> MailDeliveryError? in
            var offset = 0
            while offset < bytes.count {
                let written = writeBytes(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if !(written < 0 && errno == EINTR) {
                    return systemError("cannot write \(temporary)")
                }
            }
            return nil
        }
        if let failure {
            closeDescriptor(descriptor)
            unlink(temporary)
            throw failure
        }
        return TemporaryFile(messageID: id, path: path, temporary: temporary, descriptor: descriptor)
    }

    /// Makes every written file durable: one `syncfs` for the batch where the C library has it (the file
    /// system writes back and commits all of them at once), else an `fsync` per file.
    private func syncAll(
        _ written: [Result<TemporaryFile, MailDeliveryError>]
    ) -> [Result<TemporaryFile, MailDeliveryError>] {
        let files = written.compactMap { try? $0.get() }
        guard files.count > 1, let syncFileSystem = FileSystemSync.syncfs else {
            return written.map { outcome in outcome.flatMap { file in Result { () throws(MailDeliveryError) in try sync(file) } } }
        }
        let failure = syncFileSystem(files[0].descriptor) == 0 ? nil : systemError("cannot sync the file system of \(directoryPath)")
        return written.map { outcome in
            outcome.flatMap { file in
                Result { () throws(MailDeliveryError) in
                    let closed = closeDescriptor(file.descriptor) == 0
                    if let failure = failure ?? (closed ? nil : systemError("cannot close \(file.temporary)")) {
                        unlink(file.temporary)
                        throw failure
                    }
                    return file
                }
            }
        }
    }

    /// Fsyncs and closes a temporary file; on failure it is removed.
    private func sync(_ file: TemporaryFile) throws(MailDeliveryError) -> TemporaryFile {
        var failure: MailDeliveryError?
        if fsync(file.descriptor) != 0 { failure = systemError("cannot fsync \(file.temporary)") }
        if closeDescriptor(file.descriptor) != 0, failure == nil { failure = systemError("cannot close \(file.temporary)") }
        if let failure {
            unlink(file.temporary)
            throw failure
        }
        return file
    }

    /// Renames a synced temporary file to its final name.
    private func rename(_ file: TemporaryFile) throws(MailDeliveryError) -> (messageID: String, path: String) {
        guard renameFile(file.temporary, file.path) == 0 else {
            let failure = systemError("cannot rename \(file.temporary) to \(file.path)")
            unlink(file.temporary)
            throw failure
        }
        logger.debug("mail written", metadata: ["path": "\(file.path)", "message-id": "\(file.messageID)"])
        return (file.messageID, file.path)
    }

    /// Fsyncs the directory so the rename itself survives a crash; best effort.
    private func syncDirectory() {
        let descriptor = open(directoryPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        closeDescriptor(descriptor)
    }

    private func systemError(_ context: String) -> MailDeliveryError {
        MailDeliveryError(permanent: false, message: "\(context): \(String(cString: strerror(errno)))")
    }
}

/// The C `write(2)`, reachable inside ``FileMailTransport`` whose own `write` method shadows it.
private func writeBytes(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, pointer, count)
}

/// The C `rename(2)`, reachable inside ``FileMailTransport`` whose own `rename` method shadows it.
private func renameFile(_ from: String, _ to: String) -> Int32 {
    rename(from, to)
}

/// The C `close(2)`, reachable inside ``FileMailTransport`` whose `MailTransport.close()` shadows it.
@discardableResult
private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}

/// `syncfs(2)`, looked up at run time: Glibc's Swift module does not declare it.
private enum FileSystemSync {
    static let syncfs: (@convention(c) (Int32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(nil, "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
