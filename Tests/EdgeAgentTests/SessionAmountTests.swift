import Foundation
import Testing
@testable import EdgeAgent

/// Amounts, the cost limit and the stale-meter warning in the pure session machine.
@Suite("Session machine: amounts, cost limit, stale meter")
struct SessionAmountTests {
    static let tariff = Tariff(
        name: "standard", currency: "EUR", startFee: Decimal(string: "0.50")!, pricePerKWh: Decimal(string: "0.30")!,
        pricePerPeriod: 1, periodSeconds: 3600, freeForGroups: ["STAFF"])

    func driver(maxCost: Decimal? = nil, staleAfter: TimeInterval? = nil, tariff: Tariff? = tariff) -> SessionDriver {
        var policy = SessionPolicy(connectionTimeOut: 60, lockConfirmTimeout: 5, meterSampleInterval: 60, maxPowerWatts: 3000)
        policy.tariff = tariff
        policy.maxCost = maxCost
        policy.meterStaleAfter = staleAfter
        return SessionDriver(policy: policy)
    }

    func meter(_ driver: inout SessionDriver, wh: Double, after seconds: TimeInterval) -> [SessionCommand] {
        driver.send(.meter(CompartmentMeterReading(at: driver.now + seconds, energyWh: wh, powerWatts: 2000)), after: seconds)
    }

    @Test func theAmountIsComputedFromTheTariffWhenTheSessionEnds() throws {
        var driver = driver()
        driver.startCharging(meterWh: 1000)
        _ = meter(&driver, wh: 2000, after: 1800)
        let ended = driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil), after: 1900)
        let record = try #require(ended.persisted.last)
        // Occupied 5 s before the card + 3700 s: 2 started hours; 1000 Wh: 0.50 + 2.00 + 0.30
        #expect(record.amount == Decimal(string: "2.80")! && record.currency == "EUR" && record.tariffName == "standard")
        let summary = SessionSummary(record, now: driver.now)
        #expect(summary.amount == record.amount && summary.currency == "EUR" && summary.tariff == "standard")
    }

    @Test func aStaffCardPaysNothingAndASessionWithoutATariffHasNoAmount() throws {
        var free = driver()
        free.startCharging(parent: "STAFF")
        _ = meter(&free, wh: 3000, after: 600)
        #expect(try #require(free.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil), after: 10).persisted.last).amount == 0)

        var none = driver(tariff: nil)
        none.startCharging()
        #expect(try #require(none.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil), after: 10).persisted.last).amount == nil)
    }

    @Test func aLockThatNeverCatchesCostsNothing() throws {
        var driver = driver()
        driver.door(closed: false, locked: false)
        driver.door(closed: true, locked: false, after: 5)
        driver.card("CARD1")
        let failed = driver.send(.tick, after: 6)
        let record = try #require(failed.persisted.last)
        #expect(record.stopReason == .lockFailed && record.amount == nil)
    }

    @Test func theCostLimitSwitchesTheSocketOffAndKeepsTheDoorLocked() throws {
        // 0.50 start + 1.00 first hour = 1.50 at once; 3.00 is reached with the second hour (2.50) plus 1667 Wh.
        var driver = driver(maxCost: 3)
        driver.startCharging(meterWh: 1000)
        #expect(driver.machine.status == .charging)
        #expect(meter(&driver, wh: 2000, after: 1800).relays.isEmpty)  // 1.80
        #expect(driver.send(.tick, after: 1801).relays.isEmpty)  // second hour begins: 2.80
        let limited = meter(&driver, wh: 2700, after: 60)  // 0.50 + 2.00 + 0.51 = 3.01
        #expect(limited.relays == [false] && limited.unlocks.isEmpty && limited.stops.isEmpty)
        #expect(limited.persisted.last?.state == .suspendedByLocker)
        #expect(driver.machine.status == .suspendedEVSE)
        #expect(driver.send(.tick, after: 3600).relays.isEmpty)  // not switched off twice
        // The owner still ends the session and gets the door.
        let ended = driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil), after: 10)
        #expect(ended.stops == [.local] && ended.unlocks == [.owner])
    }

    @Test func timeAloneReachesTheCostLimit() {
        var driver = driver(maxCost: Decimal(string: "2.50")!)
        driver.startCharging()
        #expect(driver.send(.tick, after: 3000).relays.isEmpty)
        #expect(driver.send(.tick, after: 700).relays == [false])  // the second started hour: 2.50
    }

    @Test func aStaffCardIsNeverStoppedByTheCostLimit() {
        var driver = driver(maxCost: 1)
        driver.startCharging(parent: "STAFF")
        #expect(meter(&driver, wh: 9000, after: 7200).relays.isEmpty)
        #expect(driver.machine.status == .charging)
    }

    @Test func aSilentMeterIsReportedAsStaleWhileChargingGoesOnAndClearsWhenItAnswers() throws {
        var driver = driver(staleAfter: 15)
        driver.startCharging()
        #expect(driver.send(.tick, after: 14).faults.isEmpty)
        let stale = driver.send(.tick, after: 1)
        #expect(stale.faults == [.meterStale])
        #expect(stale.relays.isEmpty)  // charging goes on
        #expect(driver.machine.meterStale && driver.machine.shownFault == .meterStale)
        #expect(driver.machine.status == .charging && driver.machine.fault == nil)
        #expect(driver.send(.tick, after: 30).faults.isEmpty)  // reported once
        _ = meter(&driver, wh: 1030, after: 5)
        #expect(!driver.machine.meterStale && driver.machine.shownFault == nil)
        #expect(SessionFault.meterStale.vendorErrorCode == "METER_STALE")
        #expect(ConnectorFaultCodes.codes(for: "meterStale").errorCode == .otherError)
        #expect(ConnectorFaultCodes.isWarning("meterStale") && !ConnectorFaultCodes.isWarning("forcedOpen"))
    }

    @Test func withoutAMeterToWatchNothingGoesStaleAndTheEndClearsTheWarning() {
        var unwatched = driver(staleAfter: nil)
        unwatched.startCharging()
        #expect(unwatched.send(.tick, after: 600).faults.isEmpty)

        var watched = driver(staleAfter: 15)
        watched.startCharging()
        watched.send(.tick, after: 20)
        #expect(watched.machine.meterStale)
        watched.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil), after: 1)
        #expect(!watched.machine.meterStale && watched.machine.shownFault == nil)
    }

    @Test func aFreeCompartmentHasNoStaleMeter() {
        var driver = driver(staleAfter: 15)
        #expect(driver.send(.tick, after: 600).faults.isEmpty)
        driver.door(closed: false, locked: false)
        driver.door(closed: true, locked: true, after: 5)
        #expect(driver.send(.tick, after: 30).faults.isEmpty)  // waiting for a card: no session yet
    }

    @Test func theOwnersCardReleasesADoorStillLatchedAfterTheSessionEnded() {
        var driver = driver()
        driver.startCharging(parent: "FAMILY")
        driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil), after: 10)
        // The unlock never happened (a restart between socket off and unlock): the latch still reads locked.
        driver.door(closed: true, locked: true, after: 1)
        #expect(driver.send(.stopWithCard(idTag: "STRANGER", parentIdTag: nil)).unlocks.isEmpty)
        let again = driver.send(.stopWithCard(idTag: "CARD2", parentIdTag: "FAMILY"))
        #expect(again.unlocks == [.ownerAgain] && again.stops.isEmpty && again.relays.isEmpty)
        driver.door(closed: false, locked: false, after: 1)
        #expect(driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil)).unlocks.isEmpty)  // door already open
    }
}

extension SessionAmountTests {
    @Test func theCostLimitAlsoHoldsASocketThatLoadBalancingPaused() throws {
        var driver = driver(maxCost: Decimal(string: "2.50")!)
        driver.startCharging()
        let paused = driver.send(.balancing(allowed: false), after: 60)
        #expect(paused.relays == [false])
        let limited = driver.send(.tick, after: 3600)  // the second started hour: 2.50, while paused
        #expect(limited.relays.isEmpty && limited.persisted.last?.state == .suspendedByLocker)
        #expect(driver.send(.balancing(allowed: true), after: 5).relays.isEmpty)  // not switched on again
    }
}

extension SessionAmountTests {
    @Test func secondsChargingAreTheSecondsTheSocketWasOn() throws {
        var driver = driver(tariff: nil)
        driver.startCharging()
        driver.send(.tick, after: 7)  // no meter reading at all
        driver.send(.balancing(allowed: false), after: 3)  // on for 10 s
        driver.send(.tick, after: 20)  // paused: not counted
        driver.send(.balancing(allowed: true), after: 5)
        let ended = driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil), after: 4)  // on for 4 s more
        #expect(try #require(ended.persisted.last).chargingSeconds == 14)
        #expect(driver.send(.tick, after: 60).isEmpty && driver.machine.session?.chargingSeconds == 14)
    }
}
