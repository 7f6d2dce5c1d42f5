import ArgumentParser
import Foundation
@testable import ResetPressCLI
import Testing

/// The command line as `resetpress` parses it: each word reaches its command, options land in their
/// fields, and a bad argument is a usage error (exit status 2) that says what to fix.
@Suite struct CommandParsingTests {
    @Test func theQueueCommandsOfMailAndWebhooksReachTheirOwnQueue() throws {
        let list = try #require(
            try ResetPress.parseAsRoot(["mail", "queue", "--status", "failed", "--limit", "5", "--data-dir", "/srv/data"])
                as? QueueListCommand<OutboxKind>)
        #expect(list.status == "failed" && list.limit == 5)
        #expect(list.site.dataDir == "/srv/data" && list.site.root == nil)

        let webhooks = try #require(try ResetPress.parseAsRoot(["webhooks", "queue"]) as? QueueListCommand<WebhookKind>)
        #expect(webhooks.status == nil && webhooks.limit == 50, "the defaults: every status, 50 entries")

        let retry = try #require(try ResetPress.parseAsRoot(["webhooks", "retry", "3", "4", "--root", "/srv/site"]) as? QueueRetryCommand<WebhookKind>)
        #expect(retry.ids == [3, 4])
        #expect(retry.site.rootURL.path == "/srv/site")
        let all = try #require(try ResetPress.parseAsRoot(["mail", "retry"]) as? QueueRetryCommand<OutboxKind>)
        #expect(all.ids.isEmpty, "no id: every failed entry")
    }

    @Test func eachQueueCommandSpeaksOfItsOwnEntries() {
        #expect(QueueListCommand<OutboxKind>.configuration.commandName == "queue")
        #expect(QueueRetryCommand<WebhookKind>.configuration.commandName == "retry")
        #expect(QueueListCommand<OutboxKind>.configuration.abstract == "List messages, newest first.")
        #expect(QueueListCommand<WebhookKind>.configuration.abstract == "List webhooks, newest first.")
        // Only the outbox deletes a failed entry's body, so only its retry says so.
        #expect(QueueRetryCommand<OutboxKind>.configuration.abstract.contains("a reset mail's body is deleted when it fails"))
        #expect(!QueueRetryCommand<WebhookKind>.configuration.abstract.contains("body"))
    }

    @Test func aRelativeRootIsTakenFromTheWorkingDirectory() throws {
        let command = try #require(try ResetPress.parseAsRoot(["mail", "queue", "--root", "sites/../site"]) as? QueueListCommand<OutboxKind>)
        let expected = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("site").standardizedFileURL
        #expect(command.site.rootURL == expected)
    }

    @Test(arguments: [
        (["mail", "queue", "--status", "bogus"], "--status must be one of queued, sending, sent, failed."),
        (["webhooks", "queue", "--limit=-1"], "--limit must not be negative."),
        (["mail", "queue", "--log-level", "loud"], "--log-level must be one of trace, debug, info, notice, warning, error, critical."),
        (["serve", "--port", "70000"], "--port must be between 0 and 65535."),
        (["auth-codes", "add", "ABCDEFGH", "--generate"], "Give a CODE or --generate, not both."),
        (["auth-codes", "add", "--expires", "soon", "--generate"], "--expires 'soon' is neither an ISO 8601 time nor +N[s|m|h|d]."),
        (["users", "add", "--login", "ann", "--email", "ann@example.org", "--password", "x", "--password-stdin"],
         "Give --password or --password-stdin, not both."),
    ])
    func aBadArgumentIsAUsageErrorThatSaysWhatToFix(arguments: [String], message: String) {
        do {
            let command = try ResetPress.parseAsRoot(arguments)
            Issue.record("\(arguments.joined(separator: " ")) was accepted as \(type(of: command))")
        } catch {
            #expect(ResetPress.exitCode(for: error) == .validationFailure)
            #expect(ResetPress.message(for: error) == message)
        }
    }

    @Test func anIdThatIsNotANumberIsAUsageErrorNamingIt() {
        do {
            _ = try ResetPress.parseAsRoot(["mail", "retry", "7", "seven"])
            Issue.record("the id 'seven' was accepted")
        } catch {
            #expect(ResetPress.exitCode(for: error) == .validationFailure)
            #expect(ResetPress.message(for: error).contains("seven"))
        }
    }
}
