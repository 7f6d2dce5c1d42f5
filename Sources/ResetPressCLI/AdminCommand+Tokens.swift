import ArgumentParser
import Foundation
import ResetPressAdmin
import ResetPressEngine
import ResetPressSite
import ResetPressStorage

extension AdminCommand {
    /// `resetpress admin tokens add|list|revoke`: the admin API's tokens for scripts.
    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make, list and revoke the admin API's tokens (scripts send them as Authorization: Bearer <token>).",
            subcommands: [Add.self, List.self, Revoke.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a token and print it once; only its hash is kept.",
                discussion: "Scopes: read (settings, auth codes, mail queue, preview), settings, auth-codes, mail, bulk, tokens.")
            @OptionGroup var site: SiteOptions
            @Option(help: "What the token is for, e.g. deploy-script.") var name: String
            @Option(help: "Comma-separated scopes: read, settings, auth-codes, mail, bulk, tokens.") var scope: String
            @Option(name: .customLong("expires-in-days"), help: "Days until it stops working (default: until revoked).") var expiresInDays: Int?

            var scopes: [APITokenScope] {
                scope.split(separator: ",").compactMap { APITokenScope(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
            }

            mutating func validate() throws {
                guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--name must not be empty.") }
                let given = scope.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let unknown = given.filter { APITokenScope(rawValue: $0) == nil }
                guard !given.isEmpty, unknown.isEmpty else {
                    throw ValidationError("unknown scope \(unknown.joined(separator: ", ")); give some of: \(APITokenScope.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                if let days = expiresInDays, !(1...3650).contains(days) { throw ValidationError("--expires-in-days must be 1 to 3650.") }
            }

            func run() async throws {
                let tokens = try await Tokens.keeper(site)
                let now = Date()
                let expires = expiresInDays.map { now.addingTimeInterval(Double($0) * 86_400) }
                let (token, record) = try await tokens.issue(name: name, scopes: scopes, expiresAt: expires, now: now, by: .cli)
                print(token)
                Terminal.writeError("Token #\(record.id) '\(record.name)' (\(record.scopes.joined(separator: ","))) made; it is shown only now.\n")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List tokens: scopes, expiry, last use, revoked (never the token).")
            @OptionGroup var site: SiteOptions

            func run() async throws {
                let list = try await Tokens.keeper(site).list()
                if list.isEmpty { return print("No API tokens.") }
                let now = Date()
                TextTable.print(header: ["ID", "NAME", "SCOPES", "CREATED", "EXPIRES", "LAST USED", "STATE"], rows: list.map { token in
                    [String(token.id), token.name, token.scopes.joined(separator: ","), CLIDate.format(token.createdAt),
                     token.expiresAt.map(CLIDate.format) ?? "never", token.lastUsedAt.map(CLIDate.format) ?? "never",
                     token.revokedAt != nil ? "revoked" : token.isActive(at: now) ? "active" : "expired"]
                })
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token by its id; it is refused from then on, on every node.")
            @OptionGroup var site: SiteOptions
            @Argument(help: "The token's id (from `admin tokens list`).") var id: Int64

            func run() async throws {
                let tokens = try await Tokens.keeper(site)
                guard try await tokens.revoke(id: id, now: Date(), by: .cli) else {
                    throw CLIFailure("no active token #\(id); see `resetpress admin tokens list`.")
                }
                print("Token #\(id) revoked.")
            }
        }

        /// The site's tokens.
        static func keeper(_ options: SiteOptions) async throws -> APITokens {
            let site = try await Site.open(options)
            guard let tokens = site.admin.tokens else { throw CLIFailure("this site keeps no API tokens.") }
            return tokens
        }
    }
}
