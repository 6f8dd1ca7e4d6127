import Foundation
import GRDB
import Testing
@testable import EdgeAgent

@Suite("Session store: filters and the T-session-amounts columns")
struct SessionQueryTests {
    static let day = Date(timeIntervalSince1970: 1_800_000_000)

    func store() throws -> (SiteStore, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("session-query-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (try SiteStore(folder: folder.path), folder)
    }

    func record(_ id: String, _ compartment: String, _ idTag: String, at offset: TimeInterval, closed: Bool = true) -> SessionRecord {
        var record = SessionRecord(
            id: id, connectorId: 1, compartment: compartment, idTag: idTag, parentIdTag: nil, authorizationMethod: .rfid,
            authorizationSource: "localList", authorizedAt: Self.day + offset, occupiedSince: Self.day + offset)
        record.state = closed ? .closed : .charging
        if closed {
            record.stoppedAt = Self.day + offset + 600
            record.amount = Decimal(string: "1.5")!
            record.currency = "EUR"
        }
        return record
    }

    @Test func filtersSelectByStartTimeCompartmentCardAndActivity() throws {
        let (store, folder) = try store()
        defer { try? FileManager.default.removeItem(at: folder) }
        try store.saveSession(record("a", "A1", "CARD1", at: 0))
        try store.saveSession(record("b", "A2", "card1", at: 3600))
        try store.saveSession(record("c", "A1", "CARD2", at: 7200))
        try store.saveSession(record("d", "A1", "CARD1", at: 10_800, closed: false))
        func ids(_ query: SessionQuery) throws -> [String] { try store.sessions(matching: query).map(\.id) }
        #expect(try ids(SessionQuery()) == ["d", "c", "b", "a"])
        #expect(try ids(SessionQuery(newestFirst: false)) == ["a", "b", "c", "d"])
        #expect(try ids(SessionQuery(activeOnly: true)) == ["d"])
        #expect(try ids(SessionQuery(from: Self.day + 3600, to: Self.day + 10_800)) == ["c", "b"])  // to is exclusive
        #expect(try ids(SessionQuery(compartment: "A1")) == ["d", "c", "a"])
        #expect(try ids(SessionQuery(idTag: "CARD1")) == ["d", "b", "a"])  // ignoring case
        #expect(try ids(SessionQuery(limit: 2)) == ["d", "c"])
        #expect(try ids(SessionQuery(from: Self.day + 20_000)).isEmpty)
    }

    @Test func theColumnsFollowTheRecord() throws {
        let (store, folder) = try store()
        defer { try? FileManager.default.removeItem(at: folder) }
        var open = record("a", "A1", "CARD1", at: 0, closed: false)
        try store.saveSession(open)
        open.state = .closed
        open.stoppedAt = Self.day + 60
        open.amount = Decimal(string: "2.80")!
        open.currency = "EUR"
        try store.saveSession(open)
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("edge-agent.sqlite").path)
        let row = try #require(try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT idTag, stoppedAt, amount, currency FROM session WHERE id = 'a'")
        })
        #expect(row["idTag"] as String? == "CARD1" && row["amount"] as String? == "2.8" && row["currency"] as String? == "EUR")
        #expect(row["stoppedAt"] as Date? == Self.day + 60)
        #expect(try store.sessions(matching: SessionQuery()).first?.amount == Decimal(string: "2.8")!)
    }
}
