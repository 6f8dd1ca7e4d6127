import Foundation
import GRDB
import OCPP

/// Tables of smart charging (migration "SC-charging-profiles").
enum ChargingProfileStoreSchema {
    static func create(_ db: Database) throws {
        // One row per installed charging profile; `profile` is the profile as the central system sent it (JSON).
        try db.create(table: "scChargingProfile") { t in
            t.primaryKey("chargingProfileId", .integer)
            t.column("connectorId", .integer).notNull()
            t.column("profile", .text).notNull()
            t.column("installedAt", .datetime).notNull()
        }
        // Transactions running now, by the charge point's local id: where TxProfiles may go and where Relative
        // schedules start. A row leaves when the transaction's StopTransaction is queued.
        try db.create(table: "scTransaction") { t in
            t.primaryKey("localTransactionId", .text)
            t.column("connectorId", .integer).notNull()
            t.column("startedAt", .datetime).notNull()
            t.column("centralTransactionId", .integer)
        }
    }
}

/// A transaction smart charging follows.
struct SmartChargingTransaction: Sendable, Equatable {
    var localTransactionId: String
    var connectorId: Int
    var startedAt: Date
    var centralTransactionId: Int?
}

extension SiteStore {
    private static let profileEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    private static func encodeProfile(_ profile: ChargingProfile) throws -> String {
        String(decoding: try profileEncoder.encode(profile), as: UTF8.self)
    }

    /// Every installed charging profile.
    func chargingProfiles() throws(StoreError) -> [InstalledChargingProfile] {
        try read { db in
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .millisecondsSince1970
            return try Row.fetchAll(db, sql: "SELECT * FROM scChargingProfile ORDER BY chargingProfileId").map { row in
                InstalledChargingProfile(
                    connectorId: row["connectorId"],
                    profile: try decoder.decode(ChargingProfile.self, from: Data((row["profile"] as String).utf8)),
                    installedAt: row["installedAt"])
            }
        }
    }

    /// Removes `removing` and adds `adding` in one transaction, with the audit record: a SetChargingProfile is
    /// committed before it is confirmed, a ClearChargingProfile before it is answered.
    func changeChargingProfiles(removing: [Int], adding: InstalledChargingProfile?, audit: AuditRecord) throws(StoreError) {
        let text: String?
        do {
            text = try adding.map { try Self.encodeProfile($0.profile) }
        } catch {
            throw .writeFailed(path: path, reason: "charging profile could not be encoded: \(error)")
        }
        try write { db in
            for id in removing {
                try db.execute(sql: "DELETE FROM scChargingProfile WHERE chargingProfileId = ?", arguments: [id])
            }
            if let adding, let text {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO scChargingProfile (chargingProfileId, connectorId, profile, installedAt) VALUES (?, ?, ?, ?)",
                    arguments: [adding.id, adding.connectorId, text, adding.installedAt])
            }
            var audit = audit
            try audit.insert(db)
        }
    }

    /// Transactions smart charging follows.
    func smartChargingTransactions() throws(StoreError) -> [SmartChargingTransaction] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM scTransaction").map { row in
                SmartChargingTransaction(
                    localTransactionId: row["localTransactionId"], connectorId: row["connectorId"], startedAt: row["startedAt"],
                    centralTransactionId: row["centralTransactionId"])
            }
        }
    }

    func recordSmartChargingTransaction(_ transaction: SmartChargingTransaction) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO scTransaction (localTransactionId, connectorId, startedAt, centralTransactionId)
                    VALUES (?, ?, ?, ?)
                    """,
                arguments: [transaction.localTransactionId, transaction.connectorId, transaction.startedAt, transaction.centralTransactionId])
        }
    }

    /// The transaction ended: its row and the TxProfiles of its connector go, in one transaction.
    func endSmartChargingTransaction(_ localTransactionId: String, removingProfiles ids: [Int]) throws(StoreError) {
        try write { db in
            try db.execute(sql: "DELETE FROM scTransaction WHERE localTransactionId = ?", arguments: [localTransactionId])
            for id in ids {
                try db.execute(sql: "DELETE FROM scChargingProfile WHERE chargingProfileId = ?", arguments: [id])
            }
        }
    }
}
