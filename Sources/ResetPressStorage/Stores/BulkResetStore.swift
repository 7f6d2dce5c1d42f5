import Foundation

/// Which users each bulk reset run ("reset everyone after a breach") has already sent a mail,
/// so a run resumed with the same id skips them. Holds user ids only: no email, code or link.
public protocol BulkResetStore: Sendable {
    /// Of `userIDs`, those the run `runID` has already sent.
    func sent(runID: String, among userIDs: [Int64]) async throws -> Set<Int64>

    /// Records that the run `runID` sent a mail to `userID` (again is harmless).
    func markSent(runID: String, userID: Int64, at date: Date) async throws

    /// How many users the run `runID` has sent so far.
    func count(runID: String) async throws -> Int
}
