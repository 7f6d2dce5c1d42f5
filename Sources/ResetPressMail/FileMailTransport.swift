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
/// hidden temporary name in the same directory, fsynced, then renamed into place: a reader listing `*.eml`
/// never sees a partial file. Files are mode 0600 (they hold reset codes); a missing directory is created 0700.
public struct FileMailTransport: MailTransport {
    /// The directory the `.eml` files go to.
    public let directory: URL
    /// Renders (and signs) each message.
    public let renderer: MessageRenderer
    private let logger: Logger

    /// Creates a transport writing into `directory`.
    public init(directory: URL, renderer: MessageRenderer = .plain, logger: Logger = Logger(label: "resetpress.mail.file")) {
        self.directory = directory
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

    /// Renders the message and writes it atomically, returning the file's URL. Failures are temporary
    /// ``MailDeliveryError``s naming the path and the system error.
    @discardableResult
    public func write(_ message: MailMessage, messageID: String, date: Date) throws(MailDeliveryError) -> URL {
        let id = MessageID.normalized(messageID, fallbackDomain: message.from.domain)
        let raw = try renderer.render(message, messageID: id, date: date)
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw MailDeliveryError(permanent: false, message: "cannot create \(directory.path): \(error)")
        }
        let url = directory.appendingPathComponent(Self.fileName(messageID: id, date: date))
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(RandomHex.make(byteCount: 6)).tmp")
        try writeDurably(Array(raw.utf8), to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let failure = systemError("cannot rename \(temporary.path) to \(url.path)")
            unlink(temporary.path)
            throw failure
        }
        syncDirectory()
        logger.debug("mail written", metadata: ["path": "\(url.path)", "message-id": "\(id)"])
        return url
    }

    /// `<UTC timestamp>-<message id with anything but letters, digits, '.', '_', '-' replaced by '_'>.eml`.
    static func fileName(messageID: String, date: Date) -> String {
        let safe = messageID.unicodeScalars.filter { $0 != "<" && $0 != ">" }.prefix(120).map { scalar -> Character in
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F: Character(scalar)
            default: "_"
            }
        }
        return MailDate.fileStamp(date) + "-" + String(safe) + ".eml"
    }

    private func writeDurably(_ bytes: [UInt8], to url: URL) throws(MailDeliveryError) {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw systemError("cannot create \(url.path)") }
        var failure: MailDeliveryError?
        var offset = 0
        while offset < bytes.count, failure == nil {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return writeBytes(descriptor, base + offset, bytes.count - offset)
            }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                failure = systemError("cannot write \(url.path)")
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = systemError("cannot fsync \(url.path)") }
        if closeDescriptor(descriptor) != 0, failure == nil { failure = systemError("cannot close \(url.path)") }
        if let failure {
            unlink(url.path)
            throw failure
        }
    }

    /// Fsyncs the directory so the rename itself survives a crash; best effort.
    private func syncDirectory() {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
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

/// The C `close(2)`, reachable inside ``FileMailTransport`` whose `MailTransport.close()` shadows it.
@discardableResult
private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
