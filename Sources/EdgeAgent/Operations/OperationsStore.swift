import Foundation
import GRDB
import OCPP

/// The operations part's tables (migrations "OPS-availability" and "OPS-firmware-state" in StoreMigrations).
enum OperationsStoreSchema {
    static func createAvailability(_ db: Database) throws {
        // The availability each connector (0: the charge point) was last set to; no row: operative.
        try db.create(table: "opsConnectorAvailability") { t in
            t.primaryKey("connectorId", .integer)
            t.column("operative", .boolean).notNull()
            t.column("changedAt", .datetime).notNull()
            t.column("actor", .text).notNull()
            t.column("reason", .text).notNull()
        }
    }

    static func createFirmwareState(_ db: Database) throws {
        // The one firmware update in progress or waiting to be reported after the restart (at most one row).
        try db.create(table: "opsFirmwareUpdate") { t in
            t.primaryKey("id", .integer).check { $0 == 1 }
            t.column("stage", .text).notNull()
            t.column("location", .text).notNull()
            // The request, so an update a restart interrupted before its install starts over.
            t.column("retrieveDate", .datetime).notNull()
            t.column("retries", .integer)
            t.column("retryInterval", .integer)
            t.column("file", .text)
            t.column("detail", .text)
            t.column("updatedAt", .datetime).notNull()
        }
    }
}

/// A firmware update that must survive a restart: what stage it reached and what to report.
public struct StoredFirmwareUpdate: Sendable, Equatable {
    public var stage: FirmwareUpdateStage
    public var location: String
    public var retrieveDate: Date
    public var retries: Int?
    public var retryInterval: Int?
    public var file: String?
    public var detail: String?
    public var updatedAt: Date
}

extension SiteStore {
    // MARK: Availability

    public func connectorAvailability() throws(StoreError) -> [Int: ConnectorAvailability] {
        try read { db in
            var result: [Int: ConnectorAvailability] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM opsConnectorAvailability") {
                let availability = ConnectorAvailability(
                    connectorId: row["connectorId"], operative: row["operative"], changedAt: row["changedAt"],
                    actor: row["actor"], reason: row["reason"])
                result[availability.connectorId] = availability
            }
            return result
        }
    }

    /// Stores the changed availabilities and their audit record in one transaction (all or nothing).
    func setConnectorAvailability(_ changes: [ConnectorAvailability], audit: AuditRecord) throws(StoreError) {
        let committed = try write { db in
            for change in changes {
                try db.execute(
                    sql: """
                        INSERT INTO opsConnectorAvailability (connectorId, operative, changedAt, actor, reason)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT(connectorId) DO UPDATE SET operative = excluded.operative,
                            changedAt = excluded.changedAt, actor = excluded.actor, reason = excluded.reason
                        """,
                    arguments: [change.connectorId, change.operative, change.changedAt, change.actor, change.reason])
            }
            var record = audit
            try record.insert(db)
            return record
        }
        auditFeed.publish(committed)
    }

    // MARK: Firmware

    public func firmwareUpdate() throws(StoreError) -> StoredFirmwareUpdate? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM opsFirmwareUpdate WHERE id = 1"),
                  let stage = FirmwareUpdateStage(rawValue: row["stage"]) else { return nil }
            return StoredFirmwareUpdate(
                stage: stage, location: row["location"], retrieveDate: row["retrieveDate"], retries: row["retries"],
                retryInterval: row["retryInterval"], file: row["file"], detail: row["detail"], updatedAt: row["updatedAt"])
        }
    }

    func setFirmwareUpdate(_ update: StoredFirmwareUpdate?) throws(StoreError) {
        try write { db in
            guard let update else {
                try db.execute(sql: "DELETE FROM opsFirmwareUpdate")
                return
            }
            try db.execute(
                sql: """
                    INSERT INTO opsFirmwareUpdate
                        (id, stage, location, retrieveDate, retries, retryInterval, file, detail, updatedAt)
                    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET stage = excluded.stage, location = excluded.location,
                        retrieveDate = excluded.retrieveDate, retries = excluded.retries,
                        retryInterval = excluded.retryInterval, file = excluded.file, detail = excluded.detail,
                        updatedAt = excluded.updatedAt
                    """,
                arguments: [
                    update.stage.rawValue, update.location, update.retrieveDate, update.retries, update.retryInterval,
                    update.file, update.detail, update.updatedAt,
                ])
        }
    }

    // MARK: Diagnostics

    /// A consistent copy of the whole store (SQLite online backup) at `path`, for a diagnostics bundle. The one secret
    /// the store holds, the AuthorizationKey (the central system's Basic-auth password), is overwritten in the copy.
    func backup(to path: String) throws(StoreError) {
        do {
            let copy = try DatabaseQueue(path: path)
            try database.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA secure_delete = ON")  // no trace of the old value in free pages
                try db.execute(
                    sql: "UPDATE ocppConfigurationKey SET value = '<redacted>' WHERE key = ?",
                    arguments: [StandardConfigurationKey.authorizationKey.rawValue])
            }
            try copy.close()
        } catch {
            throw .writeFailed(path: path, reason: Self.reason(error))
        }
    }
}
