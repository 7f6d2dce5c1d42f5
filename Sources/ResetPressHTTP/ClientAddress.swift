/// Finds the client's IP address for `{{IP}}`, rate limits and the reset record.
public enum ClientAddress {
    /// The client address of a request that arrived from `peer`.
    ///
    /// When `peer` is not inside one of `trustedProxies` (or the list is empty) it is the answer and
    /// X-Forwarded-For is ignored. Otherwise `forwardedFor` (all X-Forwarded-For values joined by commas) is
    /// walked from the right, skipping trusted hops: the first untrusted address is the client. An entry that
    /// is not an address (`unknown`, garbage) stops the walk at the last good hop; when every hop is trusted
    /// the leftmost one is returned. Entries may carry brackets and ports (`[::1]:80`, `1.2.3.4:80`).
    public static func resolve(peer: String, forwardedFor: String?, trustedProxies: [CIDR]) -> String {
        guard let forwardedFor, isTrusted(peer, by: trustedProxies) else { return peer }
        var client = peer
        for entry in forwardedFor.split(separator: ",").reversed() {
            guard let address = hostPart(of: entry), IPAddress(address) != nil else { return client }
            client = address
            if !isTrusted(address, by: trustedProxies) { return address }
        }
        return client
    }

    private static func isTrusted(_ address: String, by proxies: [CIDR]) -> Bool {
        guard let parsed = IPAddress(address) else { return false }
        return proxies.contains { $0.contains(parsed) }
    }

    /// The address inside an X-Forwarded-For entry, without brackets or port.
    private static func hostPart(of entry: Substring) -> String? {
        let trimmed = String(entry).trimmingWhitespace()
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { return nil }
            return String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
        }
        let colons = trimmed.filter { $0 == ":" }.count
        if colons == 1, let colon = trimmed.firstIndex(of: ":") {
            return String(trimmed[..<colon])
        }
        return trimmed.isEmpty ? nil : trimmed
    }
}
