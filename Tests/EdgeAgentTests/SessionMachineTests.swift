import Foundation
import Testing
@testable import EdgeAgent

/// Drives one compartment's machine on an injected time line.
struct SessionDriver {
    var machine: CompartmentSessionMachine
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    var log: [SessionCommand] = []
    var nextSession = 0

    init(policy: SessionPolicy = SessionPolicy(connectionTimeOut: 60, lockConfirmTimeout: 5, meterSampleInterval: 60,
                                               maxPowerWatts: 500)) {
        machine = CompartmentSessionMachine(connectorId: 1, compartment: "A1", policy: policy)
        _ = machine.handle(.hardware(DoorLockReading(doorClosed: true, locked: false)), at: now)
    }

    @discardableResult
    mutating func send(_ input: SessionInput, after seconds: TimeInterval = 0) -> [SessionCommand] {
        now += seconds
        let out = machine.handle(input, at: now)
        log += out
        return out
    }

    @discardableResult
    mutating func door(closed: Bool, locked: Bool, after seconds: TimeInterval = 0) -> [SessionCommand] {
        send(.hardware(DoorLockReading(doorClosed: closed, locked: locked)), after: seconds)
    }

    @discardableResult
    mutating func card(_ idTag: String, accepted: Bool = true, parent: String? = nil) -> [SessionCommand] {
        nextSession += 1
        let outcome = AuthorizationOutcome(status: accepted ? .accepted : .invalid, parentIdTag: parent, source: .localList)
        return send(.cardAuthorized(idTag: idTag, outcome: outcome, method: .rfid, sessionId: "s\(nextSession)"))
    }

    /// Door opened, things in, door shut and latched, card accepted, lock confirmed: Charging.
    mutating func startCharging(idTag: String = "CARD1", parent: String? = nil, meterWh: Double = 1000) {
        send(.meter(CompartmentMeterReading(at: now, energyWh: meterWh, powerWatts: 0)))
        door(closed: false, locked: false)
        door(closed: true, locked: true, after: 5)
        card(idTag, parent: parent)
    }
}

extension [SessionCommand] {
    var unlocks: [UnlockReason] { compactMap { if case .unlock(let reason) = $0 { reason } else { nil } } }
    var relays: [Bool] { compactMap { if case .relay(let on) = $0 { on } else { nil } } }
    var starts: Int { filter { if case .startTransaction = $0 { true } else { false } }.count }
    var stops: [SessionStopReason] {
        compactMap { if case .stopTransaction(_, _, let reason, _, _) = $0 { reason } else { nil } }
    }
    var persisted: [SessionRecord] { compactMap { if case .persist(let record) = $0 { record } else { nil } } }
    var feedback: [DriverFeedback] { compactMap { if case .feedback(let feedback) = $0 { feedback } else { nil } } }
    var faults: [SessionFault] { compactMap { if case .fault(let fault) = $0 { fault } else { nil } } }
}

@Suite("Session machine: the locker flow")
struct SessionMachineTests {
    @Test func fullFlowWithTheOwnersCard() throws {
        var driver = SessionDriver()
        #expect(driver.machine.status == .available)
        driver.send(.meter(CompartmentMeterReading(at: driver.now, energyWh: 1000, powerWatts: 0)))
        driver.door(closed: false, locked: false)
        driver.door(closed: true, locked: true, after: 10)
        #expect(driver.machine.status == .preparing)

        let authorized = driver.card("CARD1")
        #expect(authorized.first == .persist(try #require(authorized.persisted.first)))
        #expect(authorized.contains(.lock))
        // The door already reads locked: the start follows in the same step, committed before the relay.
        let persistIndex = try #require(authorized.lastIndex { if case .persist = $0 { true } else { false } })
        let relayIndex = try #require(authorized.firstIndex(of: .relay(on: true)))
        #expect(persistIndex < relayIndex)
        #expect(authorized.starts == 1)
        #expect(driver.machine.status == .charging)
        let started = try #require(driver.machine.openSession)
        #expect(started.relayOn && started.state == .charging)

        driver.send(.meter(CompartmentMeterReading(at: driver.now + 30, energyWh: 1002, powerWatts: 240)), after: 30)
        let sampled = driver.send(.meter(CompartmentMeterReading(at: driver.now + 30, energyWh: 1004, powerWatts: 240)), after: 30)
        #expect(sampled.contains { if case .meterValues = $0 { true } else { false } })

        let ended = driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil), after: 10)
        #expect(ended.stops == [.local])
        #expect(ended.unlocks == [.owner])
        #expect(ended.relays == [false])
        #expect(ended.first == .persist(try #require(ended.persisted.first)))
        let finished = try #require(ended.persisted.last)
        #expect(finished.meterStartWh == 1000 && finished.meterStopWh == 1004 && finished.energyWh == 4)
        #expect(finished.state == .finishing && finished.stopReason == .local)
        #expect(driver.machine.status == .finishing)

        driver.door(closed: false, locked: false, after: 5)
        #expect(driver.machine.status == .finishing)
        let closed = driver.door(closed: true, locked: true, after: 5)
        #expect(closed.persisted.last?.state == .closed)
        #expect(closed.unlocks == [.freed])
        #expect(driver.machine.status == .available)
        #expect(driver.log.starts == 1 && driver.log.stops.count == 1)
    }

    @Test func anotherCardCannotEndOrOpen() {
        var driver = SessionDriver()
        driver.startCharging()
        let out = driver.send(.stopWithCard(idTag: "STRANGER", parentIdTag: "OTHERGROUP"))
        #expect(out.feedback == [.notOwner])
        #expect(out.unlocks.isEmpty && out.relays.isEmpty && out.stops.isEmpty)
        #expect(driver.machine.status == .charging)
    }

    @Test func aCardOfTheOwnersGroupEndsTheSession() {
        var driver = SessionDriver()
        driver.startCharging(idTag: "CARD1", parent: "FAMILY")
        let out = driver.send(.stopWithCard(idTag: "CARD2", parentIdTag: "FAMILY"))
        #expect(out.stops == [.local] && out.unlocks == [.owner])
    }

    @Test func aRejectedCardStartsNothing() {
        var driver = SessionDriver()
        driver.door(closed: false, locked: false)
        driver.door(closed: true, locked: true)
        let out = driver.card("BLOCKED", accepted: false)
        #expect(out.feedback == [.rejected] && out.persisted.isEmpty && out.relays.isEmpty)
        #expect(driver.machine.status == .preparing)
    }

    @Test func connectionTimeOutReleasesTheUnclaimedDoor() {
        var driver = SessionDriver()
        driver.door(closed: false, locked: false)
        driver.door(closed: true, locked: true)
        #expect(driver.send(.tick, after: 59).unlocks.isEmpty)
        let out = driver.send(.tick, after: 1)
        #expect(out.unlocks == [.unclaimed])
        #expect(driver.machine.status == .available)
        #expect(driver.card("LATE").feedback == [.noWaitingDoor])
    }

    @Test func aLockThatIsNotConfirmedStartsNothingAndFaults() {
        var driver = SessionDriver()
        driver.door(closed: false, locked: false)
        driver.door(closed: true, locked: false)
        let authorized = driver.card("CARD1")
        #expect(authorized.contains(.lock) && authorized.relays.isEmpty)
        #expect(driver.send(.tick, after: 4).relays.isEmpty)
        let failed = driver.send(.tick, after: 1)
        #expect(failed.faults == [.lockFailed] && failed.feedback == [.lockFailed])
        #expect(failed.persisted.last?.stopReason == .lockFailed)
        #expect(driver.log.starts == 0 && !driver.log.relays.contains(true))
        #expect(driver.machine.status == .faulted)
        driver.door(closed: false, locked: false)
        #expect(driver.machine.status == .available)
    }

    @Test func aForcedDoorDuringChargingCutsTheSocketAndFaults() {
        var driver = SessionDriver()
        driver.startCharging()
        let out = driver.send(.forcedOpen)
        #expect(out.faults == [.forcedOpen] && out.relays == [false] && out.unlocks.isEmpty)
        #expect(driver.machine.status == .faulted)
        #expect(driver.machine.openSession?.relayOn == false)
        // The owner can still end it.
        #expect(driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil)).stops == [.local])
    }

    @Test func implausibleReadingsAreRejectedAndNeverSent() {
        var driver = SessionDriver(policy: SessionPolicy(meterSampleInterval: 1, maxPowerWatts: 500))
        driver.startCharging(meterWh: 1000)
        let fine = driver.send(.meter(CompartmentMeterReading(at: driver.now + 3600, energyWh: 1450)), after: 3600)
        #expect(fine.contains { if case .meterValues = $0 { true } else { false } })
        let backwards = driver.send(.meter(CompartmentMeterReading(at: driver.now - 10, energyWh: 1450)), after: 5)
        let lower = driver.send(.meter(CompartmentMeterReading(at: driver.now, energyWh: 900)), after: 5)
        let tooMuch = driver.send(.meter(CompartmentMeterReading(at: driver.now + 60, energyWh: 1600)), after: 60)
        for out in [backwards, lower, tooMuch] {
            #expect(!out.contains { if case .meterValues = $0 { true } else { false } })
        }
        // One log line for a run of rejections, not one per reading.
        #expect([backwards, lower, tooMuch].map { $0.filter { if case .log = $0 { true } else { false } }.count } == [1, 0, 0])
        #expect(driver.machine.openSession?.lastMeterWh == 1450)
    }

    @Test func chargeCompleteShowsSuspendedEV() {
        var driver = SessionDriver(policy: SessionPolicy(
            maxPowerWatts: 500, chargeCompleteBelowWatts: 5, chargeCompleteAfter: 120, switchOffWhenComplete: true))
        driver.startCharging()
        driver.send(.meter(CompartmentMeterReading(at: driver.now + 60, energyWh: 1001, powerWatts: 2)), after: 60)
        #expect(driver.machine.status == .charging)
        let out = driver.send(.meter(CompartmentMeterReading(at: driver.now + 120, energyWh: 1001, powerWatts: 1)), after: 120)
        #expect(driver.machine.status == .suspendedEV)
        #expect(out.relays == [false] && out.unlocks.isEmpty)
    }

    @Test func theOccupancyLimitStopsChargingButKeepsTheDoorLocked() {
        var driver = SessionDriver(policy: SessionPolicy(maxPowerWatts: 500, maxOccupancy: 3600))
        driver.startCharging()
        let out = driver.send(.tick, after: 3600)
        #expect(out.relays == [false] && out.unlocks.isEmpty && out.stops.isEmpty)
        #expect(driver.machine.status == .suspendedEVSE)
        #expect(driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil)).unlocks == [.owner])
    }

    @Test func operatorUnlockAndEmergencyEndTheSessionWithoutTheMachineUnlocking() {
        for (input, reason) in [(SessionInput.operatorUnlocked, SessionStopReason.unlockCommand), (.emergency, .emergencyStop)] {
            var driver = SessionDriver()
            driver.startCharging()
            let out = driver.send(input)
            #expect(out.stops == [reason] && out.relays == [false] && out.unlocks.isEmpty)
            #expect(driver.machine.status == .finishing)
        }
    }
}

@Suite("Session machine: free compartments")
struct SessionFreeCompartmentTests {
    @Test func aForcedFreeDoorThatShutsAgainDoesNotWaitForAuthorization() {
        var driver = SessionDriver()
        driver.door(closed: true, locked: true)
        driver.door(closed: false, locked: false)
        driver.door(closed: true, locked: true)
        #expect(driver.machine.status == .available)
        #expect(driver.card("CARD1").feedback == [.noWaitingDoor])
    }
}

@Suite("Session machine: meter values")
struct SessionMeterValueTests {
    @Test func clockAlignedValuesFallOnTheIntervalBoundaries() {
        var driver = SessionDriver(policy: SessionPolicy(meterSampleInterval: 0, clockAlignedInterval: 900, maxPowerWatts: 500))
        // 1_800_000_000 is 0 s past a 900 s boundary: start 100 s after it.
        driver.now += 100
        driver.startCharging()
        var aligned: [Date] = []
        for _ in 0..<40 {
            let out = driver.send(.meter(CompartmentMeterReading(at: driver.now + 60, energyWh: 1000)), after: 60)
            for case let .meterValues(_, reading, true) in out { aligned.append(reading.at) }
            #expect(!out.contains { if case .meterValues(_, _, false) = $0 { true } else { false } })
        }
        // 40 minutes from 100 s past one boundary cross two (at 900 s and 1800 s); each gives one value.
        #expect(aligned.count == 2)
        #expect(aligned.allSatisfy { $0.timeIntervalSince1970.truncatingRemainder(dividingBy: 900) < 60 })
    }
}

@Suite("Session machine: relay faults")
struct SessionRelayFaultTests {
    @Test func powerWithTheSocketOffIsAStuckRelay() {
        var driver = SessionDriver()
        driver.startCharging()
        driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil))
        // The meter may lag the relay: right after switching off, power is not a fault yet.
        #expect(driver.send(.meter(CompartmentMeterReading(at: driver.now + 2, energyWh: 1000, powerWatts: 300)), after: 2).faults.isEmpty)
        let stuck = driver.send(.meter(CompartmentMeterReading(at: driver.now + 20, energyWh: 1002, powerWatts: 300)), after: 20)
        #expect(stuck.faults == [.powerWhileOff])
        #expect(driver.machine.status == .faulted)
        #expect(driver.send(.meter(CompartmentMeterReading(at: driver.now + 5, energyWh: 1002, powerWatts: 300)), after: 5).faults.isEmpty)
        driver.send(.meter(CompartmentMeterReading(at: driver.now + 5, energyWh: 1002, powerWatts: 0)), after: 5)
        #expect(driver.machine.fault == nil)
    }
}

@Suite("Session machine: deauthorized at the start")
struct SessionDeauthorizedTests {
    @Test func theTransactionStopsOnceAndTheOwnerStillGetsTheDoor() throws {
        var driver = SessionDriver()
        driver.startCharging()
        let id = try #require(driver.machine.openSession?.id)
        let refused = driver.send(.deauthorized(sessionId: id), after: 5)
        #expect(refused.stops == [.deAuthorized] && refused.relays == [false] && refused.unlocks.isEmpty)
        #expect(driver.machine.status == .suspendedEVSE)
        #expect(driver.send(.deauthorized(sessionId: id)).stops.isEmpty)
        let ended = driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil), after: 60)
        #expect(ended.stops.isEmpty && ended.unlocks == [.owner])
        #expect(ended.persisted.last?.stopReason == .deAuthorized)
        #expect(driver.log.stops.count == 1)
    }
}
