import Foundation
import GRDB
import ResetPressMail

/// Every schema change, in order. A migration, once released, is never edited: add a new one.
enum SchemaMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-settings") { db in
            try db.create(table: "settings") { table in
                table.primaryKey("key", .text)
                table.column("value", .text).notNull()
                table.column("updated_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v2-reset", migrate: createResetTables)
        migrator.registerMigration("v3-outbox-lease", migrate: addOutboxLease)
        migrator.registerMigration("v4-admin-sessions", migrate: createAdminSessions)
        migrator.registerMigration("v5-outbox-sealed", migrate: separateOutboxBodies)
        migrator.registerMigration("v6-auth-code-length") { db in
            // NULL for codes added before: those were all 8 characters or more.
            try db.alter(table: "auth_codes") { table in table.add(column: "code_length", .integer) }
        }
        migrator.registerMigration("v8-events", migrate: createEvents)
        migrator.registerMigration("v9-cancel", migrate: addCancelLinks)
        migrator.registerMigration("v10-bulk-resets") { db in
            // The users each bulk reset run sent, so a resumed run skips them.
            try db.create(table: "bulk_reset_sent") { table in
                table.column("run_id", .text).notNull()
                table.column("user_id", .integer).notNull()
                table.column("sent_at", .double).notNull()
                table.primaryKey(["run_id", "user_id"])
            }
        }
        migrator.registerMigration("v11-user-locale") { db in
            // Each user's preferred language (BCP 47); empty when none.
            try db.alter(table: "users") { table in table.add(column: "locale", .text).notNull().defaults(to: "") }
        }
        migrator.registerMigration("v7-webhooks", migrate: createWebhooks)
        migrator.registerMigration("v12-install-checks") { db in
            // The check values of the install secrets this database works with (never a secret).
            try db.create(table: "install_checks") { table in
                table.column("check_value", .blob).notNull().primaryKey()
                table.column("recorded_at", .double).notNull()
            }
        }
        migrator.registerMigration("v13-api-tokens") { db in
            // The admin API's tokens, by keyed hash (never the token); scopes as a comma-separated list.
            try db.create(table: "api_tokens") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("name", .text).notNull()
                table.column("scopes", .text).notNull()
                table.column("token_hash", .blob).notNull().unique()
                table.column("created_at", .double).notNull()
                table.column("expires_at", .double)
                table.column("last_used_at", .double)
                table.column("revoked_at", .double)
            }
        }
        migrator.registerMigration("v14-audit") { db in
            // Who changed what, and when (never a secret); read newest first, deleted by age.
            try db.create(table: "audit") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("at", .double).notNull().indexed()
                table.column("actor", .text).notNull()
                table.column("client_ip", .text).notNull()
                table.column("action", .text).notNull()
                table.column("subject", .text).notNull()
                table.column("detail", .text).notNull()
            }
        }
        migrator.registerMigration("v15-support", migrate: addSupportColumns)
        migrator.registerMigration("v16-lean-request-writes", migrate: leanRequestWrites)
        migrator.registerMigration("v17-events-by-kind") { db in
            // One index fewer to write per event: the reads and the retention that filter by time
            // alone go through `events_on_kind_at`, one kind at a time (`SQLiteEventStore`).
            try db.execute(sql: "DROP INDEX events_on_at")
        }
        migrator.registerMigration("v18-queue-repack-marks") { db in
            // How far each queue's finished entries are packed (`SQLiteLeasedQueue.repackFinished()`).
            try db.execute(sql: "CREATE TABLE queue_repack_marks (queue TEXT PRIMARY KEY NOT NULL, packed_through INTEGER NOT NULL) WITHOUT ROWID")
        }
        migrator.registerMigration("v19-codes-by-user", migrate: keyCodesByUser)
        return migrator
    }

    /// About four pages fewer per code. The table is keyed by user: a new code overwrites the user's
    /// row in place, with a random id (`SQLiteResetCodeStore`), so no user index, AUTOINCREMENT counter
    /// or appended row is written. Tokens now name their user, so only the codes stored before
    /// (`tokens_by_hash`) keep their hashes indexed, in partial indexes. Rows and ids are kept.
    private static func keyCodesByUser(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE reset_codes_by_user (
                user_id INTEGER PRIMARY KEY, id INTEGER NOT NULL, email TEXT NOT NULL, code_hash BLOB NOT NULL,
                link_hash BLOB NOT NULL, created_at DOUBLE NOT NULL, expires_at DOUBLE NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                request_ip TEXT NOT NULL, cancel_hash BLOB, tokens_by_hash BOOLEAN NOT NULL DEFAULT 0);
            INSERT INTO reset_codes_by_user (user_id, id, email, code_hash, link_hash, created_at, expires_at, attempts, request_ip, cancel_hash, tokens_by_hash)
                SELECT user_id, id, email, code_hash, link_hash, created_at, expires_at, attempts, request_ip, cancel_hash, 1 FROM reset_codes;
            DROP TABLE reset_codes;
            ALTER TABLE reset_codes_by_user RENAME TO reset_codes;
            CREATE INDEX reset_codes_on_email ON reset_codes (email);
            CREATE UNIQUE INDEX reset_codes_on_link_hash ON reset_codes (link_hash) WHERE tokens_by_hash = 1;
            CREATE UNIQUE INDEX reset_codes_on_cancel_hash ON reset_codes (cancel_hash) WHERE tokens_by_hash = 1;
            """)
    }

    /// Fewer pages written per reset request: the codes lose their expiry index (only the hourly
    /// flush reads expiry, and a scan of one row per user serves it), and the events their
    /// AUTOINCREMENT counter, which each insert updated (no event is ever looked up by id; the rows
    /// are copied as they are, ids included).
    private static func leanRequestWrites(_ db: Database) throws {
        try db.execute(sql: "DROP INDEX reset_codes_on_expires_at")
        try db.execute(sql: """
            CREATE TABLE events_lean (
                id INTEGER PRIMARY KEY, kind TEXT NOT NULL, at DOUBLE NOT NULL, client_ip TEXT, delivery_seconds DOUBLE, user_id INTEGER);
            INSERT INTO events_lean (id, kind, at, client_ip, delivery_seconds, user_id)
                SELECT id, kind, at, client_ip, delivery_seconds, user_id FROM events;
            DROP TABLE events;
            ALTER TABLE events_lean RENAME TO events;
            CREATE INDEX events_on_at ON events (at);
            CREATE INDEX events_on_kind_at ON events (kind, at);
            CREATE INDEX events_on_user_at ON events (user_id, at) WHERE user_id IS NOT NULL;
            DELETE FROM sqlite_sequence WHERE name = 'events';
            """)
    }

    /// Users, reset codes, auth codes, the mail outbox and job runs.
    ///
    /// Times in these tables are `REAL` seconds since 1970 (UTC), so comparisons in SQL are
    /// numeric and indexes serve them.
    private static func createResetTables(_ db: Database) throws {
        try db.create(table: "users") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("login", .text).notNull().unique().collate(.nocase)
            table.column("email", .text).notNull().unique().collate(.nocase)
            for name in ["display_name", "nickname", "first_name", "last_name"] {
                table.column(name, .text).notNull().defaults(to: "")
            }
            table.column("password_hash", .text).notNull()
            table.column("created_at", .double).notNull()
            table.column("updated_at", .double).notNull()
        }
        // No foreign key to users: a host may bring its own users, so user_id is just a number.
        try db.create(table: "reset_codes") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("user_id", .integer).notNull().unique()
            table.column("email", .text).notNull().indexed()
            table.column("code_hash", .blob).notNull()
            table.column("link_hash", .blob).notNull().unique()
            table.column("created_at", .double).notNull()
            table.column("expires_at", .double).notNull().indexed()
            table.column("attempts", .integer).notNull().defaults(to: 0)
            table.column("request_ip", .text).notNull()
        }
        try db.create(table: "auth_codes") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("code_hash", .blob).notNull().unique()
            table.column("last_four", .text).notNull()
            table.column("role", .text).notNull().defaults(to: "")
            table.column("expires_at", .double)
            table.column("created_at", .double).notNull()
        }
        try db.create(table: "outbox") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("kind", .text).notNull()
            table.column("message", .text).notNull()
            table.column("message_id", .text).notNull()
            addQueueStateColumns(to: table)
        }
        try db.create(index: "outbox_on_status_next_attempt_at", on: "outbox", columns: ["status", "next_attempt_at"])
        try db.create(table: "job_runs") { table in
            table.primaryKey("name", .text)
            table.column("last_run_at", .double).notNull()
            table.column("last_status", .text).notNull()
            table.column("runs", .integer).notNull().defaults(to: 0)
        }
    }

    /// The node sending an outbox entry and until when its claim holds, so that another node only
    /// takes over entries whose sender stopped renewing (NULL in rows claimed before this migration).
    private static func addOutboxLease(_ db: Database) throws {
        try db.alter(table: "outbox") { table in
            table.add(column: "claimed_by", .text)
            table.add(column: "lease_until", .double)
        }
    }

    /// Outbox metadata apart from the body, so the body can be sealed and deleted: `recipients` (a
    /// JSON array of emails) and `subject` in clear, the message as JSON in `body` or sealed in
    /// `sealed_body` (both NULL once deleted). Rows already sent or failed lose their body here;
    /// queued ones stay plain until the reset plugin seals those that carry a code.
    private static func separateOutboxBodies(_ db: Database) throws {
        try db.alter(table: "outbox") { table in
            table.add(column: "recipients", .text).notNull().defaults(to: "[]")
            table.add(column: "subject", .text).notNull().defaults(to: "")
            table.add(column: "body", .text)
            table.add(column: "sealed_body", .blob)
        }
        let rows = try Row.fetchAll(db, sql: "SELECT id, message, status FROM outbox")
        for row in rows {
            let json: String = row["message"]
            let message = try JSONDecoder().decode(MailMessage.self, from: Data(json.utf8))
            let recipients = String(decoding: try JSONEncoder().encode(message.to.map(\.email)), as: UTF8.self)
            let finished = ["sent", "failed"].contains(row["status"] as String)
            try db.execute(
                sql: "UPDATE outbox SET recipients = ?, subject = ?, body = ? WHERE id = ?",
                arguments: [recipients, message.subject, finished ? nil : json, row["id"] as Int64])
        }
        try db.execute(sql: "ALTER TABLE outbox DROP COLUMN message")
    }

    /// What the flows did, for the owner's dashboard and `resetpress stats`; never a secret or an email.
    private static func createEvents(_ db: Database) throws {
        try db.create(table: "events") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("kind", .text).notNull()
            table.column("at", .double).notNull().indexed()
            table.column("client_ip", .text)
            table.column("delivery_seconds", .double)
        }
        try db.create(index: "events_on_kind_at", on: "events", columns: ["kind", "at"])
    }

    /// The support desk's timeline: which user an event and a mail concern (NULL for rows from
    /// before, and for requests for unknown emails), and what the transport answered for a mail.
    private static func addSupportColumns(_ db: Database) throws {
        try db.alter(table: "events") { table in table.add(column: "user_id", .integer) }
        try db.execute(sql: "CREATE INDEX events_on_user_at ON events (user_id, at) WHERE user_id IS NOT NULL")
        try db.alter(table: "outbox") { table in
            table.add(column: "user_id", .integer)
            table.add(column: "delivery_detail", .text)
        }
        try db.execute(sql: "CREATE INDEX outbox_on_user ON outbox (user_id, id) WHERE user_id IS NOT NULL")
    }

    /// "That wasn't me": each code's cancel token hash (NULL for codes issued before), and the
    /// accounts whose resets a cancel blocks until `until`, kept apart so a block outlives the code.
    private static func addCancelLinks(_ db: Database) throws {
        try db.alter(table: "reset_codes") { table in table.add(column: "cancel_hash", .blob) }
        try db.create(index: "reset_codes_on_cancel_hash", on: "reset_codes", columns: ["cancel_hash"], unique: true)
        try db.create(table: "reset_blocks") { table in
            table.primaryKey("user_id", .integer)
            table.column("until", .double).notNull().indexed()
        }
    }

    /// The admin's sessions, keyed by the SHA-256 of the cookie's id; `notices` is a JSON array.
    private static func createAdminSessions(_ db: Database) throws {
        try db.create(table: "admin_sessions") { table in
            table.primaryKey("id_hash", .blob)
            table.column("csrf_token", .text).notNull()
            table.column("signed_in", .boolean).notNull()
            table.column("password_fingerprint", .blob)
            table.column("created_at", .double).notNull().indexed()
            table.column("last_seen", .double).notNull()
            table.column("notices", .text).notNull().defaults(to: "[]")
        }
        try db.create(index: "admin_sessions_on_signed_in_last_seen", on: "admin_sessions", columns: ["signed_in", "last_seen"])
    }

    /// The webhook queue: one row per event and URL, the JSON body as sent (NULL once sent), the
    /// delivery id every try repeats, status, tries, last error and the claim (owner and lease).
    private static func createWebhooks(_ db: Database) throws {
        try db.create(table: "webhooks") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("event", .text).notNull()
            table.column("url", .text).notNull()
            table.column("body", .text)
            table.column("delivery_id", .text).notNull().unique()
            addQueueStateColumns(to: table)
            table.column("claimed_by", .text)
            table.column("lease_until", .double)
        }
        try db.create(index: "webhooks_on_status_next_attempt_at", on: "webhooks", columns: ["status", "next_attempt_at"])
    }

    /// The state columns of a leased queue (outbox, webhooks), after its own: status, tries, last
    /// error, and when the entry was queued, is next tried and was sent.
    private static func addQueueStateColumns(to table: TableDefinition) {
        table.column("status", .text).notNull()
        table.column("attempts", .integer).notNull().defaults(to: 0)
        table.column("last_error", .text)
        table.column("created_at", .double).notNull()
        table.column("next_attempt_at", .double).notNull()
        table.column("sent_at", .double)
    }
}
