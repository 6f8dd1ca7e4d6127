// Property tests over random sites, measurements and sessions (seeded, deterministic).

import Testing
@testable import LoadBalancing
import SeededRandom

struct RandomSite {
    var site: SiteConfiguration

    static func make(_ rng: inout SplitMix64) -> RandomSite {
        var circuits: [Circuit] = []
        let rootFuse = rng.chance(0.8) ? rng.double(16...250) : nil
        let rootPower = rootFuse == nil || rng.chance(0.3) ? rng.double(5_000...150_000) : nil
        circuits.append(randomCircuit(&rng, id: "grid", parent: nil, fuse: rootFuse, power: rootPower))
        for n in 0..<rng.int(0...4) {
            let parent = rng.pick(circuits).id
            let fuse = rng.chance(0.8) ? rng.double(6...100) : nil
            let power = rng.chance(0.3) ? rng.double(2_000...60_000) : nil
            circuits.append(randomCircuit(&rng, id: "c\(n)", parent: parent, fuse: fuse, power: power))
        }
        var consumers: [Consumer] = []
        for n in 0..<rng.int(1...12) {
            let circuit = rng.pick(circuits).id
            let phase = rng.pick(Phase.allCases)
            let minOn = rng.chance(0.3) ? rng.double(0...120) : 0
            let minOff = rng.chance(0.3) ? rng.double(0...120) : 0
            if rng.chance(0.4) {
                consumers.append(.socket(
                    id: "s\(n)", circuit: circuit, phase: phase, nominalCurrent: rng.double(0.2...16),
                    minOnTime: minOn, minOffTime: minOff))
            } else {
                let minimum = rng.double(1...10)
                consumers.append(.charger(
                    id: "e\(n)", circuit: circuit, minCurrent: minimum, maxCurrent: minimum + rng.double(0...26),
                    phaseCount: rng.chance(0.5) ? 3 : 1, rotation: phase, minOnTime: minOn, minOffTime: minOff))
            }
        }
        var schedule: [SchedulePeriod] = []
        if rng.chance(0.2) {
            schedule.append(SchedulePeriod(
                weekdays: [rng.int(1...7), rng.int(1...7)], start: TimeOfDay(hour: rng.int(0...23)),
                end: TimeOfDay(hour: rng.int(0...23)), circuit: rng.pick(circuits).id,
                maxCurrent: rng.chance(0.7) ? rng.double(0...40) : nil, maxPower: rng.double(0...20_000)))
        }
        let settings = BalancingSettings(
            mode: rng.pick(BalancingMode.allCases), strategy: rng.pick(DistributionStrategy.allCases),
            shortage: rng.pick(ShortagePolicy.allCases), rotationPeriod: rng.double(30...600),
            setpointStep: rng.pick([0, 0.5, 1, 2]), currentResolution: rng.pick([0, 0.1, 1]),
            rampStep: rng.chance(0.3) ? rng.double(0.5...5) : nil, rampInterval: rng.double(0...30),
            meterStaleAfter: rng.double(5...60),
            solar: SolarSettings(
                startThreshold: rng.double(0...5000), stopThreshold: rng.double(-2000...0),
                startDelay: rng.double(0...60), stopDelay: rng.double(0...120),
                batteryChargeCountsAsSurplus: rng.chance(0.5)),
            utcOffset: rng.pick([0, 3600, -18000]))
        if settings.mode == .solarOnly || settings.mode == .solarPlusMinimum { circuits[0].metered = true }
        return RandomSite(site: SiteConfiguration(circuits: circuits, consumers: consumers, schedule: schedule, settings: settings))
    }

    static func randomCircuit(_ rng: inout SplitMix64, id: String, parent: String?, fuse: Double?, power: Double?) -> Circuit {
        let metered = rng.chance(0.6)
        return Circuit(
            id: id, parent: parent, maxCurrent: fuse, maxPower: power, metered: metered,
            staleAfter: rng.chance(0.5) ? rng.double(5...60) : nil,
            safeCurrent: rng.chance(0.7) ? rng.double(0...(fuse ?? 32) * 1.5) : nil,
            safePower: rng.chance(0.3) ? rng.double(0...20_000) : nil)
    }

    /// Inputs for one step: meters read base load plus roughly what consumers were told.
    func input(_ rng: inout SplitMix64, now: Double, sessions: [Session], previous: BalancingOutcome?) -> BalancingInput {
        var m = Measurements()
        func age() -> Double { rng.chance(0.15) ? rng.double(0...200) : rng.double(0...3) }
        for consumer in site.consumers where rng.chance(0.85) {
            let told = previous?.setpoint(for: consumer.id)?.current ?? 0
            let draw = told * rng.double(0...1.2)
            let power = rng.chance(0.5) ? draw * Double(consumer.phaseCount) * 230 : nil
            m.consumers[consumer.id] = MeterReading(
                at: at(now - age()), currents: PhaseCurrents(uniform: draw), power: power)
        }
        for circuit in site.circuits where rng.chance(0.9) {
            let scale = circuit.maxCurrent ?? (circuit.maxPower ?? 10_000) / 690
            let base = (0..<3).map { _ in rng.double(-0.2...1.1) * scale }
            let reading = PhaseCurrents(base)
            m.circuits[circuit.id] = MeterReading(
                at: at(now - age()), currents: reading, power: rng.chance(0.5) ? reading.sum * 230 : nil)
        }
        if rng.chance(0.5) { m.pvProduction = PowerReading(at: at(now - age()), power: rng.double(0...30_000)) }
        if rng.chance(0.3) { m.battery = PowerReading(at: at(now - age()), power: rng.double(-5_000...5_000)) }
        var central: [CentralLimit] = []
        if rng.chance(0.3) { central.append(CentralLimit(limit: rng.double(0...64), unit: .amperes)) }
        if rng.chance(0.2) { central.append(CentralLimit(limit: rng.double(0...40_000), unit: .watts)) }
        if rng.chance(0.3), let c = site.consumers.randomElement(using: &rng) {
            central.append(CentralLimit(consumer: c.id, limit: rng.double(0...20_000), unit: rng.chance(0.5) ? .amperes : .watts))
            if central.last!.unit == .amperes { central[central.count - 1].limit = rng.double(0...32) }
        }
        return BalancingInput(measurements: m, sessions: sessions, centralLimits: central)
    }
}

@Suite("Allocation properties over random sites")
struct PropertyTests {
    @Test("limits per node and phase, consumer bounds, across several steps", arguments: 0..<4)
    func invariantsHold(batch: Int) throws {
        var rng = SplitMix64(seed: 0xBA1A_0000 + UInt64(batch))
        var stepsWithCharging = 0
        var stepsWithPaused = 0
        defer {
            // The generator must exercise both plenty and shortage, or the invariants prove little.
            #expect(stepsWithCharging > 600, "only \(stepsWithCharging) steps had anyone charging")
            #expect(stepsWithPaused > 300, "only \(stepsWithPaused) steps had a session paused")
        }
        for caseNumber in 0..<600 {
            let random = RandomSite.make(&rng)
            let balancer = try LoadBalancer(site: random.site)
            var state = BalancingState()
            var now = 1_700_000_000.0 + rng.double(0...604_800)
            var live: [Session] = []
            var last: BalancingOutcome?
            for stepNumber in 0..<5 {
                for consumer in random.site.consumers where rng.chance(0.4) {
                    if let index = live.firstIndex(where: { $0.consumer == consumer.id }) {
                        if rng.chance(0.3) { live.remove(at: index) }
                    } else {
                        live.append(Session(consumer: consumer.id, startedAt: at(now), priority: rng.int(0...2)))
                    }
                }
                let input = random.input(&rng, now: now, sessions: live, previous: last)
                let (outcome, next) = balancer.allocate(input, previous: state, now: at(now))
                let problems = invariantViolations(site: random.site, input: input, outcome: outcome, now: at(now))
                #expect(problems.isEmpty, "batch \(batch) case \(caseNumber) step \(stepNumber): \(problems)")
                if !problems.isEmpty { return }
                if let due = outcome.nextDecisionAt { #expect(due > at(now)) }
                if outcome.setpoints.contains(where: \.on) { stepsWithCharging += 1 }
                let sessionIDs = Set(live.map(\.consumer))
                if outcome.setpoints.contains(where: { !$0.on && sessionIDs.contains($0.consumer) }) { stepsWithPaused += 1 }
                state = next
                last = outcome
                now += rng.double(1...120)
            }
        }
    }

    @Test("with round allocation every session charges within one period per session", arguments: 0..<4)
    func rotationIsFair(batch: Int) throws {
        var rng = SplitMix64(seed: 0x0707_0000 + UInt64(batch))
        for caseNumber in 0..<100 {
            let count = rng.int(2...12)
            var consumers: [Consumer] = []
            for n in 0..<count {
                if rng.chance(0.3) {
                    consumers.append(.socket(id: "s\(n)", circuit: "grid", phase: rng.pick(Phase.allCases), nominalCurrent: rng.double(1...10)))
                } else {
                    let minimum = rng.double(6...10)
                    consumers.append(.charger(
                        id: "e\(n)", circuit: "grid", minCurrent: minimum, maxCurrent: minimum + rng.double(0...20),
                        phaseCount: rng.chance(0.5) ? 3 : 1, rotation: rng.pick(Phase.allCases)))
                }
            }
            // Every minimum fits on its own, but not all together.
            let fuse = rng.double(10...30)
            let period = rng.double(60...900)
            let settings = BalancingSettings(
                mode: .staticLimit, strategy: rng.pick([.equalShare, .firstComeFirstServed]), shortage: .rotate,
                rotationPeriod: period)
            let balancer = try makeBalancer(
                circuits: [Circuit(id: "grid", maxCurrent: fuse)], consumers: consumers, settings: settings)
            let live = consumers.enumerated().map { Session(consumer: $1.id, startedAt: at(Double($0))) }
            var state = BalancingState()
            var charged: Set<ConsumerID> = []
            var now = 1000.0
            // count periods, with extra steps inside each period that must not disturb the rotation.
            for _ in 0..<count {
                for _ in 0..<3 {
                    let outcome = step(balancer, &state, at: now, sessions: live)
                    for sp in outcome.setpoints where sp.on { charged.insert(sp.consumer) }
                    for sp in outcome.setpoints where !sp.on {
                        #expect(sp.reason == .waitingForRotation, "case \(caseNumber): \(sp)")
                    }
                    now += period / 3
                }
            }
            #expect(charged.count == count, "case \(caseNumber): only \(charged.sorted()) of \(count) charged")
        }
    }

    @Test("a stale meter never raises what its circuit may draw", arguments: 0..<2)
    func staleNeverRaises(batch: Int) throws {
        var rng = SplitMix64(seed: 0x57A1_E000 + UInt64(batch))
        for caseNumber in 0..<500 {
            var random = RandomSite.make(&rng)
            random.site.settings.mode = rng.pick([.dynamic, .solarPlusMinimum])
            for n in random.site.circuits.indices { random.site.circuits[n].metered = true }
            let balancer = try LoadBalancer(site: random.site)
            let now = 1_700_000_000.0
            let live = random.site.consumers.map { Session(consumer: $0.id, startedAt: at(now - 100)) }
            var input = random.input(&rng, now: now, sessions: live, previous: nil)
            for id in input.measurements.circuits.keys { input.measurements.circuits[id]!.at = at(now) }
            for id in input.measurements.consumers.keys { input.measurements.consumers[id]!.at = at(now) }
            let fresh = balancer.allocate(input, previous: BalancingState(), now: at(now)).0

            // The same readings, but one circuit meter and one consumer meter went silent long ago.
            var staleInput = input
            let circuit = rng.pick(random.site.circuits)
            let limit = balancer.staleAfter(circuit: circuit.id)!
            staleInput.measurements.circuits[circuit.id]?.at = at(now - limit - 0.001)
            let consumer = rng.pick(random.site.consumers)
            staleInput.measurements.consumers[consumer.id]?.at = at(now - 10_000)
            let stale = balancer.allocate(staleInput, previous: BalancingState(), now: at(now)).0

            // Just inside the limit the reading is still used.
            var almost = input
            almost.measurements.circuits[circuit.id]?.at = at(now - limit + 0.001)
            if almost.measurements.circuits[circuit.id] != nil {
                let stillFresh = balancer.allocate(almost, previous: BalancingState(), now: at(now)).0
                #expect(stillFresh.circuit(circuit.id)?.onSafeLimit == false, "case \(caseNumber)")
            }

            let report = try #require(stale.circuit(circuit.id))
            #expect(report.onSafeLimit, "case \(caseNumber)")
            let safe = circuit.safeCurrent.map { min($0, circuit.maxCurrent ?? $0) }
                ?? (circuit.safePower == nil ? 0 : circuit.maxCurrent)
            if let safe {
                let available = try #require(report.available)
                for value in [available.l1, available.l2, available.l3] { #expect(value <= safe + 1e-9) }
                for value in [report.allocated.l1, report.allocated.l2, report.allocated.l3] { #expect(value <= safe + 1e-6) }
            }
            // An unknown consumer draw counts as base load: no other node's headroom grows.
            for (before, after) in zip(fresh.circuits, stale.circuits) where after.circuit != circuit.id {
                if let a = after.available, let b = before.available {
                    #expect(a.l1 <= b.l1 + 1e-9 && a.l2 <= b.l2 + 1e-9 && a.l3 <= b.l3 + 1e-9, "case \(caseNumber) \(after.circuit)")
                }
                if let a = after.availablePower, let b = before.availablePower { #expect(a <= b + 1e-6) }
            }
            #expect(invariantViolations(site: random.site, input: staleInput, outcome: stale, now: at(now)).isEmpty)
        }
    }
}

@Suite("Solar budget properties")
struct SolarPropertyTests {
    @Test("the solar budget is respected and computed from fresh readings only", arguments: 0..<2)
    func budgetRespected(batch: Int) throws {
        var rng = SplitMix64(seed: 0x5014_0000 + UInt64(batch))
        var budgetBound = 0
        for caseNumber in 0..<400 {
            var random = RandomSite.make(&rng)
            random.site.settings.mode = rng.pick([.solarOnly, .solarPlusMinimum])
            random.site.settings.solar.startDelay = rng.pick([0, 0, 30])
            random.site.settings.solar.startThreshold = rng.double(0...3000)
            random.site.circuits[0].metered = true
            random.site.circuits[0].maxCurrent = 400
            let balancer = try LoadBalancer(site: random.site)
            var state = BalancingState()
            var now = 1_700_000_000.0
            let live = random.site.consumers.map { Session(consumer: $0.id, startedAt: at(now)) }
            var last: BalancingOutcome?
            for stepNumber in 0..<4 {
                var input = random.input(&rng, now: now, sessions: live, previous: last)
                // Mostly fresh readings, with a grid meter that exports between 0 and 20 kW.
                input.measurements.circuits["grid"] = MeterReading(
                    at: at(now - rng.double(0...2)), currents: PhaseCurrents(uniform: 0), power: -rng.double(0...20_000))
                let (outcome, next) = balancer.allocate(input, previous: state, now: at(now))
                let problems = invariantViolations(site: random.site, input: input, outcome: outcome, now: at(now))
                #expect(problems.isEmpty, "batch \(batch) case \(caseNumber) step \(stepNumber): \(problems)")
                if outcome.setpoints.contains(where: { $0.reason == .solarSurplus }) { budgetBound += 1 }
                state = next
                last = outcome
                now += rng.double(1...60)
            }
        }
        #expect(budgetBound > 200, "the solar budget bound only \(budgetBound) times")
    }
}
