import GRDB

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
        return migrator
    }
}
