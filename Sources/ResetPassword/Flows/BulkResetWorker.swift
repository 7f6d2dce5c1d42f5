import Foundation
import ResetPressStorage
import ServiceLifecycle
import Synchronization

/// A bulk reset asked for from a page (the admin's Bulk reset page): what to run and who asked.
public struct BulkResetRequest: Sendable, Equatable {
    /// The run's id (``BulkResetRunner/newRunID(now:)``).
    public let runID: String
    /// Who gets a mail.
    public let selection: BulkResetSelection
    /// Whether each user's current password stops working before the mail is queued.
    public let expirePasswords: Bool

    /// A request for the run `runID`.
    public init(runID: String, selection: BulkResetSelection, expirePasswords: Bool) {
        self.runID = runID
        self.selection = selection
        self.expirePasswords = expirePasswords
    }
}

/// What one bulk run started on this server is doing.
public struct BulkResetStatus: Sendable, Equatable {
    /// Where the run is.
    public enum State: Sendable, Equatable {
        /// Queued behind another run (runs go one at a time).
        case waiting
        /// Sending.
        case running
        /// Every selected user was looked at.
        case finished
        /// The server stopped before the run ended; `resetpress reset send ... --run ID` resumes it.
        case stopped
        /// An error ended the run (the message); the same run id resumes it.
        case failed(String)
    }

    /// The run as requested.
    public let request: BulkResetRequest
    /// Where the run is.
    public var state: State
    /// The last progress reported (zero before the first batch).
    public var progress: BulkResetProgress
    /// When the run was requested.
    public let requestedAt: Date
    /// When it finished, stopped or failed.
    public var endedAt: Date?
}

/// Runs the bulk resets a page asks for, one at a time, in the background of a server: a
/// swift-service-lifecycle `Service` (the site hands it to `Application(services:)`), so a request
/// only queues the run and returns. On graceful shutdown the run in progress stops after its batch;
/// its users are recorded, so `resetpress reset send --all --run ID` (same selection) resumes it.
///
/// The statuses live in this process (the last ``keep`` runs); which users a run sent is in the
/// ``BulkResetStore``, which every node shares.
public final class BulkResetWorker: Service, Sendable {
    /// How many runs' statuses are kept.
    public let keep = 20
    private let makeRunner: @Sendable () -> BulkResetRunner?
    private let store: any BulkResetStore
    private let clock: @Sendable () -> Date
    private let statuses = Mutex<[BulkResetStatus]>([])
    private let requests: AsyncStream<BulkResetRequest>
    private let continuation: AsyncStream<BulkResetRequest>.Continuation

    /// A worker whose runs use the runner `runner` returns (nil, while the reset plugin is inactive,
    /// fails them) and record their users in `store`.
    public init(
        store: any BulkResetStore, runner: @escaping @Sendable () -> BulkResetRunner?, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.makeRunner = runner
        self.clock = clock
        (requests, continuation) = AsyncStream.makeStream(of: BulkResetRequest.self)
    }

    /// A worker over the site's stores and the reset plugin's flows, pacing on the outbox (the server's
    /// sender delivers).
    public convenience init(reset: ResetPasswordPlugin, storage: SiteStorage, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.init(store: storage.bulkResets, runner: { [users = storage.users, store = storage.bulkResets, outbox = storage.outbox] in
            reset.activeService.map { BulkResetRunner(service: $0, users: users, store: store, outbox: outbox) }
        }, clock: clock)
    }

    /// The runner a run would use now; nil while the reset plugin is inactive.
    public var runner: BulkResetRunner? { makeRunner() }

    /// How many users the run `runID` has sent so far, on any node sharing the store.
    public func sentCount(runID: String) async throws -> Int {
        try await store.count(runID: runID)
    }

    /// Queues `request`; the run starts when the ones before it ended. Throws
    /// ``BulkResetWorkerError/duplicateRun`` when a run with this id was already requested here.
    @discardableResult
    public func start(_ request: BulkResetRequest) throws -> BulkResetStatus {
        let status = BulkResetStatus(
            request: request, state: .waiting, progress: BulkResetProgress(scanned: 0, total: 0, tally: BulkResetTally()),
            requestedAt: clock())
        try statuses.withLock { list in
            guard !list.contains(where: { $0.request.runID == request.runID }) else { throw BulkResetWorkerError.duplicateRun }
            list.insert(status, at: 0)
            list.removeLast(max(0, list.count - keep))
        }
        continuation.yield(request)
        return status
    }

    /// The status of the run `runID`, if it was requested here and is among the last ``keep``.
    public func status(runID: String) -> BulkResetStatus? {
        statuses.withLock { $0.first { $0.request.runID == runID } }
    }

    /// The runs requested here, newest first.
    public var recent: [BulkResetStatus] {
        statuses.withLock { $0 }
    }

    /// Runs the requested runs one after the other until graceful shutdown or cancellation.
    public func run() async throws {
        for await request in requests.cancelOnGracefulShutdown() {
            await cancelWhenGracefulShutdown { await self.perform(request) }
        }
        statuses.withLock { list in
            for index in list.indices where list[index].state == .waiting || list[index].state == .running {
                list[index].state = .stopped
                list[index].endedAt = clock()
            }
        }
    }

    /// Runs one request, keeping its status up to date.
    private func perform(_ request: BulkResetRequest) async {
        update(request.runID) { $0.state = .running }
        guard let runner else {
            return update(request.runID) { $0.state = .failed("The reset plugin is inactive (plugins.reset_password.active).") }
        }
        do {
            let tally = try await runner.run(request.selection, runID: request.runID, expirePasswords: request.expirePasswords) { progress in
                update(request.runID) { $0.progress = progress }
            }
            update(request.runID) { status in
                status.progress.tally = tally
                status.progress.scanned = status.progress.total
                status.state = .finished
            }
        } catch {
            let state: BulkResetStatus.State = error is CancellationError || Task.isCancelled ? .stopped : .failed("\(error)")
            update(request.runID) { $0.state = state }
        }
        update(request.runID) { $0.endedAt = clock() }
    }

    private func update(_ runID: String, _ change: (inout BulkResetStatus) -> Void) {
        statuses.withLock { list in
            if let index = list.firstIndex(where: { $0.request.runID == runID }) { change(&list[index]) }
        }
    }
}

/// Why a bulk run was not queued.
public enum BulkResetWorkerError: Error, Equatable, CustomStringConvertible {
    /// A run with this id was already requested on this server.
    case duplicateRun

    /// What to do about it.
    public var description: String {
        switch self {
        case .duplicateRun: "This run was already started. Start a new bulk reset from its form."
        }
    }
}
