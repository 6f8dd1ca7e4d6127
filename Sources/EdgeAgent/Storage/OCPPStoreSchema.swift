import GRDB

/// The uplink's tables (migration "v2-ocpp-uplink" in StoreMigrations).
enum OCPPStoreSchema {
    static func create(_ db: Database) throws {
        // Configuration keys the central system changed (AuthorizationKey included: the file is
        // readable only by the daemon's user). Keys never set keep the registry default.
        try db.create(table: "ocppConfigurationKey") { t in
            t.primaryKey("key", .text)
            t.column("value", .text).notNull()
        }
        // The durable offline queue: StartTransaction, StopTransaction and transaction
        // MeterValues, sent in `sequence` order and deleted only once confirmed.
        try db.create(table: "ocppQueuedMessage") { t in
            t.autoIncrementedPrimaryKey("sequence")
            t.column("action", .text).notNull()
            t.column("localTransactionId", .text).indexed()
            // QueuedTransactionMessage as JSON (dates in milliseconds since 1970).
            t.column("message", .text).notNull()
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("enqueuedAt", .datetime).notNull()
            t.column("stampedBeforeClockSync", .boolean).notNull()
        }
        // Local transaction id -> the central system's transactionId (NULL until the
        // StartTransaction is confirmed); the row goes when the StopTransaction is confirmed.
        try db.create(table: "ocppTransaction") { t in
            t.primaryKey("localTransactionId", .text)
            t.column("centralTransactionId", .integer)
            t.column("startedAt", .datetime).notNull()
        }
    }
}
