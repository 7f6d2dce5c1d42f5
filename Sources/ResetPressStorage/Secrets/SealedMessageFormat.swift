import Foundation
import ResetPressMail

/// The plaintext a ``MailSealer`` seals: a message in a compact binary form, cheaper to write and read
/// than JSON (the sender opens one per mail).
///
/// Byte 0 is the format version, `2`. Then, in order: the `from` address; the number of `to` addresses
/// and each address; `subject`; `textBody`; `htmlBody` and `replyTo`, each optional. A string is its
/// UTF-8 length (4 bytes, little-endian) and bytes; an address is its email and optional name; an optional
/// value is one byte, `0` for none or `1` followed by the value. Bodies sealed before this format hold the
/// message as JSON (they start with `{`) and still open.
enum SealedMessageFormat {
    /// The version byte this format writes.
    static let version: UInt8 = 2

    /// The message in this format.
    static func encode(_ message: MailMessage) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + message.subject.utf8.count + message.textBody.utf8.count + (message.htmlBody?.utf8.count ?? 0))
        bytes.append(version)
        append(message.from, to: &bytes)
        appendLength(message.to.count, to: &bytes)
        for address in message.to { append(address, to: &bytes) }
        append(message.subject, to: &bytes)
        append(message.textBody, to: &bytes)
        appendOptional(message.htmlBody, to: &bytes, append)
        appendOptional(message.replyTo, to: &bytes, append)
        return bytes
    }

    /// The message `encode` wrote, or, for a body sealed as JSON, the JSON decoded; throws
    /// ``SealedMessageError`` when the bytes are cut short, carry another version or an invalid address.
    static func decode(_ data: Data) throws -> MailMessage {
        guard data.first != UInt8(ascii: "{") else { return try JSONDecoder().decode(MailMessage.self, from: data) }
        return try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws -> MailMessage in
            var reader = Reader(bytes: buffer)
            guard try reader.byte() == version else { throw SealedMessageError.unknownVersion }
            let from = try reader.address()
            let count = try reader.length()
            var to: [MailAddress] = []
            to.reserveCapacity(min(count, 64))
            for _ in 0..<count { to.append(try reader.address()) }
            let message = MailMessage(
                from: from, to: to, subject: try reader.string(), textBody: try reader.string(),
                htmlBody: try reader.optional { try $0.string() }, replyTo: try reader.optional { try $0.address() })
            guard reader.isAtEnd else { throw SealedMessageError.malformed }
            return message
        }
    }

    private static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(length).littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func append(_ string: String, to bytes: inout [UInt8]) {
        appendLength(string.utf8.count, to: &bytes)
        bytes.append(contentsOf: string.utf8)
    }

    private static func append(_ address: MailAddress, to bytes: inout [UInt8]) {
        append(address.email, to: &bytes)
        appendOptional(address.name, to: &bytes, append)
    }

    private static func appendOptional<T>(_ value: T?, to bytes: inout [UInt8], _ appendValue: (T, inout [UInt8]) -> Void) {
        guard let value else {
            bytes.append(0)
            return
        }
        bytes.append(1)
        appendValue(value, &bytes)
    }

    /// Reads the format front to back, checking every length against what is left.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func byte() throws -> UInt8 {
            guard offset < bytes.count else { throw SealedMessageError.malformed }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func length() throws -> Int {
            guard bytes.count - offset >= 4 else { throw SealedMessageError.malformed }
            var value: UInt32 = 0
            withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 4])) }
            offset += 4
            let length = Int(UInt32(littleEndian: value))
            guard length <= bytes.count - offset else { throw SealedMessageError.malformed }
            return length
        }

        mutating func string() throws -> String {
            let length = try length()
            defer { offset += length }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
        }

        mutating func address() throws -> MailAddress {
            let email = try string()
            let name = try optional { try $0.string() }
            do {
                return try MailAddress(email: email, name: name)
            } catch {
                throw SealedMessageError.invalidAddress
            }
        }

        mutating func optional<T>(_ read: (inout Reader) throws -> T) throws -> T? {
            switch try byte() {
            case 0: return nil
            case 1: return try read(&self)
            default: throw SealedMessageError.malformed
            }
        }
    }
}

/// A sealed body opened under the right key that does not hold a message in a known format.
enum SealedMessageError: Error {
    /// Cut short, or with bytes left over, or an optional marker other than 0 and 1.
    case malformed
    /// A version byte this build does not read.
    case unknownVersion
    /// An address that does not validate.
    case invalidAddress
}
