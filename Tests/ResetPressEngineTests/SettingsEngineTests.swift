import Foundation
import Synchronization
import Testing
@testable import ResetPressEngine

enum Mode: String, SettingValueConvertible, CaseIterable { case storeOnly = "store_only", defaultEmail = "default_email", customEmail = "custom_email" }

enum TestSettings {
    static let mode = SettingKey("reset_password.mode", default: Mode.defaultEmail, kind: .enumeration(Mode.allCases.map(\.rawValue)), description: "Mode.")
    static let length = SettingKey("reset_password.code_length", default: 20, kind: .int, description: "Length.",
                                   validate: { (6...64).contains($0) ? nil : "must be between 6 and 64" })
    static let subject = SettingKey("reset_password.email_subject", default: "Reset", kind: .string, description: "Subject.",
                                    validate: { $0.isEmpty ? SettingProblem("The Reset Password Email Subject is empty.", code: 10076) : nil })
    static let body = SettingKey("reset_password.email_body", default: "Code: {{CODE}}", kind: .text, description: "Body.")
    static let password = SettingKey("mail.smtp.password", default: "", kind: .secret, description: "SMTP password.")
    static let origins = SettingKey("http.cors_origins", default: [String](), kind: .list, description: "Origins.")
    static let enabled = SettingKey("reset_password.enabled", default: true, kind: .bool, description: "Enabled.")
}

@Suite struct SettingsEngineTests {
    let site: TemporaryDirectory
    let store = MemorySettingsStore()
    let hooks = HookRegistry()

    init() throws { site = try TemporaryDirectory() }

    func engine(environment: [String: String] = [:]) async throws -> SettingsEngine {
        let engine = SettingsEngine(store: store, environment: environment, settingsDirectory: site.url.appendingPathComponent("settings"), root: site.url, hooks: hooks)
        for key in [TestSettings.length] { engine.register(key) }
        engine.register(TestSettings.mode)
        engine.register(TestSettings.subject)
        engine.register(TestSettings.body)
        engine.register(TestSettings.password)
        engine.register(TestSettings.origins)
        engine.register(TestSettings.enabled)
        engine.addRule(SettingsRule(keys: ["reset_password.mode", "reset_password.email_body"]) { snapshot in
            snapshot[TestSettings.mode] == .customEmail && !snapshot[TestSettings.body].contains("{{CODE}}")
                ? [SettingsMessage(key: "reset_password.email_body", message: "You need to add the {{CODE}} variable in email body.", code: 10066)] : []
        })
        try await engine.load()
        return engine
    }

    @Test func defaultsApplyWhenNothingIsSet() async throws {
        let settings = try await engine()
        #expect(settings[TestSettings.mode] == .defaultEmail)
        #expect(settings[TestSettings.length] == 20)
        #expect(settings.snapshot.resolved("reset_password.mode")?.source == .defaultValue)
    }

    @Test func sourcesApplyEnvironmentThenFileThenDatabaseThenDefault() async throws {
        try await store.apply(["reset_password.code_length": .int(30), "reset_password.mode": .string("store_only"), "reset_password.email_subject": .string("db")])
        try site.write("settings/site.json", #"{"reset_password": {"code_length": 40, "mode": "custom_email"}}"#)
        let settings = try await engine(environment: ["RESETPRESS_RESET_PASSWORD__CODE_LENGTH": "50"])
        #expect(settings[TestSettings.length] == 50)
        #expect(settings[TestSettings.mode] == .customEmail)
        #expect(settings[TestSettings.subject] == "db")
        #expect(settings[TestSettings.enabled] == true)
        let sources = Dictionary(uniqueKeysWithValues: settings.entries().map { ($0.definition.name, $0.source) })
        #expect(sources["reset_password.code_length"] == .environment(variable: "RESETPRESS_RESET_PASSWORD__CODE_LENGTH"))
        #expect(sources["reset_password.mode"] == .file(path: "settings/site.json"))
        #expect(sources["reset_password.email_subject"] == .database)
        #expect(sources["reset_password.enabled"] == .defaultValue)
    }

    @Test func laterFilesWinAndNestedKeysFlatten() async throws {
        try site.write("settings/10-a.json", #"{"reset_password.code_length": 10, "http": {"cors_origins": ["https://a.example"]}}"#)
        try site.write("settings/20-b.json", #"{"reset_password": {"code_length": 12}}"#)
        let settings = try await engine()
        #expect(settings[TestSettings.length] == 12)
        #expect(settings[TestSettings.origins] == ["https://a.example"])
    }

    /// `reset_password.email_subject.<suffix>`, suffixes spelt lower-case (the plugin's own family uses locale tags).
    static let subjects = SettingFamily(
        "reset_password.email_subject", kind: .string, description: "Subject in one language",
        suffix: { raw in raw.isEmpty || raw.contains(".") ? nil : raw.lowercased() })

    @Test func familyMembersComeFromEverySourceUnderOneSpelling() async throws {
        try await store.apply(["reset_password.email_subject.de": .string("Betreff")])
        try site.write("settings/site.json", #"{"reset_password": {"email_subject.FR": "Objet", "email_subject": "Plain"}}"#)
        let settings = SettingsEngine(
            store: store, environment: ["RESETPRESS_RESET_PASSWORD__EMAIL_SUBJECT__ES": "Asunto"],
            settingsDirectory: site.url.appendingPathComponent("settings"), root: site.url, hooks: hooks)
        settings.register(TestSettings.subject)
        settings.register(Self.subjects)
        try await settings.load()
        #expect(settings[TestSettings.subject] == "Plain")
        #expect(Self.subjects.value(suffix: "fr", in: settings.snapshot) == "Objet")
        #expect(Self.subjects.value(suffix: "es", in: settings.snapshot) == "Asunto")
        #expect(Self.subjects.value(suffix: "de", in: settings.snapshot) == "Betreff")
        #expect(Self.subjects.value(suffix: "it", in: settings.snapshot) == nil)
        #expect(settings.snapshot.resolved("reset_password.email_subject.fr")?.source == .file(path: "settings/site.json"))
        #expect(settings.snapshot.resolved("reset_password.email_subject.es")?.source == .environment(variable: "RESETPRESS_RESET_PASSWORD__EMAIL_SUBJECT__ES"))

        // A write names a new member in any spelling, stores it under one, and may unset it again.
        #expect(try await settings.set(["reset_password.email_subject.IT": .text("Oggetto")]) == ["reset_password.email_subject.it"])
        #expect(Self.subjects.value(suffix: "it", in: settings.snapshot) == "Oggetto")
        #expect(try await store.loadAll()["reset_password.email_subject.it"] == .string("Oggetto"))
        await #expect(throws: SettingsWriteError.self) { try await settings.set(["reset_password.email_subject.fr": .text("Autre")]) }
        await #expect(throws: SettingsWriteError.self) { try await settings.set(["reset_password.email_subject.a.b": .text("x")]) }
        try await settings.set(["reset_password.email_subject.it": .unset])
        #expect(Self.subjects.value(suffix: "it", in: settings.snapshot) == nil)
    }

    @Test func writesToPinnedValuesAreRefusedNamingTheSource() async throws {
        try site.write("settings/site.json", #"{"reset_password.mode": "store_only"}"#)
        let settings = try await engine(environment: ["RESETPRESS_RESET_PASSWORD__CODE_LENGTH": "8"])
        let error = await #expect(throws: SettingsWriteError.self) {
            try await settings.set(["reset_password.mode": .text("custom_email"), "reset_password.code_length": .text("9")])
        }
        let messages = error?.messages.map(\.message) ?? []
        #expect(messages.contains { $0.contains("settings/site.json") })
        #expect(messages.contains { $0.contains("RESETPRESS_RESET_PASSWORD__CODE_LENGTH") })
        #expect(settings[TestSettings.mode] == .storeOnly)
    }

    @Test func invalidMultiKeyWriteChangesNothingAndReturnsEveryMessage() async throws {
        let settings = try await engine()
        let error = await #expect(throws: SettingsWriteError.self) {
            try await settings.set([
                "reset_password.code_length": .text("3"), "reset_password.email_subject": .text(""),
                "reset_password.mode": .text("custom_email"), "reset_password.email_body": .text("no code here"),
                "reset_password.enabled": .text("maybe"), "no.such.key": .text("x"),
            ])
        }
        let messages = error?.messages ?? []
        #expect(messages.count == 5)
        #expect(Set(messages.compactMap(\.code)) == [10066, 10076])
        #expect(messages.contains { $0.key == "no.such.key" })
        #expect(messages.contains { $0.message.contains("between 6 and 64") })
        #expect(messages.contains { $0.message.contains("true or false") })
        #expect(settings[TestSettings.length] == 20)
        #expect(settings[TestSettings.mode] == .defaultEmail)
        #expect(try await store.loadAll().isEmpty)
    }

    @Test func crossSettingRuleReportsSJLCode() async throws {
        let settings = try await engine()
        let error = await #expect(throws: SettingsWriteError.self) {
            try await settings.set(["reset_password.mode": .text("custom_email"), "reset_password.email_body": .text("Hello")])
        }
        #expect(error?.messages.map(\.code) == [10066])
        try await settings.set(["reset_password.mode": .text("custom_email"), "reset_password.email_body": .text("Use {{CODE}}")])
        #expect(settings[TestSettings.mode] == .customEmail)
    }

    @Test func writesPersistFireHooksAndUnchangedValuesAreNoOps() async throws {
        let settings = try await engine()
        let fired = Mutex<[String]>([])
        hooks.addAction("update_option") { (update: SettingsEngine.OptionUpdate, _) in fired.withLock { $0.append("any:\(update.key)=\(update.newValue)") } }
        hooks.addAction("update_option_reset_password.code_length") { (update: SettingsEngine.OptionUpdate, _) in
            fired.withLock { $0.append("one:\(update.oldValue)->\(update.newValue)") }
        }
        #expect(try await settings.set(["reset_password.code_length": .text("24")]) == ["reset_password.code_length"])
        #expect(settings[TestSettings.length] == 24)
        #expect(try await store.loadAll()["reset_password.code_length"] == .int(24))
        #expect(try await settings.set(["reset_password.code_length": .value(.int(24))]).isEmpty)
        #expect(fired.withLock { $0 } == ["any:reset_password.code_length=24", "one:20->24"])
        try await settings.set(["reset_password.code_length": .unset])
        #expect(settings[TestSettings.length] == 20)
        #expect(try await store.loadAll()["reset_password.code_length"] == nil)
    }

    @Test func secretsAreMaskedInListingsAndHooks() async throws {
        let settings = try await engine()
        let seen = Mutex<String>("")
        hooks.addAction("update_option_mail.smtp.password") { (update: SettingsEngine.OptionUpdate, _) in seen.withLock { $0 = update.newValue } }
        try await settings.set(["mail.smtp.password": .text("correct horse battery staple")])
        let shown = settings.entries().first { $0.definition.name == "mail.smtp.password" }?.shown ?? ""
        #expect(!shown.contains("horse"))
        #expect(shown.hasPrefix("********"))
        #expect(!seen.withLock { $0 }.contains("horse"))
        #expect(settings[TestSettings.password] == "correct horse battery staple")
    }

    @Test func unknownKeyOrBadValueInAFileStopsLoadingNamingFileAndKey() async throws {
        try site.write("settings/site.json", #"{"reset_password": {"colour": "blue"}}"#)
        let error = await #expect(throws: SettingsLoadError.self) { _ = try await engine() }
        #expect(error?.description == "settings/site.json: reset_password.colour: unknown setting")
        try site.write("settings/site.json", #"{"reset_password.code_length": "long"}"#)
        let bad = await #expect(throws: SettingsLoadError.self) { _ = try await engine() }
        #expect(bad?.description == "settings/site.json: reset_password.code_length: must be a whole number")
    }

    @Test func badEnvironmentValueStopsLoadingNamingTheVariable() async throws {
        let error = await #expect(throws: SettingsLoadError.self) {
            _ = try await engine(environment: ["RESETPRESS_RESET_PASSWORD__MODE": "loud"])
        }
        #expect(error?.source == "RESETPRESS_RESET_PASSWORD__MODE")
    }

    @Test func reloadPicksUpChangedFiles() async throws {
        try site.write("settings/site.json", #"{"reset_password.code_length": 10}"#)
        let settings = try await engine()
        try site.write("settings/site.json", #"{"reset_password.code_length": 11}"#)
        #expect(settings[TestSettings.length] == 10)
        try await settings.reload()
        #expect(settings[TestSettings.length] == 11)
    }

    @Test func rereadingFiresUpdateOptionForEachValueInForceThatChanged() async throws {
        try site.write("settings/site.json", #"{"reset_password.code_length": 10}"#)
        let settings = try await engine()
        let fired = Mutex<[SettingsEngine.OptionUpdate]>([])
        hooks.addAction("update_option") { (update: SettingsEngine.OptionUpdate, _) in fired.withLock { $0.append(update) } }
        #expect(try await settings.reload().isEmpty)
        // Another process writes the database (a CLI, another node): a pinned key's stored value changes nothing in force.
        try await store.apply(["reset_password.email_subject": .string("Other node"), "reset_password.code_length": .int(30)])
        try site.write("settings/site.json", #"{"reset_password.code_length": 12}"#)
        #expect(try await settings.reload() == ["reset_password.code_length", "reset_password.email_subject"])
        #expect(fired.withLock { $0 } == [
            .init(key: "reset_password.code_length", oldValue: "10", newValue: "12", origin: .reload),
            .init(key: "reset_password.email_subject", oldValue: "Reset", newValue: "Other node", origin: .reload),
        ])
        try await store.apply(["reset_password.email_subject": .string("Third")])
        #expect(try await settings.reloadStored() == ["reset_password.email_subject"])
        #expect(fired.withLock { $0.last?.newValue } == "Third")
        #expect(try await settings.reloadStored().isEmpty)
        try await settings.set(["reset_password.mode": .text("store_only")])
        #expect(fired.withLock { $0.last } == .init(key: "reset_password.mode", oldValue: "default_email", newValue: "store_only", origin: .write))
        #expect(try await settings.reloadStored().isEmpty, "the writer's own write is not reported twice")
        #expect(fired.withLock { $0.count } == 4)
    }

    @Test func readersRacingAWriterSeeOldOrNewSnapshotNeverAMix() async throws {
        let settings = try await engine()
        try await settings.set(["reset_password.code_length": .value(.int(10)), "reset_password.email_subject": .text("s10")])
        let counts = RaceCounts()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // The writer starts once both readers read, so the race is a race.
                while counts.readersStarted.load(ordering: .acquiring) < 2 { await Task.yield() }
                for round in 11...60 {
                    _ = try? await settings.set(["reset_password.code_length": .value(.int(round)), "reset_password.email_subject": .text("s\(round)")])
                    // Each reader reads again before the next write (bounded), so every write falls inside their loops.
                    let (first, second) = (counts.firstReads.load(ordering: .acquiring), counts.secondReads.load(ordering: .acquiring))
                    for _ in 0..<100_000 {
                        if counts.firstReads.load(ordering: .acquiring) > first && counts.secondReads.load(ordering: .acquiring) > second { break }
                        await Task.yield()
                    }
                }
                counts.writerDone.store(true, ordering: .releasing)
            }
            for reader in 0..<2 {
                group.addTask {
                    counts.readersStarted.add(1, ordering: .releasing)
                    var seen = Set<Int>()
                    var reads = 0
                    // Until the writer is done (bounded, so a stuck writer fails the test instead of hanging it).
                    while !counts.writerDone.load(ordering: .acquiring) && reads < 5_000_000 {
                        let snapshot = settings.snapshot
                        if "s\(snapshot[TestSettings.length])" != snapshot[TestSettings.subject] { counts.mixes.add(1, ordering: .relaxed) }
                        seen.insert(snapshot[TestSettings.length])
                        reads += 1
                        counts.countRead(by: reader)
                        if reads % 64 == 0 { await Task.yield() }
                    }
                    _ = counts.leastValuesSeen.min(seen.count, ordering: .relaxed)
                }
            }
        }
        #expect(counts.mixes.load(ordering: .relaxed) == 0)
        let writerDone = counts.writerDone.load(ordering: .acquiring)
        #expect(writerDone)
        // Each reader saw the value change under it: the readers overlapped the writer.
        #expect(counts.leastValuesSeen.load(ordering: .relaxed) >= 10)
        #expect(settings[TestSettings.length] == 60)
    }

    @Test func textInputIsParsedByKind() {
        #expect(SettingKind.bool.parse(text: "yes") == .success(.bool(true)))
        #expect(SettingKind.list.parse(text: "a, b,,c") == .success(.list(["a", "b", "c"])))
        #expect(SettingKind.list.parse(text: #"["x,y"]"#) == .success(.list(["x,y"])))
        #expect(SettingKind.enumeration(["a"]).parse(text: "b") == .failure("must be one of: a"))
        #expect(SettingKind.string.parse(text: "a\nb") == .failure("must be a single line"))
    }
}

/// Counters shared by the racing readers.
final class RaceCounts: Sendable {
    let mixes = Atomic<Int>(0)
    let readersStarted = Atomic<Int>(0)
    let firstReads = Atomic<Int>(0)
    let secondReads = Atomic<Int>(0)
    let writerDone = Atomic<Bool>(false)
    /// Counts one read by the first (0) or the second reader.
    func countRead(by reader: Int) {
        if reader == 0 { firstReads.add(1, ordering: .releasing) } else { secondReads.add(1, ordering: .releasing) }
    }

    /// The fewest distinct `code_length` values one reader saw.
    let leastValuesSeen = Atomic<Int>(.max)
}
