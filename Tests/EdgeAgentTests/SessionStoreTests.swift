import Foundation
import Testing
@testable import EdgeAgent

@Suite("Session store")
struct SessionStoreTests {
    func record(_ id: String, compartment: String, at date: Date) -> SessionRecord {
        SessionRecord(
            id: id, connectorId: 1, compartment: compartment, idTag: "04A2B3C4D5", parentIdTag: "FAMILY",
            authorizationMethod: .rfidSharedReader, authorizationSource: "centralSystem", authorizedAt: date, occupiedSince: date - 10)
    }

    @Test func aSavedSessionSurvivesReopeningAndUpdatesInPlace() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var first = record("s1", compartment: "A1", at: start)
        do {
            let store = try SiteStore(folder: folder)
            defer { store.close() }
            try store.saveSession(first)
            first.state = .charging
            first.relayOn = true
            first.meterStartWh = 1200
            first.localTransactionId = "tx-1"
            try store.saveSession(first)
            var closed = record("s0", compartment: "A2", at: start - 100)
            closed.state = .closed
            closed.stopReason = .local
            try store.saveSession(closed)
        }
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        #expect(try store.unclosedSessions() == [first])
        let all = try store.sessions(activeOnly: false, limit: 10)
        #expect(all.map(\.id) == ["s1", "s0"])
        #expect(try store.sessions(activeOnly: true, limit: 10).map(\.id) == ["s1"])
    }

    @Test func summariesMaskTheIdTag() {
        let summary = SessionSummary(record("s1", compartment: "A1", at: Date()), now: Date())
        #expect(summary.idTag == "******C4D5")
        #expect(SessionSummary.mask("12") == "**")
    }
}
