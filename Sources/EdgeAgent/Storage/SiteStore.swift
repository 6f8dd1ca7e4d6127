import Foundation
import GRDB
import Logging

/// The single SQLite file that holds everything the site must not forget: runs, the audit log, and (as later
/// modules land) sessions, the offline message queue, the local authorization list and configuration keys.
///
/// Durability first: WAL with `synchronous=FULL`, so a record is on disk before the call returns and a power
/// cut never loses an acknowledged write.
public final class SiteStore: Sendable {
    public static let fileName = "edge-agent.sqlite"

    public let path: String
    let database: DatabasePool
    /// Every audit record as it is committed, for the live event stream (LocalAPI/LiveEvent.swift).
    public let auditFeed = Broadcaster<AuditRecord>()

    /// Opens (creating if needed) the store in `folder` and brings its schema up to date.
    public init(folder: String, logger: Logger = Logger(label: "edge-agent.store")) throws(StoreError) {
        let folderURL = URL(fileURLWithPath: folder, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folderURL, withIntermediateDirectories: true)
        } catch {
            throw .folderNotWritable(path: folderURL.path, reason: Self.reason(error))
        }
        guard FileManager.default.isWritableFile(atPath: folderURL.path) else {
            throw .folderNotWritable(path: folderURL.path, reason: "permission denied")
        }
        let path = folderURL.appendingPathComponent(Self.fileName).path
        self.path = path

        var configuration = Configuration()
        configuration.label = "edge-agent.store"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw .notADatabase(path: path)
        } catch {
            throw .unreadable(path: path, reason: Self.reason(error))
        }

        let migrator = StoreMigrations.migrator
        do {
            let unknown = try database.read { db -> [String] in
                guard try migrator.hasBeenSuperseded(db) else { return [] }
                let known = Set(migrator.migrations)
                return try migrator.appliedIdentifiers(db).subtracting(known).sorted()
            }
            if !unknown.isEmpty {
                throw StoreError.newerSchema(path: path, unknownMigrations: unknown)
            }
            try migrator.migrate(database)
            try database.write { db in
                try db.execute(sql: "PRAGMA user_version = \(StoreMigrations.schemaVersion)")
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw .notADatabase(path: path)
        } catch {
            throw .unreadable(path: path, reason: Self.reason(error))
        }
        logger.debug("store opened", metadata: ["path": "\(path)", "schemaVersion": "\(StoreMigrations.schemaVersion)"])
    }

    /// The schema version recorded in the file (`PRAGMA user_version`).
    public func schemaVersion() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }

    /// The journal mode and synchronous level in force, for diagnostics and tests.
    public func durabilitySettings() throws(StoreError) -> (journalMode: String, synchronous: Int) {
        try read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            )
        }
    }

    /// Runs a read with store errors mapped to `StoreError`.
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw .unreadable(path: path, reason: Self.reason(error))
        }
    }

    /// Runs a write transaction with store errors mapped to `StoreError`.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try database.write(body)
        } catch {
            throw .writeFailed(path: path, reason: Self.reason(error))
        }
    }

    /// Flushes the WAL into the main file so a clean stop leaves one self-contained database.
    public func close() {
        _ = try? database.writeWithoutTransaction { db in
            try db.checkpoint(.truncate)
        }
        try? database.close()
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return (error as NSError).localizedDescription
    }
}
