import Foundation
import Synchronization

/// A loopback port that refuses connections and stays ours until released.
///
/// The socket is bound but never listens, so a connect gets a reset ("connection refused") and no other test
/// can bind the port meanwhile: a released free port could be taken by a server another test starts at once.
public final class ClosedPort: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The reserved port.
    public let port: Int
    private let descriptor: Mutex<Int32?>

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw Failure(description: "cannot bind a loopback port")
        }
        self.descriptor = Mutex(descriptor)
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Frees the port for a server the test starts there next; later calls do nothing.
    public func release() {
        if let open = descriptor.withLock({ open in defer { open = nil }; return open }) { close(open) }
    }

    deinit {
        release()
    }
}
