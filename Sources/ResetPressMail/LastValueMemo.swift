import Synchronization

/// A pure function that remembers its last input and output: a header every mail repeats (the
/// site's From, a template's Subject) is encoded once per change instead of once per mail.
///
/// `compute` must depend on its input alone; a different input computes again and replaces the memory.
final class LastValueMemo<Input: Equatable & Sendable, Output: Sendable>: Sendable {
    private let last = Mutex<(input: Input, output: Output)?>(nil)
    private let compute: @Sendable (Input) -> Output

    init(_ compute: @escaping @Sendable (Input) -> Output) {
        self.compute = compute
    }

    /// `compute(input)`, from memory when `input` equals the last one.
    func callAsFunction(_ input: Input) -> Output {
        if let remembered = last.withLock({ last in last.flatMap { $0.input == input ? $0.output : nil } }) { return remembered }
        let output = compute(input)
        last.withLock { $0 = (input, output) }
        return output
    }
}
