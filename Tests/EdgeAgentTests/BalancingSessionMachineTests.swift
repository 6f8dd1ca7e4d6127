import Foundation
import Testing
@testable import EdgeAgent

@Suite("Balancing: the session machine's balancing input")
struct BalancingSessionMachineTests {
    @Test func aPausedSessionSwitchesItsSocketOffShowsSuspendedEVSEAndResumes() throws {
        var driver = SessionDriver()
        driver.startCharging()
        #expect(driver.machine.status == .charging)

        let paused = driver.send(.balancing(allowed: false), after: 5)
        #expect(paused.relays == [false])
        let record = try #require(paused.persisted.last)
        #expect(record.state == .charging && !record.relayOn)
        #expect(paused.first == .persist(record))  // committed before the relay moves
        #expect(driver.machine.status == .suspendedEVSE)
        #expect(driver.machine.pausedByBalancing)
        #expect(paused.stops.isEmpty && paused.unlocks.isEmpty)  // the transaction and the lock stay

        #expect(driver.send(.balancing(allowed: false), after: 5).isEmpty)  // no repeated commands

        let resumed = driver.send(.balancing(allowed: true), after: 5)
        #expect(resumed.relays == [true])
        #expect(resumed.persisted.last?.relayOn == true)
        #expect(driver.machine.status == .charging)
        #expect(!driver.machine.pausedByBalancing)
        #expect(driver.send(.balancing(allowed: true), after: 5).isEmpty)
    }

    @Test func aSessionThatStartsWhileNotAllowedStartsItsTransactionPaused() {
        var driver = SessionDriver()
        driver.send(.balancing(allowed: false))
        driver.startCharging()
        #expect(driver.log.starts == 1)
        #expect(!driver.log.relays.contains(true))
        #expect(driver.machine.status == .suspendedEVSE)
        #expect(driver.send(.balancing(allowed: true), after: 1).relays == [true])
        #expect(driver.machine.status == .charging)
    }

    @Test func withoutADecisionTheSocketIsAllowedAsBefore() {
        var driver = SessionDriver()
        #expect(driver.machine.balancingAllowed == nil)
        driver.startCharging()
        #expect(driver.log.relays == [true])
        #expect(driver.machine.status == .charging)
    }

    @Test func allowingNeverSwitchesOnAFreeOrLockingCompartment() {
        var driver = SessionDriver()
        #expect(driver.send(.balancing(allowed: true)).isEmpty)
        driver.door(closed: false, locked: false)
        driver.door(closed: true, locked: false, after: 5)
        driver.card("CARD1")  // authorized, the lock is not confirmed yet
        #expect(driver.machine.openSession?.state == .locking)
        #expect(driver.send(.balancing(allowed: true)).relays.isEmpty)
        #expect(driver.send(.balancing(allowed: false)).relays.isEmpty)
        #expect(driver.send(.balancing(allowed: true)).relays.isEmpty)
        #expect(!driver.log.relays.contains(true))
    }

    @Test func allowingNeverSwitchesOnASessionTheOccupancyLimitStopped() {
        var policy = SessionPolicy(connectionTimeOut: 60, lockConfirmTimeout: 5, meterSampleInterval: 60, maxPowerWatts: 500)
        policy.maxOccupancy = 600
        var driver = SessionDriver(policy: policy)
        driver.startCharging()
        driver.send(.balancing(allowed: false), after: 10)
        // The limit is reached while paused: the session moves to suspendedByLocker and stays off.
        driver.send(.tick, after: 600)
        #expect(driver.machine.openSession?.state == .suspendedByLocker)
        #expect(driver.machine.balancingDemandSince == nil)
        #expect(driver.send(.balancing(allowed: true), after: 5).relays.isEmpty)
        #expect(driver.machine.status == .suspendedEVSE)
        #expect(driver.machine.openSession?.relayOn == false)
    }

    @Test func allowingNeverSwitchesOnAfterAForcedDoorOrAFinishedCharge() {
        var forced = SessionDriver()
        forced.startCharging()
        forced.send(.balancing(allowed: false))
        forced.send(.forcedOpen)
        #expect(forced.send(.balancing(allowed: true)).relays.isEmpty)
        #expect(forced.machine.status == .faulted)

        var policy = SessionPolicy(connectionTimeOut: 60, lockConfirmTimeout: 5, meterSampleInterval: 0, maxPowerWatts: 500)
        policy.chargeCompleteBelowWatts = 5
        policy.chargeCompleteAfter = 60
        policy.switchOffWhenComplete = true
        var complete = SessionDriver(policy: policy)
        complete.startCharging()
        complete.send(.meter(CompartmentMeterReading(at: complete.now + 1, energyWh: 1000, powerWatts: 1)), after: 1)
        complete.send(.meter(CompartmentMeterReading(at: complete.now + 61, energyWh: 1000, powerWatts: 1)), after: 61)
        #expect(complete.machine.status == .suspendedEV)
        #expect(complete.machine.balancingDemandSince == nil)
        #expect(complete.send(.balancing(allowed: true)).relays.isEmpty)
        #expect(complete.machine.status == .suspendedEV)
    }

    @Test func aPausedSessionIsNotTakenForAFinishedCharge() {
        var policy = SessionPolicy(connectionTimeOut: 60, lockConfirmTimeout: 5, meterSampleInterval: 0, maxPowerWatts: 500)
        policy.chargeCompleteBelowWatts = 5
        policy.chargeCompleteAfter = 60
        var driver = SessionDriver(policy: policy)
        driver.startCharging()
        driver.send(.balancing(allowed: false), after: 1)
        for second in stride(from: 30, through: 300, by: 30) {
            driver.send(.meter(CompartmentMeterReading(at: driver.now + 30, energyWh: 1000, powerWatts: 0)), after: 30)
            #expect(driver.machine.status == .suspendedEVSE, "at \(second) s")
        }
    }

    @Test func anOpenDoorKeepsThePausedSocketOffUnlessTheSiteAllowsIt() {
        var driver = SessionDriver()
        driver.startCharging()
        driver.send(.balancing(allowed: false))
        // The lock reads unlocked (a failing feedback switch): balancing must not switch the socket on.
        driver.door(closed: true, locked: false, after: 1)
        #expect(driver.send(.balancing(allowed: true)).relays.isEmpty)
        driver.door(closed: true, locked: true, after: 1)
        #expect(driver.send(.balancing(allowed: true)).relays == [true])
    }

    @Test func demandFollowsTheSession() {
        var driver = SessionDriver()
        #expect(driver.machine.balancingDemandSince == nil)
        driver.startCharging()
        let since = driver.machine.openSession?.authorizedAt
        #expect(since != nil && driver.machine.balancingDemandSince == since)
        driver.send(.balancing(allowed: false))
        #expect(driver.machine.balancingDemandSince == since)  // paused sessions still want power
        driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil))
        #expect(driver.machine.balancingDemandSince == nil)
    }

    @Test func aRestartResumesAPausedSessionWhenBalancingAllowsIt() throws {
        var driver = SessionDriver()
        driver.startCharging()
        driver.send(.balancing(allowed: false))
        let stored = try #require(driver.log.persisted.last)
        let (restored, out) = CompartmentSessionMachine.restore(
            connectorId: 1, compartment: "A1", policy: driver.machine.policy, stored: stored,
            reading: DoorLockReading(doorClosed: true, locked: true), latestMeter: nil, transactions: .resume,
            previousRunWasClean: true, newSessionId: "next", at: driver.now + 60)
        #expect(out.relays == [false])
        #expect(restored.status == .suspendedEVSE)
        var machine = restored
        #expect(machine.handle(.balancing(allowed: true), at: driver.now + 61).relays == [true])
        #expect(machine.status == .charging)
    }
}
