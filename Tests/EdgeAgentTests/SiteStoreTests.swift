import Foundation
import GRDB
import Testing
@testable import EdgeAgent

@Suite("Site store")
struct SiteStoreTests {
    @Test("a new store is migrated, in WAL mode with synchronous=FULL, at the current schema version")
    func newStore() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        #expect(try store.schemaVersion() == StoreMigrations.schemaVersion)
        let settings = try store.durabilitySettings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 2)  // FULL
    }

    @Test("the state folder is created when missing")
    func createsFolder() throws {
        let parent = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let folder = parent + "/nested/state"
        let store = try SiteStore(folder: folder)
        store.close()
        #expect(FileManager.default.fileExists(atPath: folder + "/" + SiteStore.fileName))
    }

    @Test("reopening after an unclean stop keeps every committed record and reports the crash")
    func reopenAfterUncleanStop() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            // No close(), no endRun: what a kill -9 or a power cut leaves behind.
            let store = try SiteStore(folder: folder)
            _ = try store.beginRun(at: t0, version: "test")
            try store.appendAudit(AuditRecord(recordedAt: t0, actor: "operator:test", action: "unlock", target: "A1", reason: "stuck"))
        }
        let reopened = try SiteStore(folder: folder)
        defer { reopened.close() }
        let start = try reopened.beginRun(at: t0.addingTimeInterval(60), version: "test")
        #expect(start.previousEndedUncleanly)
        #expect(start.previous?.startedAt == t0)
        let audit = try reopened.auditRecords()
        #expect(audit.count == 1)
        #expect(audit.first?.target == "A1")
        #expect(audit.first?.reason == "stuck")
    }

    @Test("a clean stop is recorded and the next start sees it")
    func cleanStop() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let store = try SiteStore(folder: folder)
        let first = try store.beginRun(at: t0, version: "test")
        #expect(first.previous == nil)
        #expect(!first.previousEndedUncleanly)
        try store.endRun(first.runID, at: t0.addingTimeInterval(5))
        store.close()

        let again = try SiteStore(folder: folder)
        defer { again.close() }
        let second = try again.beginRun(at: t0.addingTimeInterval(10), version: "test")
        #expect(!second.previousEndedUncleanly)
        #expect(try again.runs().count == 2)
    }

    @Test("a store written by a newer edge-agent is refused and left untouched")
    func newerSchema() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SiteStore(folder: folder)
        try store.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        store.close()

        #expect(throws: StoreError.newerSchema(
            path: folder + "/" + SiteStore.fileName, unknownMigrations: ["v99-from-the-future"])) {
            try SiteStore(folder: folder)
        }
        let message = "\(StoreError.newerSchema(path: "/x", unknownMigrations: ["v99"]))"
        #expect(message.contains("newer edge-agent"))
        #expect(message.contains("--state-dir"))
    }

    @Test("a file that is not SQLite gives a clear error instead of being overwritten")
    func notADatabase() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + SiteStore.fileName
        let garbage = Data(repeating: 0x41, count: 4096)
        _ = FileManager.default.createFile(atPath: path, contents: garbage)
        #expect(throws: StoreError.notADatabase(path: path)) {
            try SiteStore(folder: folder)
        }
        #expect(FileManager.default.contents(atPath: path) == garbage)
    }

    @Test("a state folder that cannot be created names the folder and the fix")
    func folderNotWritable() throws {
        let parent = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        // A regular file where the folder should be: creation fails for root too.
        let blocked = parent + "/state"
        _ = FileManager.default.createFile(atPath: blocked, contents: Data())
        do {
            _ = try SiteStore(folder: blocked + "/inner")
            Issue.record("expected the store to refuse the folder")
        } catch {
            guard case let .folderNotWritable(path, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path.hasSuffix("/state/inner"))
            #expect("\(error)".contains("--state-dir"))
        }
    }

    @Test("audit records come back newest first with who, what and why")
    func auditOrder() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<3 {
            try store.appendAudit(AuditRecord(
                recordedAt: t0.addingTimeInterval(Double(index)), actor: "operator:ops", action: "unlock",
                target: "A\(index)", reason: "reason \(index)"))
        }
        let records = try store.auditRecords(limit: 2)
        #expect(records.map(\.target) == ["A2", "A1"])
        #expect(records.allSatisfy { $0.id != nil })
    }
}
