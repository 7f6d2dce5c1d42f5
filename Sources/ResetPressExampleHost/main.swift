// An app that embeds ResetPress: its own router and request context, its own users, a Swift filter
// that picks the reset mail per request, and the reset routes mounted beside its own.
// Run: swift run ResetPressExampleHost [port]   (site root: the working directory; data: ./var/example-host)
import Foundation
import Hummingbird
import NIOCore
import ResetPressEngine
import ResetPressHTTP
import ResetPressSite
import ResetPressUsers

/// The host's request context: its own type, with what the ResetPress routes need (`ResetPressContext`).
struct HostContext: ResetPressContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    let channel: any Channel
    var maxUploadSize = 64 * 1024
    var bodyTimeout = Duration.seconds(30)

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }

    var peerIP: String { remoteAddress?.ipAddress ?? "127.0.0.1" }

    func closeInput() { channel.close(mode: .input, promise: nil) }
}

/// The host's users live in its own directory (memory here; a table of its own in a real app).
let hasher = PasswordHasher(maxConcurrent: 2)
let users = MemoryUserDirectory()
let plans = ["ann@example.org": "pro", "bob@example.org": "free"]
for (login, email) in [("ann", "ann@example.org"), ("bob", "bob@example.org")] {
    let hash = try await hasher.hash("initial-password-\(login)", cost: 10)
    try await users.add(NewUser(login: login, email: email, firstName: login.capitalized, passwordHash: hash))
}

// One call composes the site: storage (SQLite under the data folder), install secret, mail to files, plugins.
let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
var configuration = SiteConfiguration(root: root, dataDirectory: root.appendingPathComponent("var/example-host"))
configuration.users = users
configuration.hasher = hasher
let site = try await Site.open(configuration)

// A Swift filter picks the body per request: Pro users get their own wording, in the text part and
// the HTML part alike (it keeps {{CODE}}: a filter that drops it is skipped).
// The closure keeps its own copy of `plans`: it runs on request threads while the top-level code is suspended.
site.engine.hooks.addFilter("reset_password_custom_email_template") { [plans] (body: String, context: HookContext) in
    guard let email = context.user?.email, plans[email.lowercased()] == "pro" else { return body }
    return body.contains("<html")
        ? "<html><body><p>Hello {{FIRST_NAME}}, as a Pro member your reset code is <b>{{CODE}}</b>.</p></body></html>"
        : "Hello {{FIRST_NAME}}, as a Pro member your reset code is {{CODE}}.\nOr open {{RESET_LINK}}\n"
}

let router = Router(context: HostContext.self)
router.add(middleware: BodyLimitMiddleware(
    limit: { site.engine.settings[HTTPSettings.maxBodyBytes] }, timeoutSeconds: { site.engine.settings[HTTPSettings.idleTimeoutSeconds] }))
router.get("/") { _, _ in "Example host: POST /simple-jwt-login/v1/user/reset_password, POST /login\n" }
// The host's own sign-in, against its own users: shows the reset changed the password there.
router.post("/login") { request, context -> HTTPResponse.Status in
    let form = try await RequestParameters.read(from: request, context: context)
    guard let user = await users.user(byEmail: form["email"] ?? ""),
          await hasher.verify(form["password"] ?? "", against: user.passwordHash) else { return .unauthorized }
    return .ok
}
router.addRoutes(site.reset.routes(context: HostContext.self))

let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 8081
let app = Application(
    responder: router.buildResponder().rewritingRESTRoutes(),  // SJL's /wp-json/... and ?rest_route= forms too
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    services: site.services,  // the mail sender and the job loop, ended gracefully with the server
    onServerRunning: { channel in
        FileHandle.standardError.write(Data("example host listening port=\(channel.localAddress?.port ?? port)\n".utf8))
    })
try await app.runService()
await site.close()
