// Schedules, central limits, strategies, phases, solar plus minimum.

import Foundation
import Testing
@testable import LoadBalancing

/// Monday 2025-11-24 00:00 UTC.
let monday = 1_763_942_400.0

@Suite("Schedules by time of day and weekday")
struct ScheduleTests {
    func balancer(utcOffset: Double = 0, period: SchedulePeriod) throws -> LoadBalancer {
        try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 32)],
            consumers: [.charger(id: "a", circuit: "grid", minCurrent: 6, maxCurrent: 32)],
            schedule: [period], settings: BalancingSettings(mode: .staticLimit, utcOffset: utcOffset))
    }

    @Test("a weekday evening limit applies only inside its period, in local time")
    func weekdayEvening() throws {
        let period = SchedulePeriod(
            weekdays: [1, 2, 3, 4, 5], start: TimeOfDay(hour: 17), end: TimeOfDay(hour: 20), maxCurrent: 10)
        let lb = try balancer(utcOffset: 3600, period: period)  // local = UTC + 1 h
        var state = BalancingState()
        func amps(_ t: Double) -> Double? { step(lb, &state, at: t, sessions: sessions(["a"])).setpoint(for: "a")?.current }
        #expect(amps(monday + 15 * 3600 + 3599) == 32)  // 16:59:59 local
        let inside = step(lb, &state, at: monday + 16 * 3600, sessions: sessions(["a"]))
        #expect(inside.setpoint(for: "a")?.current == 10)
        #expect(inside.setpoint(for: "a")?.reason == .schedule)
        #expect(inside.setpoint(for: "a")?.limitedBy == "schedule:0")
        #expect(inside.nextDecisionAt == at(monday + 19 * 3600))  // 20:00 local
        #expect(amps(monday + 19 * 3600 - 1) == 10)
        #expect(amps(monday + 19 * 3600) == 32)
        #expect(amps(monday + 5 * 86_400 + 16 * 3600 + 60) == 32)  // Saturday 17:01 local
        var fresh = BalancingState()
        let before = step(lb, &fresh, at: monday + 10 * 3600, sessions: sessions(["a"]))
        #expect(before.nextDecisionAt == at(monday + 16 * 3600))
    }

    @Test("a period past midnight belongs to the day it starts on")
    func overnight() throws {
        let period = SchedulePeriod(weekdays: [7], start: TimeOfDay(hour: 22), end: TimeOfDay(hour: 6), maxPower: 0)
        let lb = try balancer(period: period)
        var state = BalancingState()
        let sunday = monday - 86_400
        #expect(step(lb, &state, at: sunday + 21 * 3600, sessions: sessions(["a"])).setpoint(for: "a")?.on == true)
        #expect(step(lb, &state, at: sunday + 23 * 3600, sessions: sessions(["a"])).setpoint(for: "a")?.reason == .schedule)
        #expect(step(lb, &state, at: monday + 3 * 3600, sessions: sessions(["a"])).setpoint(for: "a")?.on == false)
        #expect(step(lb, &state, at: monday + 6 * 3600, sessions: sessions(["a"])).setpoint(for: "a")?.on == true)
        #expect(step(lb, &state, at: monday + 23 * 3600, sessions: sessions(["a"])).setpoint(for: "a")?.on == true)
    }

    @Test("times of day decode from HH:MM and reject nonsense")
    func timeOfDayCoding() throws {
        let decoded = try JSONDecoder().decode([TimeOfDay].self, from: Data(#"["17:30", "06:05:09"]"#.utf8))
        #expect(decoded == [TimeOfDay(hour: 17, minute: 30), TimeOfDay(hour: 6, minute: 5, second: 9)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([TimeOfDay].self, from: Data(#"["25:00"]"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([TimeOfDay].self, from: Data(#"["noon"]"#.utf8)) }
        let encoded = try JSONEncoder().encode([TimeOfDay(hour: 7, minute: 5)])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["07:05"]"#)
    }
}

@Suite("Central system limits")
struct CentralLimitTests {
    func site() throws -> LoadBalancer {
        try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 63)],
            consumers: [
                .charger(id: "three", circuit: "grid", minCurrent: 6, maxCurrent: 32, phaseCount: 3),
                .charger(id: "one", circuit: "grid", minCurrent: 6, maxCurrent: 32, phaseCount: 1, rotation: .l2),
            ],
            settings: BalancingSettings(mode: .staticLimit))
    }

    @Test("per-consumer limits in A and in W (converted per the consumer's phases)")
    func perConsumer() throws {
        let lb = try site()
        var state = BalancingState()
        var outcome = step(lb, &state, at: 0, sessions: sessions(["three", "one"]), central: [
            CentralLimit(consumer: "three", limit: 6900, unit: .watts),
            CentralLimit(consumer: "one", limit: 2300, unit: .watts),
        ])
        #expect(outcome.setpoint(for: "three")?.current == 10)
        #expect(outcome.setpoint(for: "one")?.current == 10)
        #expect(outcome.setpoint(for: "three")?.reason == .centralLimit)
        #expect(outcome.setpoint(for: "three")?.limitedBy == "central:three")
        outcome = step(lb, &state, at: 10, sessions: sessions(["three", "one"]), central: [
            CentralLimit(consumer: "three", limit: 12, unit: .amperes),
            CentralLimit(consumer: "one", limit: 5, unit: .amperes),
        ])
        #expect(outcome.setpoint(for: "three")?.current == 12)
        #expect(outcome.setpoint(for: "one")?.on == false)
        #expect(outcome.setpoint(for: "one")?.reason == .centralLimit)
    }

    @Test("site-wide limits in A per phase and in W")
    func siteWide() throws {
        let lb = try site()
        var state = BalancingState()
        var outcome = step(lb, &state, at: 0, sessions: sessions(["three", "one"]), central: [CentralLimit(limit: 20, unit: .amperes)])
        // "one" is on L2 with "three": L2 carries both, so 10 A each.
        #expect(outcome.setpoint(for: "three")?.current == 10)
        #expect(outcome.setpoint(for: "one")?.current == 10)
        #expect(outcome.setpoint(for: "one")?.reason == .centralLimit)
        outcome = step(lb, &state, at: 10, sessions: sessions(["three", "one"]), central: [CentralLimit(limit: 9200, unit: .watts)])
        // 9200 W = 40 A at 230 V: three takes 3x, one takes 1x of an equal current -> 10 A each.
        #expect(outcome.setpoint(for: "three")?.current == 10)
        #expect(outcome.setpoint(for: "one")?.current == 10)
        outcome = step(lb, &state, at: 20, sessions: sessions(["three", "one"]), central: [CentralLimit(limit: 0, unit: .watts)])
        #expect(outcome.setpoints.allSatisfy { !$0.on })
    }
}

@Suite("Strategies, phases and sockets")
struct StrategyTests {
    func chargers(_ ids: [String]) -> [Consumer] {
        ids.map { .charger(id: $0, circuit: "grid", minCurrent: 6, maxCurrent: 32) }
    }

    @Test("priority levels are admitted and filled first")
    func priority() throws {
        let lb = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 40)], consumers: chargers(["low", "mid", "high"]),
            settings: BalancingSettings(mode: .staticLimit, strategy: .priority))
        var state = BalancingState()
        let live = [
            Session(consumer: "low", startedAt: at(0), priority: 0),
            Session(consumer: "mid", startedAt: at(1), priority: 1),
            Session(consumer: "high", startedAt: at(2), priority: 2),
        ]
        var outcome = step(lb, &state, at: 10, sessions: live)
        #expect(outcome.setpoint(for: "high")?.current == 28)
        #expect(outcome.setpoint(for: "mid")?.current == 6)
        #expect(outcome.setpoint(for: "low")?.current == 6)
        let tight = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 14)], consumers: chargers(["low", "mid", "high"]),
            settings: BalancingSettings(mode: .staticLimit, strategy: .priority))
        state = BalancingState()
        outcome = step(tight, &state, at: 10, sessions: live)
        #expect(outcome.setpoint(for: "high")?.current == 8)
        #expect(outcome.setpoint(for: "mid")?.current == 6)
        #expect(outcome.setpoint(for: "low")?.on == false)
        #expect(outcome.setpoint(for: "low")?.reason == .minimumNotReachable)
    }

    @Test("first come first served fills the earliest session first")
    func firstComeFirstServed() throws {
        let lb = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 40)], consumers: chargers(["late", "early"]),
            settings: BalancingSettings(mode: .staticLimit, strategy: .firstComeFirstServed))
        var state = BalancingState()
        let live = [Session(consumer: "late", startedAt: at(5)), Session(consumer: "early", startedAt: at(1))]
        let outcome = step(lb, &state, at: 10, sessions: live)
        #expect(outcome.setpoint(for: "early")?.current == 32)
        #expect(outcome.setpoint(for: "early")?.reason == .atMaximum)
        #expect(outcome.setpoint(for: "late")?.current == 8)
        #expect(outcome.setpoint(for: "late")?.reason == .circuitLimit)
    }

    @Test("first-in keeps the earliest sessions when minimums do not all fit")
    func firstIn() throws {
        let lb = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 13)], consumers: chargers(["a", "b", "c"]),
            settings: BalancingSettings(mode: .staticLimit, shortage: .firstIn))
        var state = BalancingState()
        let live = [Session(consumer: "c", startedAt: at(0)), Session(consumer: "a", startedAt: at(1)), Session(consumer: "b", startedAt: at(2))]
        for t in [10.0, 2000, 5000] {
            let outcome = step(lb, &state, at: t, sessions: live)
            #expect(Set(outcome.setpoints.filter(\.on).map(\.consumer)) == ["c", "a"])
            #expect(outcome.setpoint(for: "b")?.reason == .minimumNotReachable)
            #expect(outcome.setpoint(for: "b")?.limitedBy == "grid")
        }
    }

    @Test("a single-phase charger draws on the grid phase its L1 is rotated to")
    func phaseRotation() throws {
        let lb = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 32, metered: true, safeCurrent: 6)],
            consumers: [
                .charger(id: "on-l2", circuit: "grid", minCurrent: 6, maxCurrent: 32, phaseCount: 1, rotation: .l2),
                .charger(id: "rotated", circuit: "grid", minCurrent: 6, maxCurrent: 32, phaseCount: 3, rotation: .l3),
            ],
            settings: BalancingSettings(mode: .dynamic))
        var state = BalancingState()
        // "rotated" reports 10 A on its own L1, which is grid L3; the grid meter sees it there.
        let m = Measurements(
            circuits: ["grid": MeterReading(at: at(0), currents: PhaseCurrents(l1: 5, l2: 20, l3: 15))],
            consumers: ["rotated": MeterReading(at: at(0), currents: PhaseCurrents(l1: 10, l2: 0, l3: 0))])
        let outcome = step(lb, &state, at: 0, sessions: sessions(["on-l2", "rotated"]), measurements: m)
        #expect(outcome.circuit("grid")?.baseLoad == PhaseCurrents(l1: 5, l2: 20, l3: 5))
        // L2 has 12 A left for both: 6 A each; the single-phase one shows only on L2.
        let single = try #require(outcome.setpoint(for: "on-l2"))
        #expect(single.current == 6)
        #expect(single.gridCurrents == PhaseCurrents(l1: 0, l2: 6, l3: 0))
        #expect(single.power == 6 * 230)
        #expect(outcome.setpoint(for: "rotated")?.gridCurrents == PhaseCurrents(uniform: 6))
    }

    @Test("single-phase sockets are counted on the phase they are wired to")
    func socketsOnTheirPhase() throws {
        let lb = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 63), Circuit(id: "locker", parent: "grid", maxCurrent: 16)],
            consumers: [
                .socket(id: "s1", circuit: "locker", phase: .l1, nominalCurrent: 10),
                .socket(id: "s2", circuit: "locker", phase: .l1, nominalCurrent: 10),
                .socket(id: "s3", circuit: "locker", phase: .l2, nominalCurrent: 10),
                .socket(id: "s4", circuit: "locker", phase: .l3, nominalCurrent: 4),
            ],
            settings: BalancingSettings(mode: .staticLimit))
        var state = BalancingState()
        let outcome = step(lb, &state, at: 0, sessions: sessions(["s1", "s2", "s3", "s4"]))
        #expect(outcome.setpoint(for: "s1")?.on == true)
        #expect(outcome.setpoint(for: "s2")?.on == false)
        #expect(outcome.setpoint(for: "s2")?.reason == .minimumNotReachable)
        #expect(outcome.setpoint(for: "s2")?.limitedBy == "locker")
        #expect(outcome.setpoint(for: "s3")?.gridCurrents == PhaseCurrents(l1: 0, l2: 10, l3: 0))
        #expect(outcome.setpoint(for: "s4")?.current == 4)
        #expect(outcome.circuit("locker")?.allocated == PhaseCurrents(l1: 10, l2: 10, l3: 4))
        #expect(outcome.circuit("locker")?.headroom == PhaseCurrents(l1: 6, l2: 6, l3: 12))
    }

    @Test("equal share is max-min fair across one- and three-phase chargers")
    func equalShareMixedPhases() throws {
        let lb = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 32)],
            consumers: [
                .charger(id: "single", circuit: "grid", minCurrent: 6, maxCurrent: 32, phaseCount: 1, rotation: .l1),
                .charger(id: "triple", circuit: "grid", minCurrent: 6, maxCurrent: 32, phaseCount: 3),
                .charger(id: "small", circuit: "grid", minCurrent: 6, maxCurrent: 8, phaseCount: 1, rotation: .l2),
            ],
            settings: BalancingSettings(mode: .staticLimit))
        var state = BalancingState()
        let outcome = step(lb, &state, at: 0, sessions: sessions(["single", "triple", "small"]))
        #expect(outcome.setpoint(for: "single")?.current == 16)
        #expect(outcome.setpoint(for: "triple")?.current == 16)
        #expect(outcome.setpoint(for: "small")?.current == 8)
        #expect(outcome.setpoint(for: "small")?.reason == .atMaximum)
    }
}

@Suite("Solar plus minimum")
struct SolarPlusMinimumTests {
    @Test("every session gets its minimum; surplus goes on top")
    func minimumPlusSurplus() throws {
        let lb = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 63, metered: true, safeCurrent: 16)],
            consumers: [
                .charger(id: "a", circuit: "grid", minCurrent: 6, maxCurrent: 16),
                .charger(id: "b", circuit: "grid", minCurrent: 6, maxCurrent: 16),
            ],
            settings: BalancingSettings(mode: .solarPlusMinimum))
        var state = BalancingState()
        // No sun: importing 1 kW of base load.
        var m = Measurements(circuits: ["grid": symmetric(1000 / 690, at: at(0), power: 1000)])
        var outcome = step(lb, &state, at: 0, sessions: sessions(["a", "b"]), measurements: m)
        #expect(outcome.setpoint(for: "a")?.current == 6)
        #expect(outcome.setpoint(for: "b")?.current == 6)
        #expect(outcome.setpoint(for: "a")?.reason == .solarSurplus)
        // 11.04 kW exported while both draw their minimum (8.28 kW): surplus 19.32 kW = 14 A each.
        m = Measurements(
            circuits: ["grid": MeterReading(at: at(10), currents: PhaseCurrents(uniform: -4), power: -2760)],
            consumers: ["a": symmetric(6, at: at(10)), "b": symmetric(6, at: at(10))])
        m.circuits["grid"]!.power = -11_040
        outcome = step(lb, &state, at: 10, sessions: sessions(["a", "b"]), measurements: m)
        #expect(outcome.solar?.surplus == 19_320)
        #expect(outcome.setpoint(for: "a")?.current == 14)
        #expect(outcome.setpoint(for: "b")?.current == 14)
        // The grid meter goes silent: back to the minimums within the safe limit.
        outcome = step(lb, &state, at: 100, sessions: sessions(["a", "b"]), measurements: m)
        #expect(outcome.solar?.gridMeterFresh == false)
        #expect(outcome.setpoint(for: "a")?.current == 6)
        #expect(outcome.circuit("grid")?.onSafeLimit == true)
    }
}
