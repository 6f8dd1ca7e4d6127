import Foundation
import LoadBalancing
import Logging
import OCPP
import Testing
@testable import EdgeAgent

/// Records what smart charging hands to load balancing.
actor LimitRecorder: CentralLimitReceiving {
    private(set) var received: [[CentralLimit]] = []
    func receiveCentralLimits(_ limits: [CentralLimit]) { received.append(limits) }
    var latest: [CentralLimit] { received.last ?? [] }
}

/// A wall clock the test moves by hand.
actor ManualWallClock {
    private(set) var now: Date
    init(_ now: Date) { self.now = now }
    func advance(by seconds: TimeInterval) { now = now.addingTimeInterval(seconds) }
}

@Suite("Smart charging in the daemon: profiles stored, transactions followed, limits handed to balancing")
struct SmartChargingServiceTests {
    let start = Date(timeIntervalSince1970: 1_772_524_800)  // 2026-03-03T08:00:00Z
    let electrics: [Int: ConnectorElectrics] = [
        0: ConnectorElectrics(phases: 3, maxCurrent: 63),
        1: ConnectorElectrics(phases: 1, maxCurrent: 16),
        2: ConnectorElectrics(phases: 3, maxCurrent: 32),
    ]

    func profile(
        id: Int, level: Int = 0, purpose: ChargingProfilePurposeType = .txDefaultProfile, kind: ChargingProfileKindType = .absolute,
        start: Date? = nil, unit: ChargingRateUnitType = .amperes, periods: [(Int, Double)]
    ) -> ChargingProfile {
        ChargingProfile(
            chargingProfileId: id, stackLevel: level, chargingProfilePurpose: purpose, chargingProfileKind: kind,
            chargingSchedule: ChargingSchedule(
                startSchedule: start, chargingRateUnit: unit,
                chargingSchedulePeriod: periods.map { ChargingSchedulePeriod(startPeriod: $0.0, limit: $0.1) }))
    }

    func makeService(folder: String, clock: ManualWallClock) throws -> (SmartCharging, SiteStore) {
        let store = try SiteStore(folder: folder)
        let service = SmartCharging(
            store: store, capabilities: SmartChargingCapabilities(), electrics: electrics, logger: Logger(label: "test"),
            clock: { await clock.now })
        return (service, store)
    }

    func set(_ service: SmartCharging, _ profile: ChargingProfile, connector: Int) async -> ChargingProfileStatus {
        await service.setChargingProfile(SetChargingProfileRequest(connectorId: connector, csChargingProfiles: profile)).status
    }

    @Test("stacked ChargePointMax and TxDefault profiles: limits in force reach balancing and survive a restart")
    func stackedProfilesPersist() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let clock = ManualWallClock(start)
        let recorder = LimitRecorder()
        let (service, store) = try makeService(folder: folder, clock: clock)
        await service.start(receiver: recorder)
        #expect(await recorder.latest.isEmpty)

        #expect(await set(service, profile(id: 1, purpose: .chargePointMaxProfile, start: start, periods: [(0, 20)]), connector: 0) == .accepted)
        #expect(await set(service, profile(id: 2, start: start, periods: [(0, 10)]), connector: 0) == .accepted)
        #expect(await set(service, profile(id: 3, level: 1, start: start, periods: [(0, 6)]), connector: 2) == .accepted)
        #expect(await recorder.latest == [
            CentralLimit(consumer: nil, limit: 20, unit: .amperes),
            CentralLimit(consumer: "connector-1", limit: 10, unit: .amperes),
            CentralLimit(consumer: "connector-2", limit: 6, unit: .amperes),
        ])
        // Committed before confirmed, with an audit record each.
        #expect(try store.chargingProfiles().map(\.id) == [1, 2, 3])
        #expect(try store.auditRecords(limit: 10).filter { $0.action == "set-charging-profile" }.count == 3)
        store.close()

        let (restarted, _) = try makeService(folder: folder, clock: clock)
        let afterRestart = LimitRecorder()
        await restarted.start(receiver: afterRestart)
        #expect(await afterRestart.latest.count == 3)
        #expect(await restarted.report().profiles.map(\.profile.chargingProfileId) == [1, 2, 3])
    }

    @Test("rejections: stack level, unit, TxProfile without a transaction; ChargePointMax on a connector")
    func rejections() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (service, store) = try makeService(folder: folder, clock: ManualWallClock(start))
        #expect(await set(service, profile(id: 1, level: 11, periods: [(0, 10)]), connector: 0) == .rejected)
        #expect(await set(service, profile(id: 1, unit: .watts, periods: [(0, 3000)]), connector: 0) == .rejected)
        #expect(await set(service, profile(id: 1, purpose: .txProfile, periods: [(0, 10)]), connector: 1) == .rejected)
        #expect(await set(service, profile(id: 1, purpose: .chargePointMaxProfile, periods: [(0, 10)]), connector: 1) == .rejected)
        #expect(await set(service, profile(id: 1, periods: [(0, 10)]), connector: 9) == .rejected)
        #expect(try store.chargingProfiles().isEmpty)
    }

    @Test("a TxProfile needs its transaction, starts Relative schedules there, and goes when the transaction ends")
    func txProfileFollowsTransaction() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let clock = ManualWallClock(start)
        let recorder = LimitRecorder()
        let (service, store) = try makeService(folder: folder, clock: clock)
        await service.start(receiver: recorder)
        let txProfile = profile(id: 5, purpose: .txProfile, kind: .relative, periods: [(0, 8), (600, 12)])
        #expect(await set(service, txProfile, connector: 2) == .rejected)

        let local = LocalTransactionID("tx-1")
        await service.transactionStarted(local, connectorId: 2, idTag: "CARD", at: start)
        await service.transactionConfirmed(local, transactionId: 4711)
        await clock.advance(by: 300)
        #expect(await set(service, txProfile, connector: 2) == .accepted)
        #expect(await recorder.latest == [CentralLimit(consumer: "connector-2", limit: 8, unit: .amperes)])
        // 10 minutes after the transaction started, the second period.
        await clock.advance(by: 300)
        let composite = await service.compositeSchedule(GetCompositeScheduleRequest(connectorId: 2, duration: 600))
        #expect(composite.status == .accepted)
        #expect(composite.chargingSchedule?.chargingSchedulePeriod.map(\.limit) == [12])

        await service.transactionEnded(local)
        #expect(try store.chargingProfiles().isEmpty)
        #expect(try store.smartChargingTransactions().isEmpty)
        #expect(await recorder.latest.isEmpty)
    }

    @Test("after a restart a running transaction keeps its TxProfile; one that ended meanwhile loses it")
    func restartReconcilesTransactions() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let clock = ManualWallClock(start)
        let (service, store) = try makeService(folder: folder, clock: clock)
        await service.start(receiver: LimitRecorder())
        // Transaction "running" is in the uplink's queue; "ended" was stopped and confirmed while the daemon was down.
        let running = LocalTransactionID("running")
        try store.enqueueTransactionMessage(
            .startTransaction(running, StartTransactionRequest(connectorId: 1, idTag: "A", meterStart: 0, timestamp: start)),
            at: start, stampedBeforeClockSync: false, evicting: [])
        await service.transactionStarted(running, connectorId: 1, idTag: "A", at: start)
        await service.transactionStarted(LocalTransactionID("ended"), connectorId: 2, idTag: "B", at: start)
        #expect(await set(service, profile(id: 1, purpose: .txProfile, periods: [(0, 5)]), connector: 1) == .accepted)
        #expect(await set(service, profile(id: 2, purpose: .txProfile, periods: [(0, 7)]), connector: 2) == .accepted)
        store.close()

        let (restarted, reopened) = try makeService(folder: folder, clock: clock)
        let recorder = LimitRecorder()
        await restarted.start(receiver: recorder)
        #expect(await recorder.latest == [CentralLimit(consumer: "connector-1", limit: 5, unit: .amperes)])
        #expect(try reopened.chargingProfiles().map(\.id) == [1])
        #expect(try reopened.smartChargingTransactions().map(\.localTransactionId) == ["running"])
    }

    @Test("ClearChargingProfile: Accepted when it removes something, Unknown when nothing matches")
    func clearing() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (service, store) = try makeService(folder: folder, clock: ManualWallClock(start))
        #expect(await set(service, profile(id: 1, periods: [(0, 10)]), connector: 0) == .accepted)
        #expect(await set(service, profile(id: 2, level: 2, periods: [(0, 10)]), connector: 1) == .accepted)
        #expect(await service.clearChargingProfile(ClearChargingProfileRequest(id: 1)).status == .accepted)
        #expect(await service.clearChargingProfile(ClearChargingProfileRequest(id: 1)).status == .unknown)
        #expect(await service.clearChargingProfile(ClearChargingProfileRequest(chargingProfilePurpose: .chargePointMaxProfile)).status
            == .unknown)
        #expect(await service.clearChargingProfile(ClearChargingProfileRequest(chargingProfilePurpose: .txDefaultProfile)).status
            == .accepted)
        #expect(try store.chargingProfiles().isEmpty)
    }

    @Test("GetCompositeSchedule: Rejected for an unknown connector or a unit not allowed, else the schedule from now")
    func composite() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (service, _) = try makeService(folder: folder, clock: ManualWallClock(start))
        #expect(await set(service, profile(id: 1, purpose: .chargePointMaxProfile, start: start, periods: [(0, 20), (3600, 12)]),
                          connector: 0) == .accepted)
        #expect(await service.compositeSchedule(GetCompositeScheduleRequest(connectorId: 9, duration: 60)).status == .rejected)
        #expect(await service.compositeSchedule(GetCompositeScheduleRequest(connectorId: 1, duration: 60, chargingRateUnit: .watts))
            .status == .rejected)
        let answer = await service.compositeSchedule(GetCompositeScheduleRequest(connectorId: 2, duration: 7200))
        #expect(answer.status == .accepted)
        #expect(answer.connectorId == 2)
        #expect(answer.scheduleStart == start)
        #expect(answer.chargingSchedule?.chargingSchedulePeriod == [
            ChargingSchedulePeriod(startPeriod: 0, limit: 20), ChargingSchedulePeriod(startPeriod: 3600, limit: 12),
        ])
    }

    @Test("a RemoteStartTransaction's TxProfile waits for the transaction of its idTag and applies to it")
    func remoteStartProfile() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let recorder = LimitRecorder()
        let (service, _) = try makeService(folder: folder, clock: ManualWallClock(start))
        await service.start(receiver: recorder)
        let txProfile = profile(id: 7, purpose: .txProfile, kind: .relative, periods: [(0, 9)])
        #expect(await service.installRemoteStartProfile(txProfile, connectorId: nil, idTag: "Remote1") == .accepted)
        #expect(await service.installRemoteStartProfile(profile(id: 8, periods: [(0, 9)]), connectorId: 1, idTag: "X") == .rejected)
        // Another idTag's transaction does not take it.
        await service.transactionStarted(LocalTransactionID("a"), connectorId: 1, idTag: "OTHER", at: start)
        #expect(await recorder.latest.isEmpty)
        await service.transactionStarted(LocalTransactionID("b"), connectorId: 2, idTag: "REMOTE1", at: start)
        #expect(await recorder.latest == [CentralLimit(consumer: "connector-2", limit: 9, unit: .amperes)])
        #expect(await service.report().pendingRemoteStartIdTags.isEmpty)
    }

    @Test("at a schedule period boundary the new limit goes to balancing without any other event")
    func periodBoundary() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SiteStore(folder: folder)
        let service = SmartCharging(
            store: store, capabilities: SmartChargingCapabilities(), electrics: electrics, logger: Logger(label: "test"))
        let recorder = LimitRecorder()
        await service.start(receiver: recorder)
        let now = Date()
        #expect(await set(service, profile(id: 1, purpose: .chargePointMaxProfile, start: now, periods: [(0, 20), (1, 11)]),
                          connector: 0) == .accepted)
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while await recorder.latest.first?.limit != 11, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(await recorder.latest == [CentralLimit(consumer: nil, limit: 11, unit: .amperes)])
    }
}
