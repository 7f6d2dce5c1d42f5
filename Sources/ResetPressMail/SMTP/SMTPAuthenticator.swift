import Foundation

/// SMTP `AUTH` (RFC 4954) with the PLAIN (RFC 4616) or LOGIN mechanism.
///
/// PLAIN is used when the server offers it, LOGIN otherwise; a server offering neither is a configuration
/// error. Credentials never appear in error messages: steps are named by mechanism only.
struct SMTPAuthenticator {
    /// A mechanism this client speaks.
    enum Mechanism: String, CaseIterable {
        case plain = "PLAIN"
        case login = "LOGIN"
    }

    let channel: SMTPChannel
    let timeout: Duration

    /// The mechanism to use among those `offered` (upper case), preferring PLAIN.
    static func choose(from offered: [String]) -> Mechanism? {
        Mechanism.allCases.first { offered.contains($0.rawValue) }
    }

    /// Authenticates, or throws the server's refusal (a `forMessage: false` reply) or a configuration error.
    func authenticate(username: String, password: String, offered: [String]) async throws(SMTPFailure) {
        guard let mechanism = Self.choose(from: offered) else {
            let list = offered.isEmpty ? "no AUTH at all" : "AUTH " + offered.joined(separator: " ")
            throw .configuration("the server offers no AUTH PLAIN or LOGIN (it offers \(list)); a user name is set")
        }
        let step = "AUTH \(mechanism.rawValue)"
        let final: SMTPReply
        switch mechanism {
        case .plain:
            let response = Self.base64("\u{0}\(username)\u{0}\(password)")
            final = try await channel.exchange("AUTH PLAIN \(response)", step: step, timeout: timeout)
        case .login:
            try expectChallenge(try await channel.exchange("AUTH LOGIN", step: step, timeout: timeout), step: step)
            try expectChallenge(
                try await channel.exchange(Self.base64(username), step: step + " (user name)", timeout: timeout),
                step: step + " (user name)")
            final = try await channel.exchange(Self.base64(password), step: step + " (password)", timeout: timeout)
        }
        guard final.code == 235 else { throw .reply(step: step, reply: final, forMessage: false) }
    }

    private func expectChallenge(_ reply: SMTPReply, step: String) throws(SMTPFailure) {
        guard reply.code == 334 else { throw .reply(step: step, reply: reply, forMessage: false) }
    }

    private static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }
}
