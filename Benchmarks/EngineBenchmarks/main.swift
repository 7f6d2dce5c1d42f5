import Foundation
import ResetPressEngine

/// Engine micro-benchmarks: `swift run -c release EngineBenchmarks`.
/// Each figure is the median of several rounds of many calls, in nanoseconds per call.

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// Runs `body` (which performs `iterations` calls) for several rounds; returns ns/call per round.
func measure(rounds: Int = 7, iterations: Int, _ body: (Int) async -> Void) async -> [Double] {
    await body(iterations / 10)  // warm-up
    var results: [Double] = []
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        await body(iterations)
        let elapsed = ContinuousClock.now - start
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        results.append(nanoseconds / Double(iterations))
    }
    return results
}

func report(_ name: String, _ values: [Double], target: Double) {
    let value = median(values)
    let verdict = value <= target ? "meets" : "MISSES"
    print(String(format: "%-44@ median %7.1f ns/call  (min %6.1f, max %6.1f)  target <= %.0f ns: %@",
                 name as NSString, value, values.min() ?? 0, values.max() ?? 0, target, verdict as NSString))
}

/// The measured loop of `applyFilters`, a plain nonisolated function as server code calls it.
nonisolated func filterLoop(_ hooks: HookRegistry, _ context: HookContext, _ iterations: Int) async {
    var total = 0
    for _ in 0..<iterations {
        total &+= await hooks.applyFilters("reset_password_email_subject", "Reset your password", context: context).utf8.count
    }
    precondition(total > 0)
}

/// Runs every benchmark off the main actor, as server code runs (no executor hop per call).
nonisolated func runBenchmarks() async throws {
let hooks = HookRegistry()
hooks.addFilter("reset_password_email_subject") { (value: String, _) in value }
hooks.addFilter("reset_password_email_subject", priority: 5) { (value: String, _) in value }
hooks.addFilter("reset_password_email_subject", priority: 20) { (value: String, _) in value }
let context = HookContext(method: "POST", path: "/simple-jwt-login/v1/user/reset_password")

let filterTimes = await measure(iterations: 2_000_000) { iterations in
    await filterLoop(hooks, context, iterations)
}

let emptyTimes = await measure(iterations: 2_000_000) { iterations in
    var total = 0
    for _ in 0..<iterations {
        total &+= await hooks.applyFilters("no_such_hook", "Reset your password", context: context).utf8.count
    }
    precondition(total > 0)
}
hooks.addFilter("one") { (value: String, _) in value }
let oneTimes = await measure(iterations: 2_000_000) { iterations in
    var total = 0
    for _ in 0..<iterations {
        total &+= await hooks.applyFilters("one", "Reset your password", context: context).utf8.count
    }
    precondition(total > 0)
}
report("applyFilters, no callbacks", emptyTimes, target: 200)
report("applyFilters, 1 callback", oneTimes, target: 200)

let modeKey = SettingKey("reset_password.mode", default: "default_email", kind: .enumeration(["store_only", "default_email", "custom_email"]), description: "Mode.")
let lengthKey = SettingKey("reset_password.code_length", default: 20, kind: .int, description: "Length.")
let settings = SettingsEngine(store: MemorySettingsStore(), environment: [:], settingsDirectory: nil, hooks: hooks)
settings.register(modeKey)
settings.register(lengthKey)
for index in 0..<40 {
    settings.register(SettingKey("bench.filler_\(index)", default: index, kind: .int, description: "Filler."))
}
try await settings.load()
try await settings.set(["reset_password.code_length": .text("24")])

let intReadTimes = await measure(iterations: 20_000_000) { iterations in
    var total = 0
    for _ in 0..<iterations { total &+= settings[lengthKey] }
    precondition(total > 0)
}
let enumReadTimes = await measure(iterations: 10_000_000) { iterations in
    var total = 0
    for _ in 0..<iterations { total &+= settings[modeKey].utf8.count }
    precondition(total > 0)
}

print("ResetPress engine benchmarks (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
report("applyFilters, 3 callbacks (2 priorities)", filterTimes, target: 200)
report("typed settings read (Int)", intReadTimes, target: 50)
report("typed settings read (String enum)", enumReadTimes, target: 50)
}

try await runBenchmarks()
