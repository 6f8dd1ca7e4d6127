import Foundation
import GRDB

/// One entry of the audit trail: who did what to which target, when, and why.
public struct AuditRecord: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "auditRecord"
    public var id: Int64?
    public var recordedAt: Date
    /// Who: "operator:<token name>", "central-system", "emergency-input", "daemon".
    public var actor: String
    /// What: "unlock", "availability", "configuration", "emergency", "start", "stop".
    public var action: String
    /// Which compartment, connector or key it applied to, if any.
    public var target: String?
    /// Why, in the actor's words.
    public var reason: String?

    public init(recordedAt: Date, actor: String, action: String, target: String? = nil, reason: String? = nil) {
        self.recordedAt = recordedAt
        self.actor = actor
        self.action = action
        self.target = target
        self.reason = reason
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension SiteStore {
    /// Commits an audit record; the caller acts only after this returns (invariant 5).
    @discardableResult
    public func appendAudit(_ record: AuditRecord) throws(StoreError) -> AuditRecord {
        let committed = try write { db in
            var record = record
            try record.insert(db)
            return record
        }
        auditFeed.publish(committed)
        return committed
    }

    /// Audit records, newest first.
    public func auditRecords(limit: Int = 100) throws(StoreError) -> [AuditRecord] {
        try read { db in
            try AuditRecord.order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }
}
