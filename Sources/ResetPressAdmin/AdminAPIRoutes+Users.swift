import Foundation
import Hummingbird
import ResetPassword
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage

extension AdminAPIRoutes {
    /// The support desk for scripts: search users, read one's timeline (`read`), act for them (`users`).
    func addUserRoutes(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/api/users", use: guarded(.read) { request, _, _ in try await users(request) })
        router.get("/admin/api/users/:id", use: guarded(.read) { _, context, _ in try await timeline(context) })
        router.post("/admin/api/users/:id/:action", use: guarded(.users) { request, context, actor in try await act(request, context, actor) })
    }

    private func desk() throws -> SupportDesk {
        guard let desk = site.plugin.reset.support else { throw AdminAPIError.notFound }
        return desk
    }

    private func users(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = min(500, max(1, query.get("limit").flatMap { Int($0) } ?? 50))
        let found = try await desk().search(query.get("q") ?? "", offset: max(0, query.get("offset").flatMap { Int($0) } ?? 0), limit: limit)
        let users: [JSONValue] = found.map { user in
            .object([("id", .number(Double(user.id ?? 0))), ("login", .string(user.login)), ("email", .string(user.email))])
        }
        return ok("\(found.count) users.", [("users", .array(users))])
    }

    private func timeline(_ context: ResetPressRequestContext) async throws -> Response {
        let desk = try desk()
        guard let user = try await AdminRoutes.user(context, desk) else { throw AdminAPIError.notFound }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let timeline = try JSONValue(parsing: try encoder.encode(try await desk.timeline(for: user, now: site.now)))
        return ok("The timeline of user #\(user.id ?? 0).", [("timeline", timeline)])
    }

    private func act(_ request: Request, _ context: ResetPressRequestContext, _ actor: AuditActor) async throws -> Response {
        let desk = try desk()
        guard let user = try await AdminRoutes.user(context, desk),
            let action = context.parameters.get("action").flatMap(SupportAction.init(rawValue:))
        else { throw AdminAPIError.notFound }
        do {
            let result = try await action.run(on: user, desk: desk, site: site, actor: actor, hookContext: auth.hookContext(request, context))
            let link: [(String, JSONValue)] = result.link.map {
                [("link", .string($0.url)), ("expires_at", .string($0.expiresAt.formatted(.iso8601)))]
            } ?? []
            return ok(result.message, link)
        } catch let refusal as SupportAction.Refusal {
            throw AdminAPIError.badRequest(refusal.message)
        }
    }
}
