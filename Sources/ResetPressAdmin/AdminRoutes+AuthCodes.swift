import Foundation
import Hummingbird
import ResetPressEngine
import ResetPassword
import ResetPressHTTP
import ResetPressStorage

extension AdminRoutes {
    /// Auth-code management: list, add (typed or generated), remove.
    func addAuthCodeRoutes(to router: Router<ResetPressRequestContext>) {
        router.get("/admin/auth-codes", use: page { _, _, session in try await authCodesPage(session) })
        router.post("/admin/auth-codes", use: form { request, context, session, parameters in
            let notice: AdminNotice
            do {
                let expiresAt = try AuthCodeInput.expiry(days: parameters["expires_in_days"], now: site.now)
                let added = try await AuthCodeInput.add(
                    code: parameters["code"] ?? "", role: parameters["role"] ?? "", expiresAt: expiresAt, site: site, by: auth.admin(request, context))
                if added.generated {
                    // Shown in this answer only: a notice would keep the code in the session's row until shown.
                    return try await authCodesPage(session, shown: [AdminNotice(
                        kind: "success", text: "Auth code #\(added.record.id) added: \(added.code) — copy it now, it is not shown again.")])
                }
                notice = AdminNotice(kind: "success", text: "Auth code #\(added.record.id) added (ends with \(added.record.lastFour)).")
            } catch let error as AuthCodeInput.Problem {
                notice = AdminNotice(kind: "error", text: error.description)
            }
            return try await redirect("/admin/auth-codes", session: session, notice: notice)
        })
        router.post("/admin/auth-codes/:id/delete", use: form { request, context, session, _ in
            guard let id = context.parameters.get("id", as: Int64.self), try await site.gate.remove(id: id, now: site.now, by: auth.admin(request, context)) else {
                return try await redirect("/admin/auth-codes", session: session, notice: AdminNotice(kind: "error", text: "No such auth code."))
            }
            return try await redirect("/admin/auth-codes", session: session, notice: AdminNotice(kind: "success", text: "Auth code #\(id) removed."))
        })
    }

    /// The page, with `shown` notices that are never stored (a generated code).
    private func authCodesPage(_ session: AdminSession, shown: [AdminNotice] = []) async throws -> Response {
        let records = try await site.gate.list()
        let now = site.now
        var content = "<p class=\"intro\">Auth codes open the AUTH_CODE gate (reset_password.requires_auth_code). Only a keyed hash "
            + "and the last four characters are stored.</p>"
        content += AdminPage.listTable(
            id: "auth-codes", headers: ["ID", "Code", "Role", "Expires", "Created", ""], records, empty: ("no-auth-codes", "No auth codes yet.")
        ) { record in
            let expired = record.expiresAt.map { $0 <= now } ?? false
            return "<tr\(expired ? " class=\"expired\"" : "")><td>\(record.id)</td><td><code>…\(AdminPage.escape(record.lastFour))</code>"
                + (record.isWeak ? " <span class=\"weak\" title=\"Shorter than \(AuthCodeRecord.minimumStrongLength) characters: guessable. "
                    + "Replace it with a generated code.\">weak</span>" : "") + "</td>"
                + "<td>\(AdminPage.escape(record.role))</td><td>\(record.expiresAt.map { AdminFormat.date($0) + (expired ? " (expired)" : "") } ?? "never")</td>"
                + "<td>\(AdminFormat.date(record.createdAt))</td><td><form method=\"post\" action=\"/admin/auth-codes/\(record.id)/delete\" "
                + "data-confirm=\"Remove auth code #\(record.id)?\">\(AdminPage.csrfInput(session))<button type=\"submit\" class=\"danger\">Remove</button>"
                + "</form></td></tr>"
        }
        content += "<h2>Add an auth code</h2><form method=\"post\" action=\"/admin/auth-codes\" id=\"add-auth-code\">\(AdminPage.csrfInput(session))"
            + "<table class=\"form-table\" role=\"presentation\">"
            + "<tr><th><label for=\"code\">Code</label></th><td><input type=\"text\" id=\"code\" name=\"code\" class=\"regular-text\" "
            + "autocomplete=\"off\" placeholder=\"leave empty to generate one\"><p class=\"description\">At least 8 characters.</p></td></tr>"
            + "<tr><th><label for=\"role\">Role</label></th><td><input type=\"text\" id=\"role\" name=\"role\" class=\"regular-text\"></td></tr>"
            + "<tr><th><label for=\"expires_in_days\">Expires in (days)</label></th><td><input type=\"number\" min=\"1\" id=\"expires_in_days\" "
            + "name=\"expires_in_days\" class=\"small-text\"><p class=\"description\">Empty: never.</p></td></tr></table>"
            + "<p class=\"submit\"><button type=\"submit\" class=\"primary\">Add auth code</button></p></form>"
        return try await renderWithNotices(title: "Auth codes", content: content, session: session, current: "/admin/auth-codes", shown: shown)
    }
}

/// Adding an auth code from the admin page or API.
enum AuthCodeInput {
    /// Why a code was not added.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// A code added, with its plain text (shown once) and whether it was generated.
    struct Added {
        let record: AuthCodeRecord
        let code: String
        let generated: Bool
    }

    /// Adds `code`, or a generated 32-character one when it is empty.
    static func add(code: String, role: String, expiresAt: Date?, site: AdminSite, by actor: AuditActor) async throws -> Added {
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        let plain = trimmed.isEmpty ? CodeGenerator.code(length: 32, charset: .alnum) : trimmed
        do {
            let record = try await site.gate.add(code: plain, role: role.trimmingCharacters(in: .whitespaces), expiresAt: expiresAt, now: site.now, by: actor)
            return Added(record: record, code: plain, generated: trimmed.isEmpty)
        } catch let error as AuthCodeError {
            throw Problem(description: error.description)
        } catch StorageError.duplicate {
            throw Problem(description: "This auth code is already stored.")
        }
    }

    /// The expiry `days` from now; nil for an empty value.
    static func expiry(days: String?, now: Date) throws -> Date? {
        guard let text = days?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let count = Int(text), (1...36_500).contains(count) else { throw Problem(description: "Expires in (days) must be a whole number from 1 to 36500.") }
        return now.addingTimeInterval(TimeInterval(count) * 86400)
    }
}

/// How the admin shows dates: `2030-01-01 12:00 UTC`.
enum AdminFormat {
    static func date(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            .timeSeparator(.colon)).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "") + " UTC"
    }
}
