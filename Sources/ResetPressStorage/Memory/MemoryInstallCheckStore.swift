import Foundation
import Synchronization

/// Install checks in memory, for tests and embedding.
public final class MemoryInstallCheckStore: InstallCheckStore {
    private let checks = Mutex<Set<Data>>([])

    public init() {}

    public func admits(_ check: Data, now: Date) async throws -> Bool {
        checks.withLock { checks in
            if checks.isEmpty { checks.insert(check) }
            return checks.contains(check)
        }
    }
}
