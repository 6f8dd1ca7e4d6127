// Site validation and the Codable form the daemon stores and loads.

import Foundation
import Testing
@testable import LoadBalancing

@Suite("Site configuration")
struct ConfigurationTests {
    let grid = Circuit(id: "grid", maxCurrent: 32)
    let charger = Consumer.charger(id: "a", circuit: "grid", minCurrent: 6, maxCurrent: 16)

    func error(_ site: SiteConfiguration) -> SiteConfigurationError? {
        do {
            _ = try LoadBalancer(site: site)
            return nil
        } catch {
            return error
        }
    }

    @Test("invalid trees, consumers and schedules are rejected with the offending id")
    func rejects() {
        #expect(error(SiteConfiguration(circuits: [], consumers: [])) == .noGridConnection)
        #expect(error(SiteConfiguration(circuits: [grid, Circuit(id: "b", maxCurrent: 1)], consumers: []))
            == .severalGridConnections(["grid", "b"]))
        #expect(error(SiteConfiguration(circuits: [Circuit(id: "grid")], consumers: [])) == .gridConnectionWithoutLimit("grid"))
        #expect(error(SiteConfiguration(circuits: [grid, Circuit(id: "x", parent: "nope")], consumers: []))
            == .unknownParent(circuit: "x", parent: "nope"))
        #expect(error(SiteConfiguration(
            circuits: [grid, Circuit(id: "x", parent: "y"), Circuit(id: "y", parent: "x")], consumers: [])) == .circuitCycle("x"))
        #expect(error(SiteConfiguration(circuits: [grid], consumers: [charger, charger])) == .duplicateConsumer("a"))
        var lost = charger
        lost.circuit = "attic"
        #expect(error(SiteConfiguration(circuits: [grid], consumers: [lost])) == .unknownCircuit(consumer: "a", circuit: "attic"))
        var inverted = charger
        inverted.minCurrent = 20
        if case .invalidConsumer("a", _)? = error(SiteConfiguration(circuits: [grid], consumers: [inverted])) {} else {
            Issue.record("min > max accepted")
        }
        var twoPhase = charger
        twoPhase.phaseCount = 2
        if case .invalidConsumer("a", _)? = error(SiteConfiguration(circuits: [grid], consumers: [twoPhase])) {} else {
            Issue.record("two phases accepted")
        }
        let badDay = SchedulePeriod(weekdays: [8], start: TimeOfDay(hour: 1), end: TimeOfDay(hour: 2), maxCurrent: 1)
        if case .invalidSchedule(0, _)? = error(SiteConfiguration(circuits: [grid], consumers: [], schedule: [badDay])) {} else {
            Issue.record("weekday 8 accepted")
        }
        if case .invalidSetting? = error(SiteConfiguration(
            circuits: [grid], consumers: [], settings: BalancingSettings(mode: .solarOnly))) {} else {
            Issue.record("solar mode without a grid meter accepted")
        }
        #expect(SiteConfigurationError.unknownCircuit(consumer: "a", circuit: "attic").description.contains("attic"))
    }

    @Test("a configuration file may omit defaults")
    func decodesWithDefaults() throws {
        let json = #"""
        {"circuits": [{"id": "grid", "maxCurrent": 40, "metered": true, "safeCurrent": 16}],
         "consumers": [{"id": "s1", "circuit": "grid", "kind": "socket", "firstPhase": 2, "minCurrent": 2}],
         "settings": {"mode": "dynamic", "shortage": "rotate"}}
        """#
        let site = try JSONDecoder().decode(SiteConfiguration.self, from: Data(json.utf8))
        #expect(site.consumers[0] == .socket(id: "s1", circuit: "grid", phase: .l2, nominalCurrent: 2))
        #expect(site.settings.nominalVoltage == 230)
        #expect(site.settings.shortage == .rotate)
        #expect(site.schedule.isEmpty)
        _ = try LoadBalancer(site: site)
    }

    @Test("outcome and state survive a JSON round trip")
    func roundTrip() throws {
        let lb = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 13)],
            consumers: ["a", "b", "c"].map { .charger(id: $0, circuit: "grid", minCurrent: 6, maxCurrent: 16) },
            settings: BalancingSettings(mode: .staticLimit, shortage: .rotate))
        var state = BalancingState()
        let outcome = step(lb, &state, at: 100, sessions: sessions(["a", "b", "c"]))
        #expect(state.rotationPeriodStart == at(100))
        let decodedState = try JSONDecoder().decode(BalancingState.self, from: JSONEncoder().encode(state))
        #expect(decodedState == state)
        let decodedOutcome = try JSONDecoder().decode(BalancingOutcome.self, from: JSONEncoder().encode(outcome))
        #expect(decodedOutcome == outcome)
        // A restored state continues the rotation where it stopped.
        var restored = decodedState
        let later = step(lb, &restored, at: 1000, sessions: sessions(["a", "b", "c"]))
        #expect(later.setpoint(for: "c")?.on == true)
    }
}

@Suite("Garbage input")
struct GarbageInputTests {
    @Test("NaN or infinite readings and limits never open up a limit")
    func nonFiniteValues() throws {
        let lb = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 63, metered: true, safeCurrent: 10)],
            consumers: [.charger(id: "a", circuit: "grid", minCurrent: 6, maxCurrent: 32)],
            settings: BalancingSettings(mode: .dynamic))
        for garbage in [Double.nan, .infinity, -.infinity] {
            var state = BalancingState()
            let m = Measurements(
                circuits: ["grid": MeterReading(at: at(0), currents: PhaseCurrents(l1: garbage, l2: 0, l3: 0))],
                consumers: ["a": MeterReading(at: at(0), currents: PhaseCurrents(uniform: 0), power: garbage)])
            let outcome = step(lb, &state, at: 0, sessions: sessions(["a"]), measurements: m)
            #expect(outcome.circuit("grid")?.onSafeLimit == true)
            #expect(outcome.setpoint(for: "a")?.current == 10)
            let central = step(lb, &state, at: 1, sessions: sessions(["a"]),
                               measurements: Measurements(circuits: ["grid": symmetric(0, at: at(1))]),
                               central: [CentralLimit(consumer: "a", limit: .nan, unit: .amperes)])
            #expect(central.setpoint(for: "a")?.on == false)
        }
        #expect(throws: SiteConfigurationError.self) {
            try makeBalancer(
                circuits: [Circuit(id: "grid", maxCurrent: .infinity)],
                consumers: [.charger(id: "a", circuit: "grid", minCurrent: 6, maxCurrent: 32)])
        }
        #expect(throws: SiteConfigurationError.self) {
            try makeBalancer(
                circuits: [Circuit(id: "grid", maxCurrent: 32)],
                consumers: [.charger(id: "a", circuit: "grid", minCurrent: 6, maxCurrent: .infinity)])
        }
    }
}
