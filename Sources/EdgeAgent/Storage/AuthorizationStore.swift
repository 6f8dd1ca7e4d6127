import Foundation
import GRDB
import OCPP

/// The local authorization list and the authorization cache in the site store (invariant 5: a
/// list update is committed before it is acknowledged, all or nothing).
extension SiteStore {
    /// Thrown inside a write transaction to roll a list update back.
    private struct ListTooLong: Error { let size: Int }

    private static func info(_ row: Row) -> IdTagInfo? {
        guard let status = AuthorizationStatus(rawValue: row["status"]) else { return nil }
        return IdTagInfo(status: status, expiryDate: row["expiryDate"], parentIdTag: row["parentIdTag"])
    }

    // MARK: Local authorization list

    /// The list's version: 0 until the first SendLocalList.
    public func localAuthorizationListVersion() throws(StoreError) -> Int {
        try read { db in try Self.listVersion(db) }
    }

    public func localAuthorizationListSize() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM localAuthorizationEntry") ?? 0 }
    }

    /// The idTag's entry in the local list (case-insensitive).
    public func localAuthorizationEntry(for idTag: String) throws(StoreError) -> IdTagInfo? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM localAuthorizationEntry WHERE idTag = ?", arguments: [idTag]).flatMap(Self.info)
        }
    }

    /// The idTag's list and cache entries, read together.
    public func authorizationEntries(for idTag: String) throws(StoreError) -> (list: IdTagInfo?, cache: IdTagInfo?) {
        try read { db in
            let list = try Row.fetchOne(
                db, sql: "SELECT * FROM localAuthorizationEntry WHERE idTag = ?", arguments: [idTag]).flatMap(Self.info)
            let cache = try Row.fetchOne(
                db, sql: "SELECT * FROM authorizationCacheEntry WHERE idTag = ?", arguments: [idTag]).flatMap(Self.info)
            return (list, cache)
        }
    }

    /// Applies a SendLocalList in one transaction: a full update replaces the list, a differential one
    /// upserts entries with idTagInfo and deletes those without. Any refusal leaves list and version as
    /// they were.
    public func applyLocalListUpdate(_ request: SendLocalListRequest, limits: LocalListLimits) throws(StoreError) -> LocalListUpdateResult {
        do {
            return try database.write { db in
                let version = try Self.listVersion(db)
                if let (status, reason) = LocalListUpdateRules.refusal(of: request, currentVersion: version, limits: limits) {
                    let size = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM localAuthorizationEntry") ?? 0
                    return LocalListUpdateResult(status: status, reason: reason, version: version, size: size)
                }
                if request.updateType == .full { try db.execute(sql: "DELETE FROM localAuthorizationEntry") }
                let upsert = try db.cachedStatement(sql: """
                    INSERT INTO localAuthorizationEntry (idTag, status, expiryDate, parentIdTag) VALUES (?, ?, ?, ?)
                    ON CONFLICT(idTag) DO UPDATE SET idTag = excluded.idTag, status = excluded.status,
                        expiryDate = excluded.expiryDate, parentIdTag = excluded.parentIdTag
                    """)
                let delete = try db.cachedStatement(sql: "DELETE FROM localAuthorizationEntry WHERE idTag = ?")
                for entry in request.localAuthorizationList ?? [] {
                    if let info = entry.idTagInfo {
                        try upsert.execute(arguments: [entry.idTag, info.status.rawValue, info.expiryDate, info.parentIdTag])
                    } else {
                        try delete.execute(arguments: [entry.idTag])
                    }
                }
                let size = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM localAuthorizationEntry") ?? 0
                if size > limits.localAuthListMaxLength { throw ListTooLong(size: size) }
                try db.execute(sql: "UPDATE localAuthorizationListVersion SET version = ? WHERE id = 1", arguments: [request.listVersion])
                let entries = request.localAuthorizationList?.count ?? 0
                return LocalListUpdateResult(
                    status: .accepted, reason: "\(request.updateType.rawValue) update with \(entries) entries applied",
                    version: request.listVersion, size: size)
            }
        } catch let tooLong as ListTooLong {
            let version = try localAuthorizationListVersion()
            return LocalListUpdateResult(
                status: .failed,
                reason: "the list would hold \(tooLong.size) entries; LocalAuthListMaxLength is \(limits.localAuthListMaxLength)",
                version: version, size: try localAuthorizationListSize())
        } catch {
            throw .writeFailed(path: path, reason: Self.reason(error))
        }
    }

    private static func listVersion(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT version FROM localAuthorizationListVersion WHERE id = 1") ?? 0
    }

    // MARK: Authorization cache

    public func authorizationCacheEntry(for idTag: String) throws(StoreError) -> IdTagInfo? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM authorizationCacheEntry WHERE idTag = ?", arguments: [idTag]).flatMap(Self.info)
        }
    }

    public func authorizationCacheSize() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM authorizationCacheEntry") ?? 0 }
    }

    /// Stores an idTagInfo from the central system as the most recently used entry, then evicts the
    /// least recently used entries beyond `capacity`.
    public func recordInAuthorizationCache(_ info: IdTagInfo, for idTag: String, capacity: Int) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO authorizationCacheEntry (idTag, status, expiryDate, parentIdTag, lastUsed)
                    VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(lastUsed), 0) + 1 FROM authorizationCacheEntry))
                    ON CONFLICT(idTag) DO UPDATE SET status = excluded.status, expiryDate = excluded.expiryDate,
                        parentIdTag = excluded.parentIdTag, lastUsed = excluded.lastUsed
                    """,
                arguments: [idTag, info.status.rawValue, info.expiryDate, info.parentIdTag])
            let size = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM authorizationCacheEntry") ?? 0
            if size > capacity {
                try db.execute(
                    sql: "DELETE FROM authorizationCacheEntry WHERE idTag IN (SELECT idTag FROM authorizationCacheEntry ORDER BY lastUsed LIMIT ?)",
                    arguments: [size - max(0, capacity)])
            }
        }
    }

    /// A cache entry was used for a decision: it becomes the most recently used.
    public func markAuthorizationCacheEntryUsed(_ idTag: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE authorizationCacheEntry SET lastUsed = (SELECT MAX(lastUsed) + 1 FROM authorizationCacheEntry) WHERE idTag = ?",
                arguments: [idTag])
        }
    }

    /// ClearCache: every cache entry goes (the local list stays).
    public func clearAuthorizationCache() throws(StoreError) {
        try write { db in try db.execute(sql: "DELETE FROM authorizationCacheEntry") }
    }
}
