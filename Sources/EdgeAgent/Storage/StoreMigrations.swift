import GRDB

/// Every schema change of the site store, in order, in one place.
///
/// Migrations are append-only: a released identifier is never edited, only followed by a new one.
/// The identifiers double as the schema history that `SiteStore` checks to refuse a file written by a
/// newer edge-agent.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1-runs-and-audit") { db in
            // One row per daemon start; `stoppedAt` stays NULL when the process died without a clean stop,
            // which is how the next start knows it must reconcile after a crash or power loss.
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("startedAt", .datetime).notNull()
                t.column("stoppedAt", .datetime)
                t.column("version", .text).notNull()
            }
            // Who did what, when and why: unlocks, availability changes, configuration changes, emergencies.
            try db.create(table: "auditRecord") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("recordedAt", .datetime).notNull().indexed()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("target", .text)
                t.column("reason", .text)
            }
        }

        migrator.registerMigration("v2-ocpp-uplink", migrate: OCPPStoreSchema.create)
        migrator.registerMigration("v3-authorization-list-and-cache", migrate: AuthorizationStoreSchema.create)
        migrator.registerMigration("v3-sessions", migrate: SessionStoreSchema.create)
        migrator.registerMigration("OPS-availability", migrate: OperationsStoreSchema.createAvailability)
        migrator.registerMigration("OPS-firmware-state", migrate: OperationsStoreSchema.createFirmwareState)
        migrator.registerMigration("R-reservations", migrate: ReservationStoreSchema.create)
        migrator.registerMigration("S-receipt-pins", migrate: SMSSessionStoreSchema.create)
        migrator.registerMigration("SC-charging-profiles", migrate: ChargingProfileStoreSchema.create)
        migrator.registerMigration("T-session-amounts", migrate: SessionStoreSchema.addAmounts)
        migrator.registerMigration("R-held-authorizations", migrate: HeldAuthorizationStoreSchema.create)

        return migrator
    }

    /// The schema version a store written by this build reports: the number of migrations it knows.
    static var schemaVersion: Int { migrator.migrations.count }
}
