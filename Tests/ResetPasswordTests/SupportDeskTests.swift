import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ResetPressEngine
import ResetPressStorage
import ResetPressUsers
import Testing
@testable import ResetPassword

/// The support desk (issue 23): one user's timeline tells what each request came to, and the
/// hand-over link works once, within its minutes, and is told to nothing but the admin.
@Suite struct SupportDeskTests {
    static let request = TestSite.namespace + "/user/reset_password"

    private static func desk(_ site: TestSite) throws -> SupportDesk {
        try #require(site.plugin.support)
    }

    @Test func theTimelineTellsWhatEachRequestAndChangeCameTo() async throws {
        let site = try await TestSite()
        let ann = try await site.addUser(email: "ann@example.org")
        try await site.addUser(email: "bob@example.org")
        try await site.test { client in
            #expect(try await client.send(.post, Self.request, json: ["email": "ann@example.org"]).status == .ok)
            site.clock.advance(5)
            #expect(try await client.send(.post, Self.request, json: ["email": "ann@example.org"]).status == .ok)
            #expect(try await client.send(.post, Self.request, json: ["email": "nobody@example.org"]).status == .ok)
            site.clock.advance(5)
            let code = try #require(site.lastCode)
            let wrong = try await client.send(.put, Self.request, json: ["email": "ann@example.org", "code": "000000", "new_password": "new-password-42"])
            #expect(wrong.status != .ok)
            site.clock.advance(5)
            let change = try await client.send(.put, Self.request, json: ["email": "ann@example.org", "code": code, "new_password": "new-password-42"])
            #expect(change.status == .ok, "\(change.text)")
        }
        let timeline = try await Self.desk(site).timeline(for: ann, now: site.clock.now)
        let seen = timeline.entries.map { "\($0.what): \($0.outcome)" }
        #expect(seen.filter { $0.hasPrefix("mail: ") }.count == 2, "the reset and the changed notice: \(seen)")
        #expect(Array(seen.filter { !$0.hasPrefix("mail: ") }) == [
            "password: changed: the code was used",
            "code: a wrong code or link was tried",
            "request: throttled: asked again too soon",
            "request: issued",
        ])
        #expect(timeline.entries.first { $0.what == "request" }?.clientIP != nil)
        #expect(timeline.currentCode == nil, "the code was used")
        let json = String(decoding: try JSONEncoder().encode(timeline), as: UTF8.self)
        #expect(!json.contains(try #require(site.lastCode)) && !json.contains("new-password-42"))
        // Bob asked nothing: an unknown email's request is recorded with no user.
        let bob = try #require(try await site.storage.users.user(byEmail: "bob@example.org"))
        #expect(try await Self.desk(site).timeline(for: bob, now: site.clock.now).entries.isEmpty)
    }

    @Test func aHandOverLinkWorksOnceAndOnlyWithinItsMinutes() async throws {
        let site = try await TestSite()
        let ann = try await site.addUser(email: "ann@example.org")
        let desk = try Self.desk(site)
        let service = site.plugin.service
        let settings = site.engine.settings.snapshot
        let context = HookContext(site: "https://accounts.example.org")

        let link = try await desk.handoverLink(for: ann)
        #expect(link.expiresAt == site.clock.now.addingTimeInterval(15 * 60))
        let token = try #require(link.url.components(separatedBy: "/_resetpassword?code=").last)
        #expect(link.url.hasPrefix("https://accounts.example.org/_resetpassword?code=") && token.count >= 20)
        #expect(site.codes.withLock { $0.isEmpty } && site.audit.withLock { $0.isEmpty }, "no hook saw it")
        #expect(try await site.queuedMail().isEmpty, "no mail carries it")
        let events = try await site.storage.events.events(userID: try #require(ann.id), limit: 10)
        #expect(events.map(\.kind) == [.handover])

        #expect(try await service.isLinkValid(token))
        _ = try await service.changePassword(
            linkToken: token, newPassword: "handed-over-42", confirmation: nil, clientIP: "192.0.2.5", context: context, settings: settings)
        #expect(try await site.passwordMatches("ann@example.org", "handed-over-42"))
        await #expect(throws: ResetFailure.invalidCode) {
            _ = try await service.changePassword(
                linkToken: token, newPassword: "again-and-again-42", confirmation: nil, clientIP: "192.0.2.5", context: context, settings: settings)
        }

        // A second link, past its minutes: refused.
        let late = try await desk.handoverLink(for: ann)
        let lateToken = try #require(late.url.components(separatedBy: "code=").last)
        site.clock.advance(15 * 60 + 1)
        #expect(try await !service.isLinkValid(lateToken))
        await #expect(throws: ResetFailure.invalidCode) {
            _ = try await service.changePassword(
                linkToken: lateToken, newPassword: "too-late-42-password", confirmation: nil, clientIP: "192.0.2.5", context: context, settings: settings)
        }
        let timeline = try await desk.timeline(for: ann, now: site.clock.now)
        #expect(timeline.entries.filter { $0.what == "support" }.count == 2)
        let json = String(decoding: try JSONEncoder().encode(timeline), as: UTF8.self)
        #expect(!json.contains(token) && !json.contains(lateToken))
    }

    @Test func aBlockRefusesTheLinkUntilItIsLiftedAndExpiringAPasswordMakesItUnusable() async throws {
        let site = try await TestSite()
        let ann = try await site.addUser(email: "ann@example.org")
        let desk = try Self.desk(site)
        _ = try await site.storage.resetCodes.cancel(
            id: try await site.storage.resetCodes.issue(
                NewResetCode(userID: try #require(ann.id), email: ann.email, codeHash: Data(repeating: 1, count: 32),
                             linkHash: Data(repeating: 2, count: 32), createdAt: site.clock.now, expiresAt: site.clock.now.addingTimeInterval(600),
                             requestIP: "192.0.2.1")),
            userID: try #require(ann.id), blockUntil: site.clock.now.addingTimeInterval(3600), now: site.clock.now)
        await #expect(throws: SupportActionError.self) { _ = try await desk.handoverLink(for: ann) }
        #expect(try await desk.timeline(for: ann, now: site.clock.now).blockedUntil == site.clock.now.addingTimeInterval(3600))
        #expect(try await desk.liftBlock(of: ann))
        #expect(try await !desk.liftBlock(of: ann))
        _ = try await desk.handoverLink(for: ann)

        #expect(try await site.passwordMatches("ann@example.org", "old-password-1"))
        try await desk.expirePassword(of: ann)
        #expect(try await !site.passwordMatches("ann@example.org", "old-password-1"))
    }
}
