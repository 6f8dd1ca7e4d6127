import Foundation
import GRDB

/// What an SMS session adds to its session record: who texted (to answer and to recognize the
/// owner), in which language, and the receipt PIN's salted digest (never the PIN). Committed
/// before the session machine hears of the authorization (DESIGN invariant 5).
public struct SMSSessionLink: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "smsSession"
    public var sessionId: String
    public var compartment: String
    /// E.164 with "+".
    public var sender: String
    /// "de" or "en".
    public var language: String
    /// `ReceiptPINDigest.encoded`: "v1:<salt hex>:<hash hex>".
    public var pinDigest: String
    public var createdAt: Date
    /// Set when the session ended (the PIN is no longer valid) or never started.
    public var closedAt: Date?

    public init(sessionId: String, compartment: String, sender: String, language: String, pinDigest: String, createdAt: Date) {
        self.sessionId = sessionId
        self.compartment = compartment
        self.sender = sender
        self.language = language
        self.pinDigest = pinDigest
        self.createdAt = createdAt
    }
}

enum SMSSessionStoreSchema {
    static func create(_ db: Database) throws {
        try db.create(table: SMSSessionLink.databaseTableName) { t in
            t.primaryKey("sessionId", .text)
            t.column("compartment", .text).notNull()
            t.column("sender", .text).notNull()
            t.column("language", .text).notNull()
            t.column("pinDigest", .text).notNull()
            t.column("createdAt", .datetime).notNull()
            t.column("closedAt", .datetime).indexed()
        }
    }
}

extension SiteStore {
    public func saveSMSSessionLink(_ link: SMSSessionLink) throws(StoreError) {
        try write { db in try link.save(db) }
    }

    /// Links whose PIN is still valid.
    public func openSMSSessionLinks() throws(StoreError) -> [SMSSessionLink] {
        try read { db in
            try SMSSessionLink.filter(Column("closedAt") == nil).order(Column("createdAt")).fetchAll(db)
        }
    }

    public func closeSMSSessionLink(sessionId: String, at date: Date) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE smsSession SET closedAt = ? WHERE sessionId = ? AND closedAt IS NULL",
                           arguments: [date, sessionId])
        }
    }
}
