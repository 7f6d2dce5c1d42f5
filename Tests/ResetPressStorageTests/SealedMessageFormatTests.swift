import Crypto
import Foundation
import ResetPressMail
import Testing
@testable import ResetPressStorage

@Suite struct SealedMessageFormatTests {
    private static let sealer = InstallSecret(bytes: Data(repeating: 7, count: 32)).mailSealer()

    /// A message with every field chosen at random: names or none, one to three recipients, any Unicode.
    private static func randomMessage(_ generator: inout some RandomNumberGenerator) throws -> MailMessage {
        func text(_ maxLength: Int) -> String {
            let alphabet = Array("abc XYZ 0\r\n\t=.{}\"\\é€😀\u{0}")
            return String((0..<Int.random(in: 0...maxLength, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
        func address() throws -> MailAddress {
            try MailAddress(email: "user\(Int.random(in: 0...999, using: &generator))@example.com", name: Bool.random(using: &generator) ? text(20) : nil)
        }
        return MailMessage(
            from: try address(), to: try (0..<Int.random(in: 1...3, using: &generator)).map { _ in try address() }, subject: text(40),
            textBody: text(600), htmlBody: Bool.random(using: &generator) ? text(900) : nil, replyTo: Bool.random(using: &generator) ? try address() : nil)
    }

    @Test func everyMessageOpensAsItWasSealed() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let message = try Self.randomMessage(&generator)
            let sealed = try Self.sealer.seal(message)
            #expect(try Self.sealer.open(sealed) == message)
            #expect(SealedMessageFormat.encode(message).first == SealedMessageFormat.version)
        }
    }

    @Test func aBodySealedAsJSONByAnEarlierBuildStillOpens() throws {
        let message = MailMessage(
            from: try MailAddress(email: "site@example.com", name: "Site"), to: [try MailAddress(email: "ann@example.com")],
            subject: "Reset", textBody: "Your code is 123456", htmlBody: "<p>123456</p>")
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(repeating: 7, count: 32)), info: Data(MailSealer.keyInfo.utf8), outputByteCount: 32)
        let legacy = try #require(try AES.GCM.seal(try JSONEncoder().encode(message), using: key).combined)
        #expect(try Self.sealer.open(legacy) == message)
    }

    @Test func cutShortTrailingOrUnknownBytesAreRefused() throws {
        let message = MailMessage(from: try MailAddress(email: "site@example.com"), to: [try MailAddress(email: "ann@example.com")], subject: "S", textBody: "T")
        let bytes = SealedMessageFormat.encode(message)
        #expect(try SealedMessageFormat.decode(Data(bytes)) == message)
        for cut in 0..<bytes.count {
            #expect(throws: SealedMessageError.self) { try SealedMessageFormat.decode(Data(bytes[..<cut])) }
        }
        #expect(throws: SealedMessageError.malformed) { try SealedMessageFormat.decode(Data(bytes + [0])) }
        #expect(throws: SealedMessageError.unknownVersion) { try SealedMessageFormat.decode(Data([3] + bytes.dropFirst())) }
        var badOptional = bytes
        badOptional[badOptional.count - 1] = 2
        #expect(throws: SealedMessageError.malformed) { try SealedMessageFormat.decode(Data(badOptional)) }
    }

    @Test func anAddressThatDoesNotValidateIsRefused() throws {
        let message = MailMessage(from: try MailAddress(email: "site@example.com"), to: [try MailAddress(email: "ann@example.com")], subject: "S", textBody: "T")
        var bytes = SealedMessageFormat.encode(message)
        let at = try #require(bytes.firstIndex(of: UInt8(ascii: "@")))
        bytes[at] = UInt8(ascii: "\n")
        #expect(throws: SealedMessageError.invalidAddress) { try SealedMessageFormat.decode(Data(bytes)) }
    }
}
