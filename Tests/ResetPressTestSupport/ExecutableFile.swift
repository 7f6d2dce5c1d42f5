import Foundation
import ResetPressEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Programs written by tests (fake sendmail, hook scripts), never open for writing while a child can be started.
///
/// A child started while a write descriptor to a program exists holds a copy of it until its own `exec` (or
/// after, when the descriptor was opened too late for Foundation's list), and running the program then fails with
/// `ETXTBSY`. So the file is written under ``SpawnLock``, which every start of a child holds.
public enum ExecutableFile {
    /// Why a program could not be written.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `contents` to `url` (parent folders created) as mode 0755: a temporary file beside it is opened
    /// close-on-exec, written, synced and closed under ``SpawnLock``, then made executable and renamed into place.
    @discardableResult
    public static func write(_ contents: String, to url: URL) throws -> URL {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let bytes = Array(contents.utf8)
        try SpawnLock.withLock { () throws(Failure) in
            let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw failure("cannot create \(temporary.path)") }
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else {
                    let error = failure("cannot write \(temporary.path)")
                    close(descriptor)
                    throw error
                }
                written += count
            }
            let synced = fsync(descriptor) == 0 ? nil : failure("cannot sync \(temporary.path)")
            guard close(descriptor) == 0, synced == nil else { throw synced ?? failure("cannot close \(temporary.path)") }
        }
        guard chmod(temporary.path, 0o755) == 0 else { throw failure("cannot make \(temporary.path) executable") }
        guard rename(temporary.path, url.path) == 0 else { throw failure("cannot rename \(temporary.path) to \(url.path)") }
        return url
    }

    private static func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
        #else
        Darwin.write(descriptor, bytes, count)
        #endif
    }

    private static func failure(_ what: String) -> Failure {
        Failure(description: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// Runs `body` holding the product's ``SpawnLock``: a test makes a child's pipes and starts it inside, so no other
/// start carries those pipes past `exec` and no program is being written meanwhile.
public func withSpawnLock<Result>(_ body: () throws -> Result) rethrows -> Result {
    try SpawnLock.withLock(body)
}
