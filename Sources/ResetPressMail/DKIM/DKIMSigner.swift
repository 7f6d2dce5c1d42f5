import Crypto
import Foundation
import _CryptoExtras

/// Signs rendered messages with DKIM (RFC 6376): rsa-sha256, relaxed/relaxed canonicalization.
///
/// ``sign(_:time:)`` returns the message with a `DKIM-Signature:` field put before its first header. The
/// signature covers the body and each header of ``signedHeaders`` the message has; every name is listed once
/// more than it occurs ("over-signing"), so a receiver rejects a copy to which one of them was added, even one
/// the message did not have (a second `From`, a `Reply-To`). Signing is deterministic: the same message and
/// time give the same bytes, so a retried outbox entry is rendered identically.
///
/// Receivers find the public key in the TXT record ``dnsName`` whose text is ``dnsRecord``.
public struct DKIMSigner: Sendable {
    /// The signing domain (`d=`), which should be the `From` domain or a parent of it for DMARC alignment.
    public let domain: String
    /// The key's selector (`s=`): the record is `<selector>._domainkey.<domain>`.
    public let selector: String
    private let key: _RSA.Signing.PrivateKey

    /// The header fields signed when present, in `h=` order.
    public static let signedHeaders = [
        "from", "reply-to", "to", "cc", "subject", "date", "message-id", "auto-submitted", "mime-version",
        "content-type", "content-transfer-encoding",
    ]

    /// Makes a signer from a PEM RSA private key (`BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY`, 2048 bits or
    /// more); `keySource` names where the key came from in errors.
    public init(domain: String, selector: String, privateKeyPEM: String, keySource: String = "the given PEM") throws(DKIMError) {
        guard Self.isDomainName(domain, allowSingleLabel: false) else { throw .invalidDomain(domain) }
        guard Self.isDomainName(selector, allowSingleLabel: true) else { throw .invalidSelector(selector) }
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw .invalidKey(source: keySource, reason: "\(error)")
        }
        self.domain = domain.lowercased()
        self.selector = selector.lowercased()
    }

    /// The signer the settings describe, or nil when `domain` is empty (DKIM off).
    ///
    /// For `mail.dkim.domain`, `mail.dkim.selector` and `mail.dkim.private_key_file`; surrounding whitespace
    /// is ignored. Throws a ``DKIMError`` saying which setting to fix.
    public static func load(domain: String, selector: String, privateKeyFile: String) throws(DKIMError) -> DKIMSigner? {
        let domain = domain.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !domain.isEmpty else { return nil }
        let path = privateKeyFile.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !path.isEmpty else { throw .missingKeyFile }
        let pem: String
        do {
            pem = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw .unreadableKeyFile(path: path, reason: reason)
        }
        return try DKIMSigner(
            domain: domain, selector: selector.trimmingCharacters(in: .whitespacesAndNewlines), privateKeyPEM: pem,
            keySource: path)
    }

    /// Where receivers look up the key: `<selector>._domainkey.<domain>`.
    public var dnsName: String { "\(selector)._domainkey.\(domain)" }

    /// The TXT record text to publish at ``dnsName``: `v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>`.
    public var dnsRecord: String { "v=DKIM1; k=rsa; p=" + key.publicKey.derRepresentation.base64EncodedString() }

    /// `message` (CRLF line ends, as ``MIMEWriter`` renders it) with a `DKIM-Signature` field first; `time`
    /// becomes `t=` when given.
    public func sign(_ message: String, time: Date? = nil) throws(DKIMError) -> String {
        String(decoding: try sign(Array(message.utf8), time: time), as: UTF8.self)
    }

    /// The byte form of ``sign(_:time:)-(String,_)``.
    public func sign(_ message: [UInt8], time: Date? = nil) throws(DKIMError) -> [UInt8] {
        let (fields, body) = DKIMCanonicalization.split(message)
        let bodyHash = Data(SHA256.hash(data: DKIMCanonicalization.relaxedBody(body))).base64EncodedString()

        var names: [String] = []
        var signedData: [UInt8] = []
        for name in Self.signedHeaders {
            var instances = fields.filter { $0.name == name }
            names += Array(repeating: name, count: instances.count + 1)
            // Several instances of a name are signed from the last one up (RFC 6376 §5.4.2).
            while let field = instances.popLast() {
                signedData += DKIMCanonicalization.relaxedHeader(field.raw) + [0x0D, 0x0A]
            }
        }

        var folder = HeaderFolder(name: "DKIM-Signature")
        for tag in ["v=1;", "a=rsa-sha256;", "c=relaxed/relaxed;", "d=\(domain);", "s=\(selector);"] {
            folder.add(tag)
        }
        if let time { folder.add("t=\(Int64(time.timeIntervalSince1970.rounded(.down)));") }
        for (index, name) in names.enumerated() {
            let piece = (index == 0 ? "h=" : "") + name + (index == names.count - 1 ? ";" : ":")
            folder.add(piece, spaceBefore: index == 0)
        }
        folder.add("bh=\(bodyHash);")
        folder.add("b=")
        signedData += DKIMCanonicalization.relaxedHeader(Array(folder.text.utf8))

        let signature: Data
        do {
            signature = try key.signature(for: signedData, padding: .insecurePKCS1v1_5).rawRepresentation
        } catch {
            throw .signingFailed("\(error)")
        }
        let encoded = Array(signature.base64EncodedString())
        for start in stride(from: 0, to: encoded.count, by: 8) {
            folder.add(String(encoded[start..<min(start + 8, encoded.count)]), spaceBefore: false)
        }
        return Array((folder.text + "\r\n").utf8) + message
    }

    /// Whether `value` is dot-separated labels of ASCII letters, digits and inner hyphens (at least two labels
    /// unless `allowSingleLabel`).
    static func isDomainName(_ value: String, allowSingleLabel: Bool) -> Bool {
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        guard !value.isEmpty, value.utf8.count <= 253, allowSingleLabel || labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        }
    }
}

/// Builds a folded header field from pieces, starting a continuation line (CRLF and one space) before a piece
/// that would take the line past 78 characters.
private struct HeaderFolder {
    private(set) var text: String
    private var lineLength: Int

    init(name: String) {
        text = name + ":"
        lineLength = text.count
    }

    /// Appends `piece`, after a space when `spaceBefore` (a fold is whitespace too, so it always separates).
    mutating func add(_ piece: String, spaceBefore: Bool = true) {
        let width = (spaceBefore ? 1 : 0) + piece.count
        if lineLength + width > HeaderEncoding.maxLineLength {
            text += "\r\n " + piece
            lineLength = 1 + piece.count
        } else {
            text += (spaceBefore ? " " : "") + piece
            lineLength += width
        }
    }
}
