import Foundation
import HTTPTypes
import Hummingbird
import ResetPressEngine
import ResetPressHTTP
import ResetPressStorage
import ResetPressTemplates

/// Renders admin pages into `templates/admin/layout.html` and serves `templates/admin/assets/`.
///
/// The layout's placeholders: `{{TITLE}}`, `{{SITE_NAME}}`, `{{CSRF}}` (escaped) and `{* NAV *}`,
/// `{* NOTICES *}`, `{* CONTENT *}` (HTML built here, every value in it escaped). Pages carry
/// `Cache-Control: no-store`, `Referrer-Policy: no-referrer` and a strict CSP (scripts and styles
/// from this origin only, no inline script).
struct AdminPage {
    let site: AdminSite

    /// The Content-Security-Policy of every admin page.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// The sections of the admin, in menu order.
    static let sections: [(path: String, title: String)] = [
        ("/admin/dashboard", "Dashboard"), ("/admin", "Settings"), ("/admin/email", "Reset email"), ("/admin/auth-codes", "Auth codes"), ("/admin/mail", "Mail queue"),
        ("/admin/webhooks", "Webhooks"), ("/admin/bulk-reset", "Bulk reset"), ("/admin/tokens", "API tokens"), ("/admin/users", "Users"), ("/admin/audit", "Audit trail"),
    ]

    /// `text` escaped for HTML content and quoted attributes.
    static func escape(_ text: String) -> String { HTMLEscaping.escape(text) }

    /// A page in the layout. `session` fills the CSRF token; `current` marks the menu item
    /// (nil, or no session: no menu, as on the sign-in page).
    func render(
        title: String, content: String, session: AdminSession?, current: String?, notices: [AdminNotice] = [],
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        var variables = TemplateVariables()
        variables["TITLE"] = title
        variables["SITE_NAME"] = site.settings[CoreSettings.siteName]
        variables["CSRF"] = session?.csrfToken ?? ""
        if let current, let session, session.isSignedIn {
            variables["NAV"] = navigation(current: current, session: session)
        } else {
            variables["NAV"] = ""
        }
        variables["NOTICES"] = notices.map { "<p class=\"notice \(Self.escape($0.kind))\" role=\"status\">\(Self.escape($0.text))</p>" }.joined()
        variables["CONTENT"] = content
        let layout = try site.templates.template(at: site.templatesDirectory.appendingPathComponent("layout.html"))
        return Self.html(layout.render(variables, as: .html), status: status)
    }

    /// The menu and the sign-out button.
    private func navigation(current: String, session: AdminSession) -> String {
        let items = Self.sections.map { path, title in
            let marker = path == current ? " aria-current=\"page\" class=\"current\"" : ""
            return "<a href=\"\(path)\"\(marker)>\(Self.escape(title))</a>"
        }
        return "<nav class=\"menu\">" + items.joined() + "</nav>"
            + "<form method=\"post\" action=\"/admin/logout\" class=\"logout\">\(Self.csrfInput(session))"
            + "<button type=\"submit\" class=\"link\">Sign out</button></form>"
    }

    /// A `list` table with `headers` (HTML) and one row per item (`row` makes its `<tr>`), or, when there
    /// are no items, the paragraph `empty` (its id and HTML text).
    static func listTable<Items: Collection>(
        id: String, headers: [String], _ items: Items, empty: (id: String, text: String), row: (Items.Element) -> String
    ) -> String {
        guard !items.isEmpty else { return "<p id=\"\(empty.id)\">\(empty.text)</p>" }
        return "<table class=\"list\" id=\"\(id)\"><thead><tr>" + headers.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>"
            + items.map(row).joined() + "</tbody></table>"
    }

    /// The hidden CSRF field of a form.
    static func csrfInput(_ session: AdminSession) -> String {
        "<input type=\"hidden\" name=\"\(AdminAuth.csrfField)\" value=\"\(escape(session.csrfToken))\">"
    }

    /// An HTML response with the admin's security headers.
    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The headers of every admin page and API answer.
    static var securityHeaders: HTTPFields {
        PageHeaders.secure(contentSecurityPolicy: contentSecurityPolicy)
    }

    /// The file `templates/admin/assets/<name>` (css, js, svg, png); 404 otherwise.
    func asset(_ name: String) throws -> Response {
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml", "png": "image/png"]
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard (1...100).contains(name.count), !name.hasPrefix("."), !name.contains(".."),
              name.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }),
              let type = name.split(separator: ".").last.flatMap({ types[String($0)] }),
              let data = try? Data(contentsOf: site.templatesDirectory.appendingPathComponent("assets").appendingPathComponent(name)),
              data.count <= 1 << 20
        else { throw HTTPError(.notFound) }
        return PageHeaders.asset(data, type: type)
    }
}
