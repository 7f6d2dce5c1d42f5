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
}
