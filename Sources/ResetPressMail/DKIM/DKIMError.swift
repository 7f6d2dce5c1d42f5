/// Why a ``DKIMSigner`` could not be made or could not sign.
public enum DKIMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `mail.dkim.domain` is not a plain ASCII domain name.
    case invalidDomain(String)
    /// `mail.dkim.selector` is not one or more dot-separated labels.
    case invalidSelector(String)
    /// A domain is set but no private key file is.
    case missingKeyFile
    /// The key file could not be read (path, system error).
    case unreadableKeyFile(path: String, reason: String)
    /// The text is not a PEM RSA private key of at least 2048 bits (where it came from, the library's reason).
    case invalidKey(source: String, reason: String)
    /// The RSA signature could not be computed.
    case signingFailed(String)

    /// A message that says what was wrong and what to do.
    public var description: String {
        switch self {
        case .invalidDomain(let value):
            "DKIM domain \(value.debugDescription) is not a domain name: set mail.dkim.domain to the signing domain "
                + "in ASCII (e.g. example.com), or leave it empty to send unsigned mail."
        case .invalidSelector(let value):
            "DKIM selector \(value.debugDescription) is not valid: set mail.dkim.selector to the label of the key's "
                + "DNS record <selector>._domainkey.<domain> (letters, digits, '-', '.')."
        case .missingKeyFile:
            "DKIM signing needs a private key: set mail.dkim.private_key_file to a PEM RSA key "
                + "(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out dkim.pem)."
        case .unreadableKeyFile(let path, let reason):
            "Cannot read the DKIM private key file \(path): \(reason). Check mail.dkim.private_key_file and the file's permissions."
        case .invalidKey(let source, let reason):
            "The DKIM private key in \(source) is not a PEM RSA private key of at least 2048 bits (\(reason)). "
                + "Make one with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out dkim.pem"
        case .signingFailed(let reason):
            "DKIM signing failed: \(reason)."
        }
    }
}
