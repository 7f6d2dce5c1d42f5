import ArgumentParser
import ResetPressSite

/// A command that works on the opened site: `run()` opens the site its options name and hands it to `run(on:)`.
protocol SiteCommand: AsyncParsableCommand {
    /// Where the site lives.
    var site: SiteOptions { get }

    /// The command's work, on the site opened from ``site``.
    func run(on site: Site) async throws
}

extension SiteCommand {
    func run() async throws {
        try await run(on: Site.open(site))
    }
}
