import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization

@testable import ResetPressHTTP

/// A request with the given target, method and headers and a complete in-memory body.
func makeRequest(
    _ target: String,
    method: HTTPRequest.Method = .post,
    headers: HTTPFields = [:],
    body: ByteBuffer = ByteBuffer()
) -> Request {
    Request(
        head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: target, headerFields: headers),
        body: RequestBody(buffer: body)
    )
}

/// Headers with just a Content-Type.
func contentType(_ value: String) -> HTTPFields {
    [.contentType: value]
}

/// A streamed body of `count` chunks of `size` bytes that records how many chunks were pulled.
struct CountingChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    final class Counter: Sendable {
        let pulled = Mutex(0)
    }

    let count: Int
    let size: Int
    let counter = Counter()

    struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: CountingChunks
        var produced = 0

        mutating func next() async throws -> ByteBuffer? {
            guard produced < sequence.count else { return nil }
            produced += 1
            sequence.counter.pulled.withLock { $0 += 1 }
            return ByteBuffer(repeating: UInt8(ascii: "a"), count: sequence.size)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(sequence: self)
    }
}

/// The body of a test response as text.
func text(of response: TestResponse) -> String {
    String(buffer: response.body)
}
