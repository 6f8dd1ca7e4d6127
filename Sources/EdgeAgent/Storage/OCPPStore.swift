import Foundation
import GRDB
import OCPP

/// One durable transaction message waiting for the central system's confirmation (table
/// `ocppQueuedMessage`). Rows leave the table only when the central system confirms them
/// (or, for MeterValues only, when the queue policy gives up or evicts them).
public struct QueuedMessageRecord: Sendable, Equatable {
    /// Position in the queue: messages are sent in ascending order.
    public var sequence: Int64
    public var message: QueuedTransactionMessage
    /// Failed attempts so far (CALLERROR or invalid confirmation; a lost link never counts).
    public var attempts: Int
    public var enqueuedAt: Date
    /// The board clock was not yet synchronized with the central system when the message's
    /// timestamps were taken; they are corrected by the clock offset when sent.
    public var stampedBeforeClockSync: Bool
}

extension SiteStore {
    private static let messageEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    private static func decodeMessage(_ text: String) throws -> QueuedTransactionMessage {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(QueuedTransactionMessage.self, from: Data(text.utf8))
    }

    private static func record(_ row: Row) throws -> QueuedMessageRecord {
        QueuedMessageRecord(
            sequence: row["sequence"], message: try decodeMessage(row["message"]), attempts: row["attempts"],
            enqueuedAt: row["enqueuedAt"], stampedBeforeClockSync: row["stampedBeforeClockSync"])
    }

    // MARK: Configuration keys

    /// The configuration values the central system (or an operator) has set.
    public func ocppConfigurationValues() throws(StoreError) -> [String: String] {
        try read { db in
            var values: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM ocppConfigurationKey") {
                values[row["key"]] = row["value"]
            }
            return values
        }
    }

    /// Commits one configuration value before the change is acknowledged (invariant 5).
    public func setOCPPConfigurationValue(_ value: String, forKey key: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO ocppConfigurationKey (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [key, value])
        }
    }

    // MARK: Transaction message queue

    /// Appends `message` after deleting `evicting` (sequences), in one transaction. A
    /// StartTransaction also registers its local transaction id.
    @discardableResult
    func enqueueTransactionMessage(
        _ message: QueuedTransactionMessage, at now: Date, stampedBeforeClockSync: Bool, evicting: [Int64]
    ) throws(StoreError) -> Int64 {
        let text: String
        do {
            text = String(decoding: try Self.messageEncoder.encode(message), as: UTF8.self)
        } catch {
            throw .writeFailed(path: path, reason: "queued message could not be encoded: \(error)")
        }
        return try write { db in
            for sequence in evicting {
                try db.execute(sql: "DELETE FROM ocppQueuedMessage WHERE sequence = ?", arguments: [sequence])
            }
            if case .startTransaction(let local, _) = message {
                try db.execute(
                    sql: "INSERT INTO ocppTransaction (localTransactionId, startedAt) VALUES (?, ?)",
                    arguments: [local.rawValue, now])
            }
            try db.execute(
                sql: """
                    INSERT INTO ocppQueuedMessage (action, localTransactionId, message, attempts, enqueuedAt, stampedBeforeClockSync)
                    VALUES (?, ?, ?, 0, ?, ?)
                    """,
                arguments: [message.action.rawValue, message.localTransactionID?.rawValue, text, now, stampedBeforeClockSync])
            return db.lastInsertedRowID
        }
    }

    /// The oldest queued message, if any.
    func oldestQueuedMessage() throws(StoreError) -> QueuedMessageRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM ocppQueuedMessage ORDER BY sequence LIMIT 1").map(Self.record)
        }
    }

    /// Every queued message, oldest first (diagnostics and tests).
    public func queuedMessages() throws(StoreError) -> [QueuedMessageRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ocppQueuedMessage ORDER BY sequence").map(Self.record)
        }
    }

    /// Sequence and action of every queued message, oldest first, for the admission policy.
    func queuedMessageSummaries() throws(StoreError) -> [QueuedMessageSummary] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, action FROM ocppQueuedMessage ORDER BY sequence").compactMap { row in
                OCPPAction(rawValue: row["action"]).map { QueuedMessageSummary(sequence: row["sequence"], action: $0) }
            }
        }
    }

    public func queuedMessageCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ocppQueuedMessage") ?? 0 }
    }

    /// Whether a transaction with this local id was started (and its StopTransaction not yet confirmed).
    func transactionIsKnown(_ local: LocalTransactionID) throws(StoreError) -> Bool {
        try read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM ocppTransaction WHERE localTransactionId = ?", arguments: [local.rawValue]) ?? 0 > 0
        }
    }

    /// Local id -> central transactionId for every transaction whose StartTransaction was confirmed.
    public func transactionIdMap() throws(StoreError) -> TransactionIdMap {
        try read { db in
            var map = TransactionIdMap()
            for row in try Row.fetchAll(
                db, sql: "SELECT localTransactionId, centralTransactionId FROM ocppTransaction WHERE centralTransactionId IS NOT NULL")
            {
                map.record(LocalTransactionID(row["localTransactionId"] as String), centralTransactionId: row["centralTransactionId"])
            }
            return map
        }
    }

    /// The central system confirmed the message: it leaves the queue. A confirmed
    /// StartTransaction records the central id in the same transaction; a confirmed
    /// StopTransaction ends the id mapping.
    func confirmQueuedMessage(_ sequence: Int64, startedAs centralID: (LocalTransactionID, Int)? = nil, stopped: LocalTransactionID? = nil) throws(StoreError) {
        try write { db in
            try db.execute(sql: "DELETE FROM ocppQueuedMessage WHERE sequence = ?", arguments: [sequence])
            if let (local, central) = centralID {
                try db.execute(
                    sql: "UPDATE ocppTransaction SET centralTransactionId = ? WHERE localTransactionId = ?",
                    arguments: [central, local.rawValue])
            }
            if let stopped {
                try db.execute(sql: "DELETE FROM ocppTransaction WHERE localTransactionId = ?", arguments: [stopped.rawValue])
            }
        }
    }

    /// Counts one failed attempt and returns the new total.
    func recordFailedAttempt(_ sequence: Int64) throws(StoreError) -> Int {
        try write { db in
            try db.execute(sql: "UPDATE ocppQueuedMessage SET attempts = attempts + 1 WHERE sequence = ?", arguments: [sequence])
            return try Int.fetchOne(db, sql: "SELECT attempts FROM ocppQueuedMessage WHERE sequence = ?", arguments: [sequence]) ?? 0
        }
    }

    /// Removes a message that will not be delivered (MeterValues given up), with its audit record.
    func discardQueuedMessage(_ sequence: Int64, audit: AuditRecord) throws(StoreError) {
        try write { db in
            try db.execute(sql: "DELETE FROM ocppQueuedMessage WHERE sequence = ?", arguments: [sequence])
            var audit = audit
            try audit.insert(db)
        }
    }
}
