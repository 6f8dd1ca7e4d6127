import GRDB

/// The authorization tables (migration "v3-authorization-list-and-cache" in StoreMigrations).
enum AuthorizationStoreSchema {
    static func create(_ db: Database) throws {
        // The local authorization list the central system sends (SendLocalList). idTags are CiStrings:
        // the key compares case-insensitively, and it is the lookup index (tens of thousands of rows).
        try db.create(table: "localAuthorizationEntry", options: [.withoutRowID]) { t in
            t.primaryKey("idTag", .text).collate(.nocase)
            t.column("status", .text).notNull()
            t.column("expiryDate", .datetime)
            t.column("parentIdTag", .text)
        }
        // One row: the list's version (0 until the first SendLocalList).
        try db.create(table: "localAuthorizationListVersion") { t in
            t.primaryKey("id", .integer).check { $0 == 1 }
            t.column("version", .integer).notNull()
        }
        try db.execute(sql: "INSERT INTO localAuthorizationListVersion (id, version) VALUES (1, 0)")
        // The authorization cache: every idTagInfo the central system returned. `lastUsed` is a
        // counter (not a clock) so least-recently-used eviction is exact even within one second.
        try db.create(table: "authorizationCacheEntry", options: [.withoutRowID]) { t in
            t.primaryKey("idTag", .text).collate(.nocase)
            t.column("status", .text).notNull()
            t.column("expiryDate", .datetime)
            t.column("parentIdTag", .text)
            t.column("lastUsed", .integer).notNull().indexed()
        }
    }
}
