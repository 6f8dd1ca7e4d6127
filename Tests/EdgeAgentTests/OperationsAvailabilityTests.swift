import Foundation
import OCPP
import Testing
@testable import EdgeAgent

@Suite("Operations: availability rules and the inoperative compartment")
struct OperationsAvailabilityTests {
    let connectors: Set<Int> = [1, 2, 3, 13]

    @Test func aFreeConnectorIsAcceptedAndOnlyItChanges() {
        let decision = AvailabilityRules.decide(connectorId: 2, type: .inoperative, connectors: connectors, occupied: [1])
        #expect(decision == AvailabilityDecision(status: .accepted, changes: [2: false]))
    }

    @Test func aConnectorWithASessionIsScheduled() {
        let decision = AvailabilityRules.decide(connectorId: 1, type: .inoperative, connectors: connectors, occupied: [1])
        #expect(decision.status == .scheduled)
        #expect(decision.changes == [1: false])
    }

    @Test func makingABusyConnectorOperativeIsAccepted() {
        let decision = AvailabilityRules.decide(connectorId: 1, type: .operative, connectors: connectors, occupied: [1])
        #expect(decision.status == .accepted)
    }

    @Test func anUnknownConnectorIsRejectedAndChangesNothing() {
        let decision = AvailabilityRules.decide(connectorId: 7, type: .inoperative, connectors: connectors, occupied: [])
        #expect(decision == AvailabilityDecision(status: .rejected, changes: [:]))
    }

    @Test func connectorZeroIsTheChargePointAndEveryConnector() {
        let idle = AvailabilityRules.decide(connectorId: 0, type: .inoperative, connectors: connectors, occupied: [])
        #expect(idle.status == .accepted)
        #expect(idle.changes == [0: false, 1: false, 2: false, 3: false, 13: false])
        let busy = AvailabilityRules.decide(connectorId: 0, type: .inoperative, connectors: connectors, occupied: [13])
        #expect(busy.status == .scheduled)
    }

    @Test func theStateShowsScheduledUntilTheSessionEnds() {
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let stored = [1: ConnectorAvailability(connectorId: 1, operative: false, changedAt: at, actor: "central-system", reason: "x")]
        #expect(AvailabilityRules.state(of: 1, in: stored, occupied: [1]) == .scheduled)
        #expect(AvailabilityRules.state(of: 1, in: stored, occupied: []) == .inoperative)
        #expect(AvailabilityRules.state(of: 2, in: stored, occupied: []) == .operative)
        let site = [0: ConnectorAvailability(connectorId: 0, operative: false, changedAt: at, actor: "operator:local-api", reason: "y")]
        #expect(!AvailabilityRules.isOperative(2, in: site))
    }

    @Test func availabilityAndItsAuditRecordAreStoredTogetherAndSurviveReopening() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            let store = try SiteStore(folder: folder)
            try store.setConnectorAvailability(
                [ConnectorAvailability(connectorId: 3, operative: false, changedAt: at, actor: "central-system", reason: "repair")],
                audit: AuditRecord(recordedAt: at, actor: "central-system", action: "availability", target: "connector 3"))
            store.close()
        }
        let reopened = try SiteStore(folder: folder)
        defer { reopened.close() }
        let stored = try reopened.connectorAvailability()
        #expect(stored[3]?.operative == false && stored[3]?.reason == "repair" && stored[3]?.changedAt == at)
        #expect(stored[1] == nil)
        #expect(try reopened.auditRecords(limit: 5).contains { $0.action == "availability" && $0.target == "connector 3" })
    }

    @Test func anInoperativeFreeCompartmentRefusesACardAndShowsUnavailable() {
        var driver = SessionDriver()
        driver.machine.operative = false
        #expect(driver.machine.status == .unavailable)
        driver.door(closed: false, locked: false)
        driver.door(closed: true, locked: true, after: 5)
        #expect(driver.machine.status == .unavailable)
        let out = driver.card("CARD1")
        #expect(out.feedback == [.unavailable])
        #expect(out.persisted.isEmpty && driver.machine.openSession == nil)
    }

    @Test func aRunningSessionGoesOnAndTheOwnerStillEndsIt() {
        var driver = SessionDriver()
        driver.startCharging()
        #expect(driver.machine.status == .charging)
        driver.machine.operative = false  // Scheduled
        driver.send(.tick, after: 1)
        #expect(driver.machine.status == .charging)
        let ended = driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil))
        #expect(ended.stops == [.local] && ended.unlocks == [.owner])
        #expect(driver.machine.status == .finishing)
        driver.door(closed: false, locked: false, after: 2)
        driver.door(closed: true, locked: false, after: 2)
        #expect(driver.machine.status == .unavailable)
    }

    @Test func aResetStopsTheTransactionAndKeepsTheDoorLocked() throws {
        var driver = SessionDriver()
        driver.startCharging()
        let out = driver.send(.stopTransactionKeepingDoor(reason: .softReset))
        #expect(out.stops == [.softReset])
        #expect(out.unlocks.isEmpty && out.relays == [false])
        let open = try #require(driver.machine.openSession)
        #expect(open.transactionStoppedAt != nil && open.stopReason == .softReset)
        // Stopped once: a second stop, or the owner's card later, sends no second StopTransaction.
        #expect(driver.send(.stopTransactionKeepingDoor(reason: .hardReset)).stops.isEmpty)
        let ended = driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil))
        #expect(ended.stops.isEmpty && ended.unlocks == [.owner])
    }
}
