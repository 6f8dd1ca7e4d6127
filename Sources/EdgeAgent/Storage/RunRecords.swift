import Foundation
import GRDB

/// One start of the daemon, as the store remembers it.
public struct RunRecord: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"
    public var id: Int64?
    public var startedAt: Date
    public var stoppedAt: Date?
    public var version: String

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// What the store knew about the previous run when this one started.
public struct RunStart: Sendable, Equatable {
    /// This run's id in the store.
    public let runID: Int64
    /// The run before this one, if any.
    public let previous: RunRecord?
    /// True when the previous run ended without a clean stop (crash, kill -9, power loss).
    public var previousEndedUncleanly: Bool { previous.map { $0.stoppedAt == nil } ?? false }
}

extension SiteStore {
    /// Records the start of a run and reports how the previous one ended.
    public func beginRun(at now: Date, version: String) throws(StoreError) -> RunStart {
        try write { db in
            let previous = try RunRecord.order(Column("id").desc).fetchOne(db)
            var run = RunRecord(id: nil, startedAt: now, stoppedAt: nil, version: version)
            try run.insert(db)
            return RunStart(runID: run.id ?? 0, previous: previous)
        }
    }

    /// Marks a run as cleanly stopped.
    public func endRun(_ runID: Int64, at now: Date) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE run SET stoppedAt = ? WHERE id = ?", arguments: [now, runID])
        }
    }

    /// All runs, oldest first.
    public func runs() throws(StoreError) -> [RunRecord] {
        try read { db in try RunRecord.order(Column("id")).fetchAll(db) }
    }
}
