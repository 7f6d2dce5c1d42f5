import ArgumentParser
import Foundation
import ResetPassword
import ResetPressSite
import ResetPressStorage
import ResetPressUsers

/// `resetpress users ...`: the users ResetPress keeps in its own database.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Add, import, list, show (what happened to their resets) and delete users; set or check their passwords.",
        subcommands: [Add.self, Import.self, List.self, Show.self, Delete.self, SetPassword.self, CheckPassword.self])

    /// The user with this email (ignoring case), or a failure naming the fix.
    static func user(email: String, in site: Site) async throws -> User {
        guard let user = try await site.storage.users.user(byEmail: email) else {
            throw CLIFailure("no user has the email \(email). See `resetpress users list`.")
        }
        return user
    }

    /// Checks a password an owner sets for `person` against the rules a reset applies (length,
    /// blocklist, names) and hashes it at the configured cost.
    static func hash(_ password: String, for person: PasswordPolicy.Person, site: Site) async throws -> String {
        do {
            try PasswordPolicy.check(
                password, for: person, settings: site.engine.settings.snapshot, root: site.engine.root, logger: site.engine.logger)
        } catch {
            throw CLIFailure(error.description)
        }
        do {
            return try await site.hasher.hash(password, cost: site.engine.settings[ResetPasswordSettings.passwordHashCost])
        } catch let error as PasswordHasherError {
            throw CLIFailure(error.description)
        }
    }

    /// A short name for how a hash is stored.
    static func hashKind(_ hash: String) -> String {
        switch PasswordHashFormat(hash: hash) {
        case .wordPressBcrypt(let cost): "bcrypt (cost \(cost))"
        case .bcrypt: "legacy bcrypt"
        case .phpass: "legacy phpass"
        case .unusable: "none (must reset)"
        case nil: "unknown format"
        }
    }

    struct Add: SiteCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user; without a password the user must reset it before signing in.")
        @OptionGroup var site: SiteOptions
        @Option(help: "The sign-in name.") var login: String
        @Option(help: "The email address (unique, ignoring case).") var email: String
        @Option(name: .customLong("first-name"), help: "Given name.") var firstName = ""
        @Option(name: .customLong("last-name"), help: "Family name.") var lastName = ""
        @Option(name: .customLong("display-name"), help: "Name shown to others (default: the login).") var displayName: String?
        @Option(help: "Informal name (default: the login).") var nickname: String?
        @Option(help: "Preferred language for mail and pages, a BCP 47 tag like fr or fr-CA.") var locale = ""
        @OptionGroup var password: PasswordOptions

        mutating func validate() throws {
            guard !login.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--login must not be empty.") }
            guard EmailAddress.isPlausible(email) else { throw ValidationError("--email '\(email)' is not an email address.") }
            if !locale.isEmpty {
                guard let tag = LocaleTag.normalized(locale) else { throw ValidationError("--locale '\(locale)' is not a language tag like fr or fr-CA.") }
                locale = tag
            }
        }

        func run(on site: Site) async throws {
            var hash = PasswordHasher.unusableHash
            if let plain = try password.read() {
                let person = PasswordPolicy.Person(email: email, login: login, firstName: firstName, lastName: lastName)
                hash = try await UsersCommand.hash(plain, for: person, site: site)
            }
            let new = NewUser(
                login: login, email: email, displayName: displayName ?? login, nickname: nickname ?? login,
                firstName: firstName, lastName: lastName, passwordHash: hash, locale: locale)
            let user: User
            do {
                user = try await site.storage.users.add(new, now: Date())
            } catch let error as StorageError {
                throw CLIFailure("\(error.description) Pick another, or see `resetpress users list`.")
            }
            print("Added user #\(user.id ?? 0) \(user.login) <\(user.email)>" + (password.isGiven ? "." : " without a password (they must reset it)."))
        }
    }

    struct List: SiteCommand {
        static let configuration = CommandConfiguration(abstract: "List users by id.")
        @OptionGroup var site: SiteOptions
        @Option(help: "How many users to show.") var limit = 100
        @Option(help: "How many users to skip.") var offset = 0

        mutating func validate() throws {
            guard limit >= 0, offset >= 0 else { throw ValidationError("--limit and --offset must not be negative.") }
        }

        func run(on site: Site) async throws {
            let store = site.storage.users
            let users = try await store.list(offset: offset, limit: limit)
            let total = try await store.count()
            TextTable.print(
                header: ["ID", "LOGIN", "EMAIL", "NAME", "LOCALE", "PASSWORD"],
                rows: users.map { user in
                    let name = "\(user.firstName) \(user.lastName)".trimmingCharacters(in: .whitespaces)
                    return [String(user.id ?? 0), user.login, user.email, TextTable.cell(name.isEmpty ? user.displayName : name, limit: 30), user.locale.isEmpty ? "-" : user.locale, UsersCommand.hashKind(user.passwordHash)]
                })
            print("\(users.count) of \(total) users shown (offset \(offset)).")
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password", abstract: "Set a user's password (hashed with bcrypt at users.password_hash_cost).")
        @OptionGroup var arguments: UserPasswordArguments

        func run() async throws {
            let (site, user, plain) = try await arguments.open()
            guard let id = user.id else { throw CLIFailure("\(user.email) has no id.") }
            try await site.storage.users.setPasswordHash(try await UsersCommand.hash(plain, for: PasswordPolicy.Person(user), site: site), forUserID: id, at: Date())
            print("Password of \(user.login) <\(user.email)> changed.")
        }
    }

    struct CheckPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-password",
            abstract: "Check a password: exit 0 when it matches, 1 when not. A legacy hash is reported, never rehashed here.")
        @OptionGroup var arguments: UserPasswordArguments

        func run() async throws {
            let (site, user, plain) = try await arguments.open()
            guard await site.hasher.verify(plain, against: user.passwordHash) else {
                print("The password does not match.")
                throw ExitCode(1)
            }
            if PasswordHashFormat(hash: user.passwordHash)?.isLegacy == true {
                print("The password matches (stored as \(UsersCommand.hashKind(user.passwordHash)); it becomes bcrypt at the next password change).")
            } else {
                print("The password matches.")
            }
        }
    }
}

/// What `users set-password` and `users check-password` take: the site, the user's email and the password.
struct UserPasswordArguments: ParsableArguments {
    @OptionGroup var site: SiteOptions
    @Argument(help: "The user's email.") var email: String
    @OptionGroup var password: RequiredPasswordOptions

    /// Opens the site, finds the user (or fails naming the email) and reads the password.
    func open() async throws -> (Site, User, String) {
        let site = try await Site.open(self.site)
        let user = try await UsersCommand.user(email: email, in: site)
        return (site, user, try password.read())
    }
}
