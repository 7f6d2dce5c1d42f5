import ArgumentParser
import Foundation
import ResetPressEngine
import ResetPressSite

/// `resetpress jobs ...`: the scheduled jobs plugins register.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List scheduled jobs or run one now.", subcommands: [List.self, Run.self])

    struct List: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs with their interval, state and last run.")
        @OptionGroup var site: SiteOptions

        func run(on site: Site) async throws {
            let jobs = try await site.engine.jobs.list()
            guard !jobs.isEmpty else {
                print("No jobs registered.")
                return
            }
            TextTable.print(
                header: ["NAME", "INTERVAL", "ACTIVE", "RUN ONCE", "LAST RUN", "STATUS", "DESCRIPTION"],
                rows: jobs.map { entry in
                    [entry.job.name, "\(entry.interval)s", entry.active ? "yes" : "no", entry.runOnce ? "yes" : "no",
                     entry.state?.lastRunAt.map(CLIDate.format) ?? "never", TextTable.cell(entry.state?.lastStatus ?? "-", limit: 40),
                     entry.job.description]
                })
        }
    }

    struct Run: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "Run a job now (whether active or not) and record the run.")
        @OptionGroup var site: SiteOptions
        @Argument(help: "The job name, e.g. flush_expired_password_resets.") var name: String

        func run(on site: Site) async throws {
            let jobs = site.engine.jobs
            do {
                print("\(name): \(try await jobs.run(name))")
            } catch let error as JobError {
                throw CLIFailure(error.description)
            } catch {
                throw CLIFailure("\(name) failed: \(error)")
            }
        }
    }
}
