// Setpoint steps, ramps, and minimum on/off times.

import Testing
@testable import LoadBalancing

@Suite("Hysteresis, ramps and minimum on/off times")
struct HysteresisTests {
    @Test("small shuffles are suppressed when the previous setpoints still fit")
    func smallChangesAreHeld() throws {
        let balancer = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 40)],
            consumers: [
                .charger(id: "a", circuit: "grid", minCurrent: 6, maxCurrent: 32),
                .charger(id: "b", circuit: "grid", minCurrent: 6, maxCurrent: 32),
            ],
            settings: BalancingSettings(mode: .staticLimit, setpointStep: 1))
        var state = BalancingState()
        let live = sessions(["a", "b"])
        var outcome = step(balancer, &state, at: 0, sessions: live, central: [CentralLimit(consumer: "a", limit: 12, unit: .amperes)])
        #expect(outcome.setpoint(for: "a")?.current == 12)
        #expect(outcome.setpoint(for: "a")?.reason == .centralLimit)
        #expect(outcome.setpoint(for: "b")?.current == 28)

        // a may now take 12.5 A: a +0.5 and b -0.5 are both below the 1 A step.
        outcome = step(balancer, &state, at: 10, sessions: live, central: [CentralLimit(consumer: "a", limit: 12.5, unit: .amperes)])
        #expect(outcome.setpoint(for: "a")?.current == 12)
        #expect(outcome.setpoint(for: "b")?.current == 28)
        #expect(outcome.setpoint(for: "a")?.reason == .setpointHysteresis)
        #expect(outcome.setpoint(for: "b")?.reason == .setpointHysteresis)

        // A change of a full step goes through.
        outcome = step(balancer, &state, at: 20, sessions: live, central: [CentralLimit(consumer: "a", limit: 14, unit: .amperes)])
        #expect(outcome.setpoint(for: "a")?.current == 14)
        #expect(outcome.setpoint(for: "b")?.current == 26)
    }

    @Test("a reduction that protects a fuse is applied at once, however small")
    func fuseReductionIsImmediate() throws {
        let balancer = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 40, metered: true, safeCurrent: 10)],
            consumers: [
                .charger(id: "a", circuit: "grid", minCurrent: 6, maxCurrent: 32),
                .charger(id: "b", circuit: "grid", minCurrent: 6, maxCurrent: 32),
            ],
            settings: BalancingSettings(mode: .dynamic, setpointStep: 2, currentResolution: 0.1))
        var state = BalancingState()
        let live = sessions(["a", "b"])
        var outcome = step(balancer, &state, at: 0, sessions: live, measurements: Measurements(circuits: ["grid": symmetric(0, at: at(0))]))
        #expect(outcome.setpoint(for: "a")?.current == 20)
        // The building now draws 0.8 A besides our chargers (which draw their 20 A each).
        let m = Measurements(
            circuits: ["grid": symmetric(40.8, at: at(5))],
            consumers: ["a": symmetric(20, at: at(5)), "b": symmetric(20, at: at(5))])
        outcome = step(balancer, &state, at: 5, sessions: live, measurements: m)
        #expect(outcome.setpoint(for: "a")?.current == 19.6)
        #expect(outcome.setpoint(for: "b")?.current == 19.6)
        #expect(outcome.setpoint(for: "a")?.reason == .circuitLimit)
    }

    @Test("increases ramp by the configured step per interval; decreases do not wait")
    func rampUp() throws {
        let balancer = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 32, metered: true, staleAfter: 1000, safeCurrent: 10)],
            consumers: [.charger(id: "a", circuit: "grid", minCurrent: 6, maxCurrent: 32)],
            settings: BalancingSettings(mode: .dynamic, rampStep: 4, rampInterval: 10))
        var state = BalancingState()
        let live = sessions(["a"])
        func meter(_ base: Double, _ t: Double) -> Measurements {
            let drawn = state.consumers["a"]?.current ?? 0
            return Measurements(circuits: ["grid": symmetric(base + drawn, at: at(t))], consumers: ["a": symmetric(drawn, at: at(t))])
        }
        var outcome = step(balancer, &state, at: 0, sessions: live, measurements: meter(0, 0))
        #expect(outcome.setpoint(for: "a")?.current == 6)
        #expect(outcome.setpoint(for: "a")?.reason == .rampingUp)
        #expect(outcome.nextDecisionAt == at(10))
        outcome = step(balancer, &state, at: 5, sessions: live, measurements: meter(0, 5))
        #expect(outcome.setpoint(for: "a")?.current == 6)
        outcome = step(balancer, &state, at: 10, sessions: live, measurements: meter(0, 10))
        #expect(outcome.setpoint(for: "a")?.current == 10)
        outcome = step(balancer, &state, at: 20, sessions: live, measurements: meter(0, 20))
        #expect(outcome.setpoint(for: "a")?.current == 14)
        outcome = step(balancer, &state, at: 21, sessions: live, measurements: meter(25, 21))
        #expect(outcome.setpoint(for: "a")?.current == 7)
        #expect(outcome.setpoint(for: "a")?.reason == .circuitLimit)
    }

    @Test("a socket stays off for its minimum off time, and the next decision says when")
    func minimumOffTime() throws {
        let balancer = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 16)],
            consumers: [.socket(id: "s1", circuit: "grid", phase: .l1, nominalCurrent: 2, minOffTime: 120)],
            settings: BalancingSettings(mode: .staticLimit))
        var state = BalancingState()
        #expect(step(balancer, &state, at: 0, sessions: sessions(["s1"])).setpoint(for: "s1")?.on == true)
        #expect(step(balancer, &state, at: 10).setpoint(for: "s1")?.on == false)
        let blocked = step(balancer, &state, at: 20, sessions: sessions(["s1"], startedAt: 20))
        #expect(blocked.setpoint(for: "s1")?.on == false)
        #expect(blocked.setpoint(for: "s1")?.reason == .minimumOffTime)
        #expect(blocked.nextDecisionAt == at(130))
        #expect(step(balancer, &state, at: 129, sessions: sessions(["s1"], startedAt: 20)).setpoint(for: "s1")?.on == false)
        #expect(step(balancer, &state, at: 130, sessions: sessions(["s1"], startedAt: 20)).setpoint(for: "s1")?.on == true)
    }

    @Test("minimum on time holds a socket on against the rotation, not against a fuse")
    func minimumOnTime() throws {
        let balancer = try makeBalancer(
            circuits: [Circuit(id: "grid", maxCurrent: 16, metered: true, staleAfter: 1000, safeCurrent: 0)],
            consumers: [
                .socket(id: "s1", circuit: "grid", phase: .l1, nominalCurrent: 10, minOnTime: 60),
                .socket(id: "s2", circuit: "grid", phase: .l1, nominalCurrent: 10, minOnTime: 60),
            ],
            settings: BalancingSettings(mode: .dynamic, shortage: .rotate, rotationPeriod: 30))
        var state = BalancingState()
        let live = sessions(["s1", "s2"])
        func meter(_ base: Double, _ t: Double) -> Measurements {
            Measurements(circuits: ["grid": MeterReading(at: at(t), currents: PhaseCurrents(l1: base, l2: 0, l3: 0))])
        }
        var outcome = step(balancer, &state, at: 0, sessions: live, measurements: meter(0, 0))
        #expect(outcome.setpoint(for: "s1")?.on == true)
        #expect(outcome.setpoint(for: "s2")?.reason == .waitingForRotation)
        #expect(outcome.nextDecisionAt == at(30))
        // Rotation is due, but s1 has been on for only 30 of its 60 s.
        outcome = step(balancer, &state, at: 30, sessions: live, measurements: meter(0, 30))
        #expect(outcome.setpoint(for: "s1")?.on == true)
        #expect(outcome.setpoint(for: "s2")?.on == false)
        outcome = step(balancer, &state, at: 60, sessions: live, measurements: meter(0, 60))
        #expect(outcome.setpoint(for: "s1")?.on == false)
        #expect(outcome.setpoint(for: "s2")?.on == true)
        // The building takes 8 A on L1: s2 must go off at once, minimum on time or not.
        outcome = step(balancer, &state, at: 61, sessions: live, measurements: meter(8, 61))
        #expect(outcome.setpoint(for: "s2")?.on == false)
        #expect(outcome.setpoint(for: "s1")?.on == false)
    }
}
