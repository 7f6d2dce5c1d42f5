/// An IPv4 or IPv6 network such as `10.0.0.0/8` or `::1/128`: the entries of `http.trusted_proxies`.
///
/// A bare address is a single host (`/32` or `/128`). Host bits are cleared (`10.1.2.3/8` is `10.0.0.0/8`).
/// An IPv4 network also contains IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`), and an IPv6 network
/// contains an IPv4 address when it contains its mapped form.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    private let network: IPAddress
    /// Number of leading bits that must match.
    public let prefixLength: Int

    /// Parses `address` or `address/prefix`; `nil` when either part is invalid or the prefix is out of range.
    public init?(_ string: String) {
        let parts = string.trimmingWhitespace().split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let bits = address.bytes.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard (1...3).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(parts[1]), value <= bits
            else { return nil }
            prefix = value
        }
        self.prefixLength = prefix
        self.network = IPAddress(bytes: Self.masked(address.bytes, prefix: prefix))
    }

    /// Whether `address` (plain IPv4 or IPv6 text, optionally in brackets) is inside this network;
    /// `false` for anything that is not an address.
    public func contains(_ address: String) -> Bool {
        var text = Substring(address.trimmingWhitespace())
        if text.hasPrefix("["), text.hasSuffix("]") {
            text = text.dropFirst().dropLast()
        }
        guard let parsed = IPAddress(text) else { return false }
        return contains(parsed)
    }

    func contains(_ address: IPAddress) -> Bool {
        let candidate = network.bytes.count == 4 ? address.unmapped : address.mapped
        guard candidate.bytes.count == network.bytes.count else { return false }
        return Self.masked(candidate.bytes, prefix: prefixLength) == network.bytes
    }

    /// `network/prefix` in canonical form.
    public var description: String { "\(network)/\(prefixLength)" }

    private static func masked(_ bytes: [UInt8], prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let keep = min(max(prefix - index * 8, 0), 8)
            return keep == 8 ? byte : byte & ~(0xFF >> UInt8(keep))
        }
    }
}
