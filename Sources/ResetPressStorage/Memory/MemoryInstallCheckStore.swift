import Foundation
import Synchronization

/// Install checks in memory, for tests and embedding.
public final class MemoryInstallCheckStore: InstallCheckStore {
    private let checks = Mutex<[InstallCheck]>([])

    public init() {}

    public func admits(_ check: Data, now: Date) async throws -> Bool {
        checks.withLock { checks in
            if checks.isEmpty { checks.append(InstallCheck(value: check, recordedAt: now)) }
            return checks.contains { $0.value == check }
        }
    }

    public func record(_ check: Data, now: Date) async throws {
        checks.withLock { checks in
            checks.removeAll { $0.value == check }
            checks.append(InstallCheck(value: check, recordedAt: now))
        }
    }

    public func recorded() async throws -> [InstallCheck] {
        checks.withLock { $0 }
    }

    public func keep(only kept: [Data]) async throws {
        checks.withLock { $0.removeAll { !kept.contains($0.value) } }
    }
}
