import Foundation
import GRDB

/// The session table (migration "v3-sessions"): one row per session, the searchable fields as columns and the
/// whole record as JSON, so a record gains fields without a migration.
enum SessionStoreSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "session") { t in
            t.primaryKey("id", .text)
            t.column("connectorId", .integer).notNull()
            t.column("compartment", .text).notNull()
            // SessionState: every state but `closed` still acts on its compartment after a restart.
            t.column("state", .text).notNull().indexed()
            t.column("authorizedAt", .datetime).notNull().indexed()
            t.column("record", .text).notNull()
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()
}

extension SiteStore {
    /// Commits a session record (insert or replace); the controller acts on it only after this returns.
    public func saveSession(_ record: SessionRecord) throws(StoreError) {
        let json: String
        do {
            json = String(decoding: try SessionStoreSchema.encoder.encode(record), as: UTF8.self)
        } catch {
            throw .writeFailed(path: path, reason: "session \(record.id) could not be encoded: \(error)")
        }
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO session (id, connectorId, compartment, state, authorizedAt, record) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET state = excluded.state, record = excluded.record
                    """,
                arguments: [record.id, record.connectorId, record.compartment, record.state.rawValue, record.authorizedAt, json])
            try SessionStoreSchema.updateColumns(db, for: record)
        }
    }

    /// Every session that still acts on its compartment (not closed), oldest first.
    public func unclosedSessions() throws(StoreError) -> [SessionRecord] {
        try sessions(sql: "SELECT record FROM session WHERE state != 'closed' ORDER BY authorizedAt, rowid", arguments: [])
    }

    /// Sessions newest first; `activeOnly` leaves out closed ones.
    public func sessions(activeOnly: Bool, limit: Int) throws(StoreError) -> [SessionRecord] {
        let filter = activeOnly ? "WHERE state != 'closed'" : ""
        return try sessions(
            sql: "SELECT record FROM session \(filter) ORDER BY authorizedAt DESC, rowid DESC LIMIT ?", arguments: [limit])
    }

    private func sessions(sql: String, arguments: StatementArguments) throws(StoreError) -> [SessionRecord] {
        let texts = try read { db in try String.fetchAll(db, sql: sql, arguments: arguments) }
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
