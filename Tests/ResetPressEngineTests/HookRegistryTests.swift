import Synchronization
import Testing
@testable import ResetPressEngine

@Suite struct HookRegistryTests {
    let hooks = HookRegistry()

    @Test func runsByPriorityThenInsertionOrder() async {
        hooks.addFilter("greet", priority: 20) { (value: String, _) in value + "c" }
        hooks.addFilter("greet", priority: 5) { (value: String, _) in value + "a" }
        hooks.addFilter("greet", priority: 20) { (value: String, _) in value + "d" }
        hooks.addFilter("greet") { (value: String, _) in value + "b" }
        #expect(await hooks.applyFilters("greet", "") == "abcd")
    }

    @Test func legacyPrefixNamesTheSameHook() async {
        hooks.addFilter("simple_jwt_login_reset_password_custom_email_template") { (body: String, _) in body + "!" }
        #expect(hooks.hasHooks("reset_password_custom_email_template"))
        #expect(await hooks.applyFilters("reset_password_custom_email_template", "hi") == "hi!")
        #expect(await hooks.applyFilters("simple_jwt_login_reset_password_custom_email_template", "hi") == "hi!")
    }

    @Test func callbackAddedToRunningPriorityWaitsForNextRun() async {
        let added = Mutex(false)
        hooks.addFilter("h", priority: 10) { [hooks] (value: String, _) in
            if !added.withLock({ let was = $0; $0 = true; return was }) {
                hooks.addFilter("h", priority: 10) { (value: String, _) in value + "late" }
                hooks.addFilter("h", priority: 20) { (value: String, _) in value + "+live" }
            }
            return value + "first"
        }
        #expect(await hooks.applyFilters("h", "") == "first+live")
        #expect(await hooks.applyFilters("h", "") == "firstlate+live")
    }

    @Test func removingFromRunningPriorityDoesNotStopItsSnapshot() async {
        let second = Mutex<HookHandle?>(nil)
        hooks.addFilter("h", priority: 10) { [hooks] (value: String, _) in
            second.withLock { $0 }.map { _ = hooks.remove($0) }
            return value + "a"
        }
        second.withLock { $0 = hooks.addFilter("h", priority: 10) { (value: String, _) in value + "b" } }
        #expect(await hooks.applyFilters("h", "") == "ab")
        #expect(await hooks.applyFilters("h", "") == "a")
    }

    @Test func removingALaterPriorityTakesEffectAtOnce() async {
        let later = Mutex<HookHandle?>(nil)
        hooks.addFilter("h", priority: 10) { [hooks] (value: String, _) in
            later.withLock { $0 }.map { _ = hooks.remove($0) }
            return value + "a"
        }
        later.withLock { $0 = hooks.addFilter("h", priority: 30) { (value: String, _) in value + "z" } }
        #expect(await hooks.applyFilters("h", "") == "a")
    }

    /// WordPress Trac #64653: a callback that removes itself made the next priority be skipped.
    @Test func selfRemovalDoesNotSkipTheNextPriority() async {
        let own = Mutex<HookHandle?>(nil)
        own.withLock {
            $0 = hooks.addFilter("h", priority: 10) { [hooks] (value: String, _) in
                own.withLock { $0 }.map { _ = hooks.remove($0) }
                return value + "once"
            }
        }
        hooks.addFilter("h", priority: 11) { (value: String, _) in value + "-next" }
        hooks.addFilter("h", priority: 12) { (value: String, _) in value + "-last" }
        #expect(await hooks.applyFilters("h", "") == "once-next-last")
        #expect(await hooks.applyFilters("h", "") == "-next-last")
    }

    @Test func nestedRunsKeepTheirOwnCursor() async {
        hooks.addAsyncFilter("n", priority: 10) { [hooks] (value: String, _) in
            guard value.count < 3 else { return value }
            let inner = await hooks.applyFilters("n", value + "(")
            return inner + ")"
        }
        hooks.addFilter("n", priority: 20) { (value: String, _) in value + "x" }
        // Each level runs priority 10 (recursing) then its own priority 20.
        #expect(await hooks.applyFilters("n", "") == "(((x)x)x)x")
    }

    @Test func actionsCountAndReceiveTheirArgument() async {
        let seen = Mutex<[String]>([])
        hooks.addAction("password_reset") { (login: String, context: HookContext) in
            seen.withLock { $0.append("\(login)@\(context.path ?? "")") }
        }
        await hooks.doAction("password_reset", "ann", context: HookContext(path: "/p"))
        await hooks.doAction("simple_jwt_login_password_reset", "bob")
        #expect(seen.withLock { $0 } == ["ann@/p", "bob@"])
        #expect(hooks.didAction("password_reset") == 2)
        #expect(hooks.didAction("never") == 0)
    }

    @Test func anActionRunWithoutCallbacksCountsAndRegistersNothing() async {
        await hooks.doAction("quiet", 1)
        #expect(!hooks.hasHooks("quiet"))
        let handle = hooks.addAction("quiet") { (_: Int, _) in }
        await hooks.doAction("quiet", 2)
        #expect(hooks.remove(handle))
        await hooks.doAction("quiet", 3)
        #expect(hooks.didAction("quiet") == 3)
        #expect(!hooks.hasHooks("quiet"))
        #expect(hooks.listing().allSatisfy { $0.hook != "quiet" })
        #expect(await hooks.applyFilters("quiet", 7) == 7)
    }

    @Test func throwingOrMistypedCallbackIsSkippedWithAWarning() async {
        let logs = CollectedLogs()
        let hooks = HookRegistry(logger: logs.logger)
        struct Boom: Error {}
        hooks.addFilter("h", priority: 1) { (_: String, _) -> String in throw Boom() }
        hooks.addFilter("h", priority: 2) { (value: Int, _) in value + 1 }
        hooks.addFilter("h", priority: 3) { (value: String, _) in value + "!" }
        #expect(await hooks.applyFilters("h", "v") == "v!")
        #expect(logs.warnings.count == 2)
    }

    @Test func removeReportsWhetherTheCallbackWasThere() {
        let handle = hooks.addFilter("h") { (value: String, _) in value }
        #expect(hooks.remove(handle))
        #expect(!hooks.remove(handle))
        #expect(!hooks.hasHooks("h"))
    }

    @Test func concurrentChangesAndRunsAreSafe() async {
        hooks.addFilter("c", priority: 0) { (value: Int, _) in value + 1 }
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask { [hooks] in
                    for round in 0..<300 {
                        if worker % 2 == 0 {
                            let handle = hooks.addFilter("c", priority: round % 5 + 1) { (value: Int, _) in value }
                            hooks.remove(handle)
                        } else {
                            let result = await hooks.applyFilters("c", 0)
                            #expect(result == 1)
                        }
                    }
                }
            }
        }
        #expect(hooks.listing().count == 1)
    }

    @Test func contextNeverCarriesSecrets() {
        let context = HookContext(parameters: ["email": "a@b.c", "code": "X", "new_password": "p", "AUTH_KEY": "k", "AUTH_CODE": "k"])
        #expect(context.parameters == ["email": "a@b.c"])
    }
}
