import Foundation

/// Comparisons whose running time does not depend on where two secrets differ.
public enum ConstantTime {
    /// Returns whether `a` and `b` hold the same bytes, looking at every byte whatever the contents.
    ///
    /// Only the lengths can leak: collections of different lengths return `false` at once.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) {
            difference |= x ^ y
        }
        return difference == 0
    }

    /// Returns whether any of `candidates` holds the bytes of `stored`, comparing every candidate
    /// (one per install key) so the time does not tell which one matched.
    public static func equalsAny(_ candidates: [Data], _ stored: Data) -> Bool {
        var matched = false
        for candidate in candidates where equals(candidate, stored) { matched = true }
        return matched
    }
}
