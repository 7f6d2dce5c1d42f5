// Foundation is imported (as the real NIOCore does) because MultipartParser.swift relies on the
// `String(bytes:encoding:)` that reaches it through NIOCore's own Foundation import.
import Foundation

/// A stand-in for SwiftNIO's `ByteBuffer`, just big enough for the parser files the fuzz targets compile:
/// `JSONValue.swift`, `MultipartFormFields.swift` and MultipartKit's `MultipartParser.swift`.
///
/// Semantics follow NIOCore for the members defined here: the readable bytes are those between the reader
/// index and the end; reads advance the reader index and return nil when too few bytes remain.
public struct ByteBuffer: Sendable, Equatable {
    /// The bytes that `readableBytesView` covers start at `readerIndex`.
    private var storage: [UInt8]
    private var readerIndex: Int

    /// An empty buffer.
    public init() {
        storage = []
        readerIndex = 0
    }

    /// A buffer holding the UTF-8 of `string`.
    public init(string: String) {
        storage = Array(string.utf8)
        readerIndex = 0
    }

    /// A buffer holding `bytes`.
    public init(bytes: some Sequence<UInt8>) {
        storage = Array(bytes)
        readerIndex = 0
    }

    /// A buffer holding the bytes of a view.
    public init(_ view: ByteBufferView) {
        storage = Array(view)
        readerIndex = 0
    }

    /// The number of unread bytes.
    public var readableBytes: Int { storage.count - readerIndex }

    /// The unread bytes.
    public var readableBytesView: ByteBufferView { storage[readerIndex...] }

    /// Skips `count` readable bytes.
    public mutating func moveReaderIndex(forwardBy count: Int) {
        precondition(count >= 0 && count <= readableBytes, "moveReaderIndex past the end")
        readerIndex += count
    }

    /// Reads a big-endian integer, or returns nil when fewer than its size of bytes remain.
    public mutating func readInteger<T: FixedWidthInteger>(as: T.Type = T.self) -> T? {
        let size = T.bitWidth / 8
        guard readableBytes >= size else { return nil }
        var value: T = 0
        for offset in 0..<size {
            value = value << 8 | T(storage[readerIndex + offset])
        }
        readerIndex += size
        return value
    }

    /// Appends a big-endian integer.
    @discardableResult
    public mutating func writeInteger<T: FixedWidthInteger>(_ value: T) -> Int {
        let size = T.bitWidth / 8
        for offset in (0..<size).reversed() {
            storage.append(UInt8(truncatingIfNeeded: value >> (offset * 8)))
        }
        return size
    }

    /// Appends the readable bytes of `other` and consumes them from it.
    @discardableResult
    public mutating func writeBuffer(_ other: inout ByteBuffer) -> Int {
        let count = other.readableBytes
        storage.append(contentsOf: other.readableBytesView)
        other.readerIndex = other.storage.count
        return count
    }

    /// Calls `body` with the readable bytes.
    public func withUnsafeReadableBytes<T, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        let result: Result<T, E> = storage[readerIndex...].withUnsafeBytes { bytes in
            do throws(E) { return .success(try body(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Buffers are equal when their readable bytes are.
    public static func == (lhs: ByteBuffer, rhs: ByteBuffer) -> Bool {
        lhs.readableBytesView.elementsEqual(rhs.readableBytesView)
    }
}

/// The readable bytes of a `ByteBuffer`; its slices are views too, as in NIOCore.
public typealias ByteBufferView = ArraySlice<UInt8>
