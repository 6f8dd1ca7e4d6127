import Foundation
import MeterBus
import Testing
@testable import EdgeAgent

/// The control loop inside the site controller, driven with meter statuses and session inputs by hand.
@Suite("Balancing: the control loop in the site controller")
struct BalancingControlTests {
    static func withSite(_ body: (SiteController) async throws -> Void) async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = try simulatedSite(stateFolder: folder)
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        let now = Date()
        let site = SiteController(
            configuration: configuration, store: store, runStart: try store.beginRun(at: now, version: "test"),
            startedAt: now, logger: quietLogger)
        await site.startSessions(uplink: nil)
        try await body(site)
    }

    static func grid(amps: Double, at time: Date) -> MeterStatus {
        MeterStatus(
            device: MeteredDevice(role: .grid, name: "grid", bus: "sim-modbus", unit: 100, profile: "eastron-sdm630"),
            values: [
                MeterValue(name: "current-l1", value: amps, unit: "A", measurand: .currentImport, phase: .l1),
                MeterValue(name: "current-l2", value: 0, unit: "A", measurand: .currentImport, phase: .l2),
                MeterValue(name: "current-l3", value: 0, unit: "A", measurand: .currentImport, phase: .l3),
                MeterValue(name: "power", value: amps * 230, unit: "W", measurand: .powerActiveImport),
            ],
            time: time, ageSeconds: 0, stale: false, lastError: nil)
    }

    /// A driver puts things in and a card is accepted: the door reads closed and locked, so charging starts.
    static func startSession(_ site: SiteController, _ name: String) async {
        await site.feedSession(name, .hardware(DoorLockReading(doorClosed: true, locked: false)))  // released
        await site.feedSession(name, .hardware(DoorLockReading(doorClosed: false, locked: false)))
        await site.feedSession(name, .hardware(DoorLockReading(doorClosed: true, locked: true)))
        let outcome = AuthorizationOutcome(status: .accepted, parentIdTag: nil, source: .localList)
        await site.feedSession(name, .cardAuthorized(
            idTag: "CARD-\(name)", outcome: outcome, method: .rfid, sessionId: UUID().uuidString.lowercased()))
    }

    static func status(_ site: SiteController, _ name: String) async -> String {
        await site.sessionConnectorStatus(name)
    }

    @Test func aBuildingLoadPausesTheLaterSessionAndAnEndedSessionLetsItResume() async throws {
        try await Self.withSite { site in
            let t0 = Date()
            // 28 A of building on L1 leave 4 A: one compartment of 500 W (2.17 A), not two.
            await site.startBalancing(meters: [Self.grid(amps: 28, at: t0)], at: t0)
            let first = await site.balancingReport(at: t0)
            #expect(first.trigger == "start" && first.grid?.onSafeLimit == false)
            #expect(abs((first.grid?.baseLoadAmps.L1 ?? 0) - 28) < 0.01)
            #expect(first.consumers.count == 14 && first.consumers.allSatisfy { $0.reason == "noSession" && !$0.allowed })

            await Self.startSession(site, "A1")
            #expect(await Self.status(site, "A1") == "Charging")
            await Self.startSession(site, "A2")
            #expect(await Self.status(site, "A2") == "SuspendedEVSE")  // decided before the start: never switched on
            #expect(await site.balancingSetpoint(connectorId: 2)?.allowed == false)
            #expect(await site.balancingSetpoint(connectorId: 2)?.reason == "minimumNotReachable")
            #expect(await site.balancingSetpoint(connectorId: 1)?.allowed == true)
            #expect(await site.status().balancing?.pausedConnectors == [2])

            await site.feedSession("A1", .stopWithCard(idTag: "CARD-A1", parentIdTag: nil))
            #expect(await Self.status(site, "A1") == "Finishing")
            #expect(await Self.status(site, "A2") == "Charging")  // at once, not at the next interval
            #expect(await site.balancingReport(at: Date()).trigger == "request")
        }
    }

    @Test func aStaleGridMeterBringsTheSafeLimitAtItsStalenessLimitAndSaysWhy() async throws {
        try await Self.withSite { site in
            let t0 = Date()
            let reading = Self.grid(amps: 5, at: t0)
            await site.startBalancing(meters: [reading], at: t0)
            for name in ["B1", "B2", "B3"] { await Self.startSession(site, name) }  // 4.35 A each
            #expect(await site.status().balancing?.pausedConnectors == [])

            // No new reading: one second before the staleness limit nothing changes, at the limit the safe
            // limit (10 A) applies and the latest session gives way.
            await site.balancingPump(meters: [reading], at: t0.addingTimeInterval(14))
            #expect(await site.balancingReport().grid?.onSafeLimit == false)
            await site.balancingPump(meters: [reading], at: t0.addingTimeInterval(15))
            let report = await site.balancingReport()
            let grid = try #require(report.grid)
            #expect(grid.onSafeLimit && grid.availableAmps?.L1 == 10)
            #expect(grid.safeLimitSince == t0.addingTimeInterval(15))
            #expect(grid.safeLimitReason?.contains("stale") == true && grid.safeLimitReason?.contains("10 A") == true)
            #expect(report.failSafeWithinSeconds == 16)
            let b3 = try #require(report.consumers.first { $0.name == "B3" })
            #expect(!b3.allowed && b3.reason == "staleMeterFallback" && b3.limitedBy == "grid")
            #expect(await Self.status(site, "B3") == "SuspendedEVSE")
            #expect(grid.allocatedAmps.L1 <= 10)

            // A fresh reading again: back to the grid limit, and B3 resumes.
            await site.balancingPump(meters: [Self.grid(amps: 5, at: t0.addingTimeInterval(20))], at: t0.addingTimeInterval(20.5))
            #expect(await site.balancingReport().grid?.onSafeLimit == false)
            #expect(await Self.status(site, "B3") == "Charging")
        }
    }

    @Test func aNewGridReadingAboveTheLimitTriggersADecisionBeforeTheInterval() async throws {
        try await Self.withSite { site in
            let t0 = Date()
            await site.startBalancing(meters: [Self.grid(amps: 5, at: t0)], at: t0)
            await site.balancingPump(meters: [Self.grid(amps: 5, at: t0.addingTimeInterval(1))], at: t0.addingTimeInterval(1))
            #expect(await site.balancingReport().decidedAt == t0)  // nothing due yet
            await site.balancingPump(meters: [Self.grid(amps: 33, at: t0.addingTimeInterval(2))], at: t0.addingTimeInterval(2))
            let report = await site.balancingReport()
            #expect(report.trigger == "gridAboveLimit" && report.decidedAt == t0.addingTimeInterval(2))
            await site.balancingPump(meters: [Self.grid(amps: 33, at: t0.addingTimeInterval(2))], at: t0.addingTimeInterval(3))
            #expect(await site.balancingReport().decidedAt == t0.addingTimeInterval(2))  // the same reading: once
            await site.balancingPump(meters: [Self.grid(amps: 5, at: t0.addingTimeInterval(2))], at: t0.addingTimeInterval(7))
            #expect(await site.balancingReport().trigger == "interval")
        }
    }
}
