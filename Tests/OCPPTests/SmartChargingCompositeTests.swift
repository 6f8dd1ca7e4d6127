import Foundation
import Testing
@testable import OCPP

@Suite("Smart charging: composite schedule and limits in force")
struct SmartChargingCompositeTests {
    typealias S = SmartChargingSamples
    let installedAt = S.date("2026-03-01T00:00:00Z")
    let electrics: [Int: ConnectorElectrics] = [
        0: ConnectorElectrics(voltage: 230, phases: 3, maxCurrent: 63),
        1: ConnectorElectrics(voltage: 230, phases: 3, maxCurrent: 32),
        2: ConnectorElectrics(voltage: 230, phases: 3, maxCurrent: 32),
    ]

    func plan(_ profiles: [(ChargingProfile, Int)], transactions: [Int: ConnectorTransaction] = [:]) -> SmartChargingPlan {
        var installed = InstalledChargingProfiles()
        for (profile, connectorId) in profiles { installed.install(profile, connectorId: connectorId, at: installedAt) }
        return SmartChargingPlan(profiles: installed, transactions: transactions, electrics: electrics)
    }

    func periods(_ plan: SmartChargingPlan, connector: Int = 1, from: String, seconds: Int, unit: ChargingRateUnitType = .amperes)
        -> [[Double]]
    {
        let composite = plan.compositeSchedule(connectorId: connector, start: S.date(from), duration: seconds, unit: unit)
        return composite?.periods.map { [Double($0.startPeriod), $0.limit] } ?? []
    }

    @Test("stacking (OCPP 1.6 3.13.4): a higher stack level overrides while its schedule runs, the lower one applies around it")
    func stacking() {
        let plan = plan([
            (S.profile(id: 1, level: 0, kind: .recurring, recurrency: .daily, start: "2026-03-02T00:00:00Z", periods: [(0, 16)]), 0),
            (S.profile(id: 2, level: 1, start: "2026-03-03T08:00:00Z", duration: 36_000, periods: [(0, 6)]), 0),
        ])
        #expect(periods(plan, from: "2026-03-03T00:00:00Z", seconds: 86_400) == [[0, 16], [28_800, 6], [64_800, 16]])
    }

    @Test("ChargePointMaxProfile caps the connector; a TxProfile (Relative, from the transaction start) overrides the default")
    func chargePointMaxAndRelativeTxProfile() {
        let transaction = ConnectorTransaction(transactionId: 5, startedAt: S.date("2026-03-03T11:30:00Z"))
        let plan = plan([
            (S.profile(id: 1, purpose: .chargePointMaxProfile, start: "2026-03-03T00:00:00Z", periods: [(0, 20), (43_200, 10)]), 0),
            (S.profile(id: 2, kind: .recurring, recurrency: .daily, start: "2026-03-01T00:00:00Z", periods: [(0, 16)]), 0),
            (S.profile(id: 3, purpose: .txProfile, kind: .relative, transactionId: 5, periods: [(0, 8), (3600, 24)]), 1),
        ], transactions: [1: transaction])
        // 11:00 default 16; 11:30 transaction starts: 8; 12:00 the cap drops to 10 (8 stays); 12:30 TxProfile 24, capped at 10.
        #expect(periods(plan, from: "2026-03-03T11:00:00Z", seconds: 10_800) == [[0, 16], [1800, 8], [5400, 10]])
        // Connector 2 has no transaction: default, then the cap.
        #expect(periods(plan, connector: 2, from: "2026-03-03T11:00:00Z", seconds: 10_800) == [[0, 16], [3600, 10]])
        // Connector 0 is the charge point as a whole: its cap only.
        #expect(periods(plan, connector: 0, from: "2026-03-03T00:00:00Z", seconds: 86_400) == [[0, 20], [43_200, 10]])
    }

    @Test("a daily recurring schedule that crosses midnight repeats every day, also when the window starts inside it")
    func recurringAcrossMidnight() {
        let plan = plan([(S.profile(id: 1, kind: .recurring, recurrency: .daily, start: "2026-03-01T22:00:00Z",
                                    duration: 28_800, periods: [(0, 8), (14_400, 16)]), 0)])
        // 20:00 nothing (the connector's 32 A), 22:00 8 A, 02:00 16 A, 06:00 over.
        #expect(periods(plan, from: "2026-03-03T20:00:00Z", seconds: 43_200) == [[0, 32], [7200, 8], [21_600, 16], [36_000, 32]])
        #expect(periods(plan, from: "2026-03-04T01:00:00Z", seconds: 7200) == [[0, 8], [3600, 16]])
    }

    @Test("a weekly recurring schedule applies on its weekday only")
    func weekly() {
        let plan = plan([(S.profile(id: 1, kind: .recurring, recurrency: .weekly, start: "2026-03-02T00:00:00Z",
                                    duration: 86_400, periods: [(0, 10)]), 1)])
        #expect(periods(plan, from: "2026-03-08T12:00:00Z", seconds: 172_800) == [[0, 32], [43_200, 10], [129_600, 32]])
    }

    @Test("validFrom and validTo bound a profile; the lower stack level fills the rest")
    func validity() {
        let plan = plan([
            (S.profile(id: 1, level: 0, kind: .recurring, recurrency: .daily, start: "2026-03-01T00:00:00Z", periods: [(0, 16)]), 0),
            (S.profile(id: 2, level: 1, start: "2026-03-03T00:00:00Z", periods: [(0, 6)],
                       validFrom: "2026-03-03T06:00:00Z", validTo: "2026-03-03T09:00:00Z"), 0),
        ])
        #expect(periods(plan, from: "2026-03-03T00:00:00Z", seconds: 43_200) == [[0, 16], [21_600, 6], [32_400, 16]])
    }

    @Test("an Absolute schedule ends after its duration; a Relative default without a transaction starts with the window")
    func durationAndRelativeWithoutTransaction() {
        let absolute = plan([(S.profile(id: 1, start: "2026-03-03T00:00:00Z", duration: 3600, periods: [(0, 10)]), 1)])
        #expect(periods(absolute, from: "2026-03-03T00:00:00Z", seconds: 7200) == [[0, 10], [3600, 32]])
        let relative = plan([(S.profile(id: 1, kind: .relative, periods: [(0, 10), (600, 16)]), 0)])
        #expect(periods(relative, from: "2026-03-03T17:13:00Z", seconds: 1200) == [[0, 10], [600, 16]])
        // An Absolute schedule without startSchedule is relative to the start of charging (OCPP 1.6, startSchedule).
        let unanchored = plan([(S.profile(id: 1, periods: [(0, 10), (600, 16)]), 0)],
                              transactions: [1: ConnectorTransaction(transactionId: 1, startedAt: S.date("2026-03-03T17:08:00Z"))])
        #expect(periods(unanchored, from: "2026-03-03T17:13:00Z", seconds: 1200) == [[0, 10], [300, 16]])
    }

    @Test("a default on the connector beats connector 0's at the same stack level; a higher level on 0 beats both")
    func connectorSpecificDefault() {
        let plan = plan([
            (S.profile(id: 1, level: 0, start: "2026-03-01T00:00:00Z", periods: [(0, 16)]), 0),
            (S.profile(id: 2, level: 0, start: "2026-03-01T00:00:00Z", periods: [(0, 12)]), 1),
        ])
        #expect(periods(plan, connector: 1, from: "2026-03-03T00:00:00Z", seconds: 60) == [[0, 12]])
        #expect(periods(plan, connector: 2, from: "2026-03-03T00:00:00Z", seconds: 60) == [[0, 16]])
        var higher = plan
        higher.profiles.install(S.profile(id: 3, level: 1, start: "2026-03-01T00:00:00Z", periods: [(0, 20)]), connectorId: 0, at: installedAt)
        #expect(periods(higher, connector: 1, from: "2026-03-03T00:00:00Z", seconds: 60) == [[0, 20]])
    }

    @Test("units: W and A convert with the voltage and the phases (numberPhases where a period names it)")
    func units() {
        let watts = plan([(S.profile(id: 1, start: "2026-03-01T00:00:00Z", unit: .watts, periods: [(0, 11_040)]), 1)])
        #expect(periods(watts, from: "2026-03-03T00:00:00Z", seconds: 60) == [[0, 16]])
        #expect(periods(watts, from: "2026-03-03T00:00:00Z", seconds: 60, unit: .watts) == [[0, 11_040]])
        let onePhase = plan([(S.profile(id: 1, start: "2026-03-01T00:00:00Z", unit: .watts, periods: [(0, 3680)], phases: 1), 1)])
        let composite = onePhase.compositeSchedule(connectorId: 1, start: S.date("2026-03-03T00:00:00Z"), duration: 60, unit: .amperes)
        #expect(composite?.periods == [ChargingSchedulePeriod(startPeriod: 0, limit: 16, numberPhases: 1)])
        let amperes = plan([(S.profile(id: 1, start: "2026-03-01T00:00:00Z", periods: [(0, 16)]), 1)])
        // Without a profile the connector's 32 A is 22,080 W; the profile's 16 A is 11,040 W.
        #expect(periods(amperes, from: "2026-03-03T00:00:00Z", seconds: 60, unit: .watts) == [[0, 11_040]])
        #expect(periods(plan([]), from: "2026-03-03T00:00:00Z", seconds: 60, unit: .watts) == [[0, 22_080]])
    }

    @Test("the composite carries the transaction profile's minChargingRate in the requested unit")
    func minChargingRate() {
        let plan = plan([(S.profile(id: 1, start: "2026-03-01T00:00:00Z", periods: [(0, 16)], minRate: 6), 1)])
        let start = S.date("2026-03-03T00:00:00Z")
        #expect(plan.compositeSchedule(connectorId: 1, start: start, duration: 60, unit: .amperes)?.minChargingRate == 6)
        #expect(plan.compositeSchedule(connectorId: 1, start: start, duration: 60, unit: .watts)?.minChargingRate == 4140)
        let schedule = plan.compositeSchedule(connectorId: 1, start: start, duration: 60, unit: .amperes)?.chargingSchedule
        #expect(schedule?.startSchedule == start)
        #expect(schedule?.duration == 60)
    }

    @Test("an unknown connector has no composite schedule")
    func unknownConnector() {
        #expect(plan([]).compositeSchedule(connectorId: 7, start: installedAt, duration: 60, unit: .amperes) == nil)
    }

    @Test("a TxProfile applies only while its transaction runs")
    func txProfileNeedsTransaction() {
        let profiles: [(ChargingProfile, Int)] = [
            (S.profile(id: 1, start: "2026-03-01T00:00:00Z", periods: [(0, 16)]), 0),
            (S.profile(id: 2, purpose: .txProfile, transactionId: 9, start: "2026-03-01T00:00:00Z", periods: [(0, 6)]), 1),
        ]
        let running = plan(profiles, transactions: [1: ConnectorTransaction(transactionId: 9, startedAt: installedAt)])
        #expect(periods(running, from: "2026-03-03T00:00:00Z", seconds: 60) == [[0, 6]])
        #expect(periods(plan(profiles), from: "2026-03-03T00:00:00Z", seconds: 60) == [[0, 16]])
        let another = plan(profiles, transactions: [1: ConnectorTransaction(transactionId: 10, startedAt: installedAt)])
        #expect(periods(another, from: "2026-03-03T00:00:00Z", seconds: 60) == [[0, 16]])
    }

    @Test("limits in force: the charge point's cap plus each connector's transaction limit, and when they next change")
    func limitsInForce() {
        let plan = plan([
            (S.profile(id: 1, purpose: .chargePointMaxProfile, start: "2026-03-03T00:00:00Z", periods: [(0, 20), (43_200, 10)]), 0),
            (S.profile(id: 2, kind: .recurring, recurrency: .daily, start: "2026-03-01T00:00:00Z", periods: [(0, 16)]), 0),
            (S.profile(id: 3, level: 1, start: "2026-03-01T00:00:00Z", unit: .watts, periods: [(0, 7000)]), 2),
        ])
        let now = S.date("2026-03-03T10:00:00Z")
        let limits = plan.limitsInForce(at: now).map { [Double($0.connectorId), $0.limit, Double($0.profileId)] }
        #expect(limits == [[0, 20, 1], [1, 16, 2], [2, 7000, 3]])
        #expect(plan.limitsInForce(at: now).last?.unit == .watts)
        #expect(plan.nextChange(after: now) == S.date("2026-03-03T12:00:00Z"))
        #expect(SmartChargingPlan(profiles: InstalledChargingProfiles(), transactions: [:], electrics: electrics).nextChange(after: now) == nil)
    }

    @Test("composite periods are merged where the limit does not change and never overlap")
    func merging() {
        let plan = plan([
            (S.profile(id: 1, start: "2026-03-03T00:00:00Z", periods: [(0, 10), (600, 10), (1200, 12)]), 1),
        ])
        let result = periods(plan, from: "2026-03-03T00:00:00Z", seconds: 3600)
        #expect(result == [[0, 10], [1200, 12]])
        #expect(zip(result, result.dropFirst()).allSatisfy { $0[0] < $1[0] })
    }
}
