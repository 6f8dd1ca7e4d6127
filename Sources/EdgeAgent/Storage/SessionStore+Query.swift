import Foundation
import GRDB

/// Which sessions `GET /v1/sessions` and the export want. A session belongs to the time it started
/// (`authorizedAt`): `from` inclusive, `to` exclusive.
public struct SessionQuery: Sendable, Equatable {
    public var activeOnly = false
    public var from: Date?
    public var to: Date?
    /// The compartment's configured name (exact).
    public var compartment: String?
    /// The owner's card, compared ignoring case.
    public var idTag: String?
    public var limit = 100
    /// Newest first (the list), or oldest first (the export).
    public var newestFirst = true

    public init(
        activeOnly: Bool = false, from: Date? = nil, to: Date? = nil, compartment: String? = nil, idTag: String? = nil,
        limit: Int = 100, newestFirst: Bool = true
    ) {
        self.activeOnly = activeOnly
        self.from = from
        self.to = to
        self.compartment = compartment
        self.idTag = idTag
        self.limit = limit
        self.newestFirst = newestFirst
    }
}

extension SessionStoreSchema {
    /// Migration "T-session-amounts": the owner's card, the end and the amount as columns, for filters and for
    /// reports straight from SQL (the record's JSON stays the whole truth). Filled in for existing sessions.
    static func addAmounts(_ db: Database) throws {
        try db.alter(table: "session") { t in
            t.add(column: "idTag", .text)
            t.add(column: "stoppedAt", .datetime)
            t.add(column: "amount", .text)
            t.add(column: "currency", .text)
        }
        try db.create(index: "session_on_idTag", on: "session", columns: ["idTag"])
        // Dates in the JSON are milliseconds since 1970; columns hold GRDB's "yyyy-MM-dd HH:mm:ss.SSS" (UTC).
        try db.execute(sql: """
            UPDATE session SET
              idTag = json_extract(record, '$.idTag'),
              stoppedAt = CASE WHEN json_extract(record, '$.stoppedAt') IS NULL THEN NULL
                ELSE strftime('%Y-%m-%d %H:%M:%f', json_extract(record, '$.stoppedAt') / 1000.0, 'unixepoch') END
            """)
    }

    /// Keeps the columns of "T-session-amounts" in step with the record (called right after every save).
    static func updateColumns(_ db: Database, for record: SessionRecord) throws {
        try db.execute(
            sql: "UPDATE session SET idTag = ?, stoppedAt = ?, amount = ?, currency = ? WHERE id = ?",
            arguments: [record.idTag, record.stoppedAt, record.amount.map { "\($0)" }, record.currency, record.id])
    }
}

extension SiteStore {
    /// Sessions matching `query`, in its order.
    public func sessions(matching query: SessionQuery) throws(StoreError) -> [SessionRecord] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if query.activeOnly { conditions.append("state != 'closed'") }
        if let from = query.from {
            conditions.append("authorizedAt >= ?")
            arguments.append(from)
        }
        if let to = query.to {
            conditions.append("authorizedAt < ?")
            arguments.append(to)
        }
        if let compartment = query.compartment {
            conditions.append("compartment = ?")
            arguments.append(compartment)
        }
        if let idTag = query.idTag {
            conditions.append("idTag = ? COLLATE NOCASE")
            arguments.append(idTag)
        }
        arguments.append(query.limit)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let order = query.newestFirst ? "DESC" : "ASC"
        let sql = "SELECT record FROM session \(filter) ORDER BY authorizedAt \(order), rowid \(order) LIMIT ?"
        let texts = try read { db in
            try String.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        }
        var records: [SessionRecord] = []
        for text in texts {
            do {
                records.append(try SessionStoreSchema.decoder.decode(SessionRecord.self, from: Data(text.utf8)))
            } catch {
                throw .unreadable(path: path, reason: "a stored session cannot be read: \(error)")
            }
        }
        return records
    }
}
