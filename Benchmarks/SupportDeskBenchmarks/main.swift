import Foundation
import Logging
import ResetPassword
import ResetPressSite
import ResetPressStorage
import ResetPressUsers

/// The support desk at scale (issue 23): `swift run -c release SupportDeskBenchmarks [--users N] [--events N]
/// [--calls N] [--keep]` (defaults 100 000 users, 1 000 000 events, 200 calls per case).
///
/// Creates a fresh SQLite site database in a temporary folder (`SQLiteDatabase(dataDirectory:)`, migrated as a
/// server migrates it) and seeds it through its own stores: users by `upsert` in chunks, events by `record` in
/// chunks, one outbox row per code issued (enqueued, claimed, then marked sent with the transport's answer or
/// failed), current codes for some users and a few "that wasn't me" blocks. Events are seeded in time order over
/// the last 30 days, about ten per user, twenty users with over 1 000 each, some with no user (unknown emails,
/// per-IP refusals). Then it opens the site on that database (`Site.open`, as every host does) and times
/// `site.reset.support` in-process: each case runs warm-up calls, then `--calls` timed ones (`ContinuousClock`),
/// and prints the first call, the median and the p95 in ms. A case passes when its median is at most 50 ms;
/// the process exits 1 when one fails. `--keep` leaves the folder (its path is printed) for `EXPLAIN QUERY PLAN`.

let targetMilliseconds = 50.0

struct Options {
    var users = 100_000
    var events = 1_000_000
    var calls = 200
    var keep = false

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--users": users = iterator.next().flatMap(Int.init) ?? users
            case "--events": events = iterator.next().flatMap(Int.init) ?? events
            case "--calls": calls = iterator.next().flatMap(Int.init) ?? calls
            case "--keep": keep = true
            default:
                FileHandle.standardError.write(Data("usage: SupportDeskBenchmarks [--users N] [--events N] [--calls N] [--keep]\n".utf8))
                exit(2)
            }
        }
    }
}

/// A seeded generator, so every run seeds the same data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

func seconds(_ duration: Duration) -> Double { milliseconds(duration) / 1e3 }

func found(_ users: [User]) -> String { "\(users.count) users" }

// MARK: - The data

let firstNames = [
    "maria", "james", "sofia", "liam", "emma", "noah", "olivia", "lucas", "ava", "mateo", "mia", "ethan", "amelia", "leo",
    "chloe", "hugo", "ines", "omar", "yuki", "anna", "david", "sara", "ali", "elena", "jonas", "lena", "marco", "nina",
    "pablo", "rosa", "samir", "tara", "victor", "wei", "zoe", "kofi", "aisha", "igor", "freya", "diego",
]
let lastNames = [
    "garcia", "smith", "muller", "rossi", "dubois", "kowalski", "nguyen", "kim", "silva", "jensen", "novak", "ivanova",
    "tanaka", "okafor", "haddad", "larsen", "moreau", "ferrari", "schmidt", "lopez", "brown", "wilson", "martin", "bernard",
    "costa", "santos", "popescu", "horvat", "nagy", "virtanen", "hansen", "berg", "cohen", "levi", "khan", "singh", "patel",
    "chen", "wang", "li", "sato", "suzuki", "park", "choi", "walker", "young", "hall", "allen", "king", "wright",
]
let domains = ["example.org", "example.com", "example.net", "mail.example.org", "corp.example.com"]

/// User `index` (id `index + 1` in a fresh table): login `maria123`, email `garcia.maria.123@example.org`.
func newUser(_ index: Int) -> NewUser {
    let first = firstNames[index % firstNames.count]
    let last = lastNames[(index / firstNames.count) % lastNames.count]
    return NewUser(
        login: "\(first)\(index)", email: "\(last).\(first).\(index)@\(domains[index % domains.count])",
        displayName: "\(first.capitalized) \(last.capitalized)", nickname: first, firstName: first.capitalized, lastName: last.capitalized,
        passwordHash: "$2y$10$abcdefghijklmnopqrstuu5Wq0Zq4mVq1tIhRmvzcQ7cKp9t0u8eW", locale: index % 7 == 0 ? "fr" : "")
}

/// An event before it is recorded; sorted by time (then by `sequence`, the order within its episode).
struct SeedEvent {
    var at: Double
    var sequence: Int32
    var kind: ResetEventKind
    var ip: UInt32
    var delivery: Float
    /// -1: no user.
    var user: Int32
}

/// A mail of a code issued: queued at the request, sent or failed after `delivery` seconds.
struct SeedMail {
    var user: Int32
    var at: Double
    var delivery: Double
    var failed: Bool
}

func ipString(_ value: UInt32) -> String {
    switch value % 3 {
    case 0: "203.0.113.\(value >> 8 & 0xFF)"
    case 1: "198.51.100.\(value >> 8 & 0xFF)"
    default: "10.\(value >> 8 & 0xFF).\(value >> 16 & 0xFF).\(value >> 24 & 0xFF)"
    }
}

/// Makes the events (in episodes: a request and what the flow decided, its mail, its use) and the mail of the codes issued.
struct Seeder {
    var random = SplitMix64(state: 23)
    var events: [SeedEvent] = []
    var mails: [SeedMail] = []
    var perUser: [Int32]
    let now: Double
    let window = 30.0 * 86_400

    init(users: Int, events: Int, now: Double) {
        perUser = Array(repeating: 0, count: users)
        self.events.reserveCapacity(events + 8)
        self.now = now
    }

    private mutating func add(_ kind: ResetEventKind, at: Double, ip: UInt32?, delivery: Float = 0, user: Int32) {
        let sequence = Int32(truncatingIfNeeded: events.count)
        events.append(SeedEvent(at: at, sequence: sequence, kind: kind, ip: ip ?? 0, delivery: delivery, user: user))
        if user >= 0 { perUser[Int(user)] += 1 }
    }

    /// One reset of user `user` (index) at a random time of the last 30 days, in a realistic mix of outcomes.
    mutating func episode(user: Int32) {
        // Milliseconds, as the flows record them; at least an hour ago, so a code's use falls before now.
        let second = (now - window + Double.random(in: 0..<(window - 3_600), using: &random)).rounded(.down)
        let at = second + Double(Int.random(in: 0..<1000, using: &random)) / 1000
        let ip = UInt32.random(in: 1...UInt32.max, using: &random)
        let roll = Int.random(in: 0..<1000, using: &random)
        let delivery = Double.random(in: 0.2...6, using: &random)
        func issue(_ seeder: inout Seeder, failed: Bool) {
            seeder.add(.request, at: at, ip: ip, user: user)
            seeder.add(.codeIssued, at: at, ip: ip, user: user)
            seeder.add(failed ? .mailFailed : .mailSent, at: at + delivery, ip: nil, delivery: failed ? 0 : Float(delivery), user: user)
            seeder.mails.append(SeedMail(user: user, at: at, delivery: delivery, failed: failed))
        }
        switch roll {
        case 0..<450:  // issued, delivered, used
            issue(&self, failed: false)
            if roll < 40 { add(.wrongCode, at: at + 90, ip: ip, user: user) }
            add(.completed, at: at + Double.random(in: 60...900, using: &random), ip: ip, user: user)
        case 450..<650:  // issued, delivered, never used
            issue(&self, failed: false)
        case 650..<680:  // issued, the mail failed for good
            issue(&self, failed: true)
        case 680..<830:  // asked again too soon
            add(.request, at: at, ip: ip, user: user)
            add(.throttled, at: at, ip: ip, user: user)
        case 830..<900:
            add(.wrongCode, at: at, ip: ip, user: user)
        case 900..<950:
            add(.expired, at: at, ip: ip, user: user)
        case 950..<965:
            add(.burned, at: at, ip: ip, user: user)
        case 965..<975:
            add(.cancelled, at: at, ip: ip, user: user)
        case 975..<990:
            add(.request, at: at, ip: ip, user: user)
            add(.blocked, at: at, ip: ip, user: user)
        case 990..<995:
            add(.request, at: at, ip: ip, user: user)
            add(.vetoed, at: at, ip: ip, user: user)
        default:
            add(.handover, at: at, ip: nil, user: user)
        }
    }

    /// What no user is named in: a request for an unknown email, or a refusal by the per-IP limit.
    mutating func anonymous() {
        let at = now - window + Double.random(in: 0..<window, using: &random)
        let ip = UInt32.random(in: 1...UInt32.max, using: &random)
        if Int.random(in: 0..<10, using: &random) < 7 {
            add(.request, at: at, ip: ip, user: -1)
            add(.unknownEmail, at: at, ip: ip, user: -1)
        } else {
            add(.rateLimited, at: at, ip: ip, user: -1)
        }
    }
}

/// Runs `body` over `items` with at most `width` calls in flight (so the group committer batches them); the results in order.
nonisolated func concurrently<T: Sendable, R: Sendable>(
    _ items: [T], width: Int = 256, _ body: @escaping @Sendable (T) async throws -> R
) async throws -> [R] {
    try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var results = [R?](repeating: nil, count: items.count)
        for (index, item) in items.enumerated() {
            if index >= width, let (done, result) = try await group.next() { results[done] = result }
            group.addTask { (index, try await body(item)) }
        }
        for try await (done, result) in group { results[done] = result }
        return results.map { $0! }
    }
}

// MARK: - Measuring

struct Measurement {
    let name: String
    let result: String
    let first: Double
    let median: Double
    let p95: Double
    let required: Bool
    var passes: Bool { median <= targetMilliseconds }
}

/// Times `body` once cold, `warmup` more times, then `calls` times; `body` returns what it found, for the table.
nonisolated func measure(
    _ name: String, calls: Int, warmup: Int = 20, required: Bool = true, _ body: () async throws -> String
) async throws -> Measurement {
    let clock = ContinuousClock()
    var start = clock.now
    let result = try await body()
    let first = milliseconds(clock.now - start)
    for _ in 0..<warmup { _ = try await body() }
    var times: [Double] = []
    times.reserveCapacity(calls)
    for _ in 0..<calls {
        start = clock.now
        _ = try await body()
        times.append(milliseconds(clock.now - start))
    }
    times.sort()
    let p95 = times[max(0, Int((Double(times.count) * 0.95).rounded(.up)) - 1)]
    return Measurement(name: name, result: result, first: first, median: times[times.count / 2], p95: p95, required: required)
}

/// Seeds, opens the site and measures, off the main actor (as server code runs).
nonisolated func run(_ options: Options) async throws -> Bool {
    let clock = ContinuousClock()
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("resetpress-support-bench-\(UUID().uuidString)")
    let data = root.appendingPathComponent("var")
    defer { if !options.keep { try? FileManager.default.removeItem(at: root) } }
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    try FileManager.default.createDirectory(at: root.appendingPathComponent("settings"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: repository.appendingPathComponent("templates"), to: root.appendingPathComponent("templates"))

    let database = try SQLiteDatabase(dataDirectory: data)
    let storage = SiteStorage(sqlite: database)
    let now = Date().timeIntervalSince1970.rounded(.down)
    print("seeding \(options.users) users and \(options.events) events into \(database.path)")
    let seedStart = clock.now

    // Users, by upsert in chunks (ids 1...N in a fresh table).
    var phase = clock.now
    let userCount = options.users
    for chunk in stride(from: 0, to: userCount, by: 5_000) {
        let users = (chunk..<min(userCount, chunk + 5_000)).map(newUser)
        _ = try await storage.users.upsert(users, now: Date(timeIntervalSince1970: now - 40 * 86_400))
    }
    guard try await storage.users.count() == userCount, try await storage.users.user(id: 1)?.email == newUser(0).email else {
        throw StorageError.unreadable("the seeded users (expected ids 1...\(userCount) in a fresh table)")
    }
    let usersTime = clock.now - phase

    // Events: twenty heavy users over 1 000 each, ~5% with no user, the rest spread over everyone (~10 each).
    phase = clock.now
    var seeder = Seeder(users: userCount, events: options.events, now: now)
    let heavy = (0..<20).map { Int32((777 + $0 * 4_999) % userCount) }
    for user in heavy { while seeder.perUser[Int(user)] < 1_000 { seeder.episode(user: user) } }
    let anonymousShare = options.events / 20
    while seeder.events.count < options.events - anonymousShare {
        seeder.episode(user: Int32.random(in: 0..<Int32(userCount), using: &seeder.random))
    }
    while seeder.events.count < options.events { seeder.anonymous() }
    seeder.events.sort { $0.at != $1.at ? $0.at < $1.at : $0.sequence < $1.sequence }
    seeder.mails.sort { $0.at < $1.at }
    let seeded = seeder.events
    for chunk in stride(from: 0, to: seeded.count, by: 20_000) {
        let events = seeded[chunk..<min(seeded.count, chunk + 20_000)].map { seed in
            ResetEvent(
                seed.kind, at: Date(timeIntervalSince1970: seed.at), clientIP: seed.ip == 0 ? nil : ipString(seed.ip),
                deliverySeconds: seed.kind == .mailSent ? Double(seed.delivery) : nil, userID: seed.user < 0 ? nil : Int64(seed.user) + 1)
        }
        try await storage.events.record(events)
    }
    let eventsTime = clock.now - phase

    // The outbox: one row per code issued, queued at the request, then claimed and marked sent (with the
    // transport's answer) or failed, as the sender does; concurrent calls share the group committer's commits.
    phase = clock.now
    let outbox = storage.outbox
    let mails = seeder.mails
    let ids = try await concurrently(Array(mails.enumerated())) { index, mail in
        let user = newUser(Int(mail.user))
        let payload = OutboxMail(
            kind: "reset_code", recipients: [user.email], subject: "Your password reset code", body: nil,
            messageID: "<seed.\(index)@example.org>", userID: Int64(mail.user) + 1)
        return try await outbox.enqueue(payload, now: Date(timeIntervalSince1970: mail.at))
    }
    let claimed = try await outbox.claimDue(
        limit: mails.count, now: Date(timeIntervalSince1970: now), owner: "bench", leaseUntil: Date(timeIntervalSince1970: now + 600))
    guard claimed.count == mails.count else { throw StorageError.unreadable("the claim of the seeded outbox (\(claimed.count) of \(mails.count))") }
    _ = try await concurrently(Array(zip(ids, mails))) { id, mail in
        if mail.failed {
            try await outbox.markFailed(id: id, error: "550 5.1.1 <\(newUser(Int(mail.user)).email)>: Recipient address rejected: User unknown")
        } else {
            try await outbox.markSent(
                id: id, at: Date(timeIntervalSince1970: mail.at + mail.delivery),
                detail: "250 2.0.0 Ok: queued as \(String(UInt32(truncatingIfNeeded: id &* 2_654_435_761), radix: 16, uppercase: true))")
        }
    }
    let outboxTime = clock.now - phase

    // Current codes for every 50th user and the heavy ones; every 20th of those cancelled ("that wasn't me": a block).
    phase = clock.now
    let codeUsers = Array(Set(stride(from: 0, to: userCount, by: 50).map { Int32($0) } + heavy)).sorted()
    var random = SplitMix64(state: 7)
    let codes = codeUsers.map { user in
        let issued = now - Double.random(in: 0..<600, using: &random)
        func hash() -> Data { Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }) }
        return (user, NewResetCode(
            userID: Int64(user) + 1, email: newUser(Int(user)).email.lowercased(), codeHash: hash(), linkHash: hash(),
            createdAt: Date(timeIntervalSince1970: issued), expiresAt: Date(timeIntervalSince1970: issued + 900),
            requestIP: "203.0.113.\(user % 250)", cancelHash: hash()))
    }
    let resetCodes = storage.resetCodes
    let codeIDs = try await concurrently(codes) { try await resetCodes.issue($0.1) }
    let cancelled = zip(codes, codeIDs).enumerated().filter { $0.offset % 20 == 10 }.map { ($0.element.0.0, $0.element.1) }
    _ = try await concurrently(cancelled) { user, id in
        try await resetCodes.cancel(
            id: id, userID: Int64(user) + 1, blockUntil: Date(timeIntervalSince1970: now + 86_400), now: Date(timeIntervalSince1970: now))
    }
    let codesTime = clock.now - phase
    let seedTime = clock.now - seedStart
    let fileBytes = (try? FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int) ?? 0
    print(String(
        format: "seeded in %.1f s: users %.1f s, %d events %.1f s, %d outbox rows (%d failed) %.1f s, %d codes (%d cancelled) %.1f s; file %.0f MB",
        seconds(seedTime), seconds(usersTime), seeded.count, seconds(eventsTime), mails.count, mails.filter(\.failed).count,
        seconds(outboxTime), codes.count, cancelled.count, seconds(codesTime), Double(fileBytes) / 1e6))

    // The site on that database, as every host composes it; the desk is the reset plugin's.
    var logger = Logger(label: "support-bench")
    logger.logLevel = .warning
    var configuration = SiteConfiguration(root: root, dataDirectory: data)
    configuration.storage = .stores(storage)
    configuration.environment = [
        "RESETPRESS_SITE__URL": "https://accounts.example.org", "RESETPRESS_SITE__NAME": "Example Site",
        "RESETPRESS_MAIL__FROM": "support@example.org",
    ]
    configuration.logger = logger
    let site = try await Site.open(configuration)
    guard let desk = site.reset.support else { throw StorageError.unreadable("the support desk (no site user table)") }

    // The typical user: one with a current code and about the average count of events; the heaviest: the most events.
    let cancelledUsers = Set(cancelled.map(\.0))
    let normal = codeUsers.filter { !heavy.contains($0) && !cancelledUsers.contains($0) }
    let average = Double(seeded.filter { $0.user >= 0 }.count) / Double(userCount)
    let typicalIndex = normal.min { abs(Double(seeder.perUser[Int($0)]) - average) < abs(Double(seeder.perUser[Int($1)]) - average) } ?? 0
    let heaviestIndex = Int32(seeder.perUser.indices.max { seeder.perUser[$0] < seeder.perUser[$1] } ?? 0)
    guard let typical = try await desk.user(named: newUser(Int(typicalIndex)).email),
          let heaviest = try await desk.user(named: newUser(Int(heaviestIndex)).login)
    else { throw StorageError.unreadable("the measured users") }
    let typicalMail = mails.filter { $0.user == typicalIndex }.count
    let heaviestMail = mails.filter { $0.user == heaviestIndex }.count
    print(String(
        format: "typical user %@: %d events, %d mails; heaviest %@: %d events, %d mails; %.1f events per user on average",
        typical.login as NSString, seeder.perUser[Int(typicalIndex)], typicalMail, heaviest.login as NSString,
        seeder.perUser[Int(heaviestIndex)], heaviestMail, average))

    let calls = options.calls
    let page = 51  // the Users page asks for one more than it shows
    var results: [Measurement] = []
    results.append(try await measure("search login prefix \"maria\"", calls: calls) { found(try await desk.search("maria", offset: 0, limit: page)) })
    results.append(try await measure("search email prefix \"garcia.\"", calls: calls) { found(try await desk.search("garcia.", offset: 0, limit: page)) })
    results.append(try await measure("search, no match \"zzq\"", calls: calls) { found(try await desk.search("zzq", offset: 0, limit: page)) })
    results.append(try await measure("search one letter \"m\" (extra)", calls: calls, required: false) {
        found(try await desk.search("m", offset: 0, limit: page))
    })
    results.append(try await measure("search \"m\", page 20 (extra)", calls: calls, required: false) {
        found(try await desk.search("m", offset: 19 * 50, limit: page))
    })
    let typicalEmail = typical.email
    results.append(try await measure("user(named:) by email (extra)", calls: calls, required: false) {
        try await desk.user(named: typicalEmail) == nil ? "none" : "1 user"
    })
    results.append(try await measure("timeline, typical user (limit 100)", calls: calls) {
        "\(try await desk.timeline(for: typical, now: Date(), limit: 100).entries.count) entries"
    })
    results.append(try await measure("timeline, heaviest user (limit 100)", calls: calls) {
        "\(try await desk.timeline(for: heaviest, now: Date(), limit: 100).entries.count) entries"
    })
    await site.close()

    print("")
    print("| case | found | first ms | median ms | p95 ms | median ≤ \(Int(targetMilliseconds)) ms |")
    print("|---|---|---|---|---|---|")
    for result in results {
        print(String(
            format: "| %@ | %@ | %.2f | %.2f | %.2f | %@ |", result.name as NSString, result.result as NSString, result.first, result.median,
            result.p95, (result.passes ? "PASS" : "FAIL") as NSString))
    }
    let passes = results.filter(\.required).allSatisfy(\.passes)
    print("")
    print(String(
        format: "support desk, %d users, %d events, %d calls per case, seeded in %.1f s: %@", userCount, seeded.count, calls, seconds(seedTime),
        (passes ? "PASS (every median ≤ \(Int(targetMilliseconds)) ms)" : "FAIL (a median above \(Int(targetMilliseconds)) ms)") as NSString))
    if options.keep { print("kept \(root.path) (the database: \(database.path))") }
    return passes
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
do {
    if try await !run(options) { exit(1) }
} catch {
    FileHandle.standardError.write(Data("SupportDeskBenchmarks: \(error)\n".utf8))
    exit(1)
}
