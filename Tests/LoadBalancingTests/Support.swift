// Helpers shared by the suites: short constructors and an independent reference of the limits.

import Testing
@testable import LoadBalancing

func at(_ seconds: Double) -> Instant { Instant(secondsSinceEpoch: seconds) }

func symmetric(_ amps: Double, at time: Instant, power: Double? = nil) -> MeterReading {
    MeterReading(at: time, currents: PhaseCurrents(uniform: amps), power: power)
}

func makeBalancer(
    circuits: [Circuit], consumers: [Consumer], schedule: [SchedulePeriod] = [],
    settings: BalancingSettings = BalancingSettings()
) throws -> LoadBalancer {
    try LoadBalancer(site: SiteConfiguration(circuits: circuits, consumers: consumers, schedule: schedule, settings: settings))
}

/// Runs one step and returns the outcome, threading the state through `state`.
func step(
    _ balancer: LoadBalancer, _ state: inout BalancingState, at time: Double, sessions: [Session] = [],
    measurements: Measurements = Measurements(), central: [CentralLimit] = []
) -> BalancingOutcome {
    let (outcome, next) = balancer.allocate(
        BalancingInput(measurements: measurements, sessions: sessions, centralLimits: central), previous: state,
        now: at(time))
    state = next
    return outcome
}

func sessions(_ ids: [String], startedAt start: Double = 0, priority: Int = 0) -> [Session] {
    ids.enumerated().map { Session(consumer: $1, startedAt: at(start + Double($0)), priority: priority) }
}

/// What our consumers below each node may draw, computed from the inputs without the engine:
/// per-phase amps and watts (nil where unlimited). The invariant tests compare against this.
struct ReferenceLimit {
    var members: Set<ConsumerID>
    var phases: [Double]?
    var power: Double?
    var name: String
}

func referenceLimits(site: SiteConfiguration, input: BalancingInput, now: Instant) -> [ReferenceLimit] {
    let s = site.settings
    let v = s.nominalVoltage
    var byID: [CircuitID: Circuit] = [:]
    for c in site.circuits { byID[c.id] = c }
    func below(_ id: CircuitID) -> Set<ConsumerID> {
        Set(site.consumers.filter { consumer in
            var node: CircuitID? = consumer.circuit
            while let n = node {
                if n == id { return true }
                node = byID[n]?.parent
            }
            return false
        }.map(\.id))
    }
    func gridDraw(_ consumer: Consumer) -> ([Double], Double) {
        guard let r = input.measurements.consumers[consumer.id], now.secondsSinceEpoch - r.at.secondsSinceEpoch < s.meterStaleAfter
        else { return ([0, 0, 0], 0) }
        var d = [0.0, 0.0, 0.0]
        let own = [r.currents.l1, r.currents.l2, r.currents.l3]
        for k in 0..<consumer.phaseCount { d[(consumer.firstPhase.rawValue - 1 + k) % 3] = own[k] }
        return (d, r.power ?? d.reduce(0, +) * v)
    }
    var limits: [ReferenceLimit] = []
    for circuit in site.circuits {
        let members = below(circuit.id)
        let stale = circuit.staleAfter ?? s.meterStaleAfter
        let reading = input.measurements.circuits[circuit.id]
        if s.mode == .staticLimit || !circuit.metered {
            limits.append(ReferenceLimit(
                members: members, phases: circuit.maxCurrent.map { [$0, $0, $0] }, power: circuit.maxPower, name: circuit.id))
        } else if let r = reading, now.secondsSinceEpoch - r.at.secondsSinceEpoch < stale {
            var ours = [0.0, 0.0, 0.0]
            var oursPower = 0.0
            for c in site.consumers where members.contains(c.id) {
                let (d, p) = gridDraw(c)
                for k in 0..<3 { ours[k] += d[k] }
                oursPower += p
            }
            let isRoot = circuit.parent == nil
            let meter = [r.currents.l1, r.currents.l2, r.currents.l3]
            let base = (0..<3).map { isRoot ? meter[$0] - ours[$0] : max(0, meter[$0] - ours[$0]) }
            let meterPower = r.power ?? meter.reduce(0, +) * v
            let basePower = isRoot ? meterPower - oursPower : max(0, meterPower - oursPower)
            limits.append(ReferenceLimit(
                members: members, phases: circuit.maxCurrent.map { fuse in base.map { fuse - $0 } },
                power: circuit.maxPower.map { $0 - basePower }, name: circuit.id))
        } else {
            // Stale: never more than the safe limit, and never more than the fuse.
            let safe = circuit.safeCurrent ?? (circuit.safePower == nil ? 0 : circuit.maxCurrent)
            limits.append(ReferenceLimit(
                members: members, phases: safe.map { [$0, $0, $0] },
                power: circuit.safePower.map { min($0, circuit.maxPower ?? $0) }, name: "\(circuit.id) (stale)"))
            limits.append(ReferenceLimit(
                members: members, phases: circuit.maxCurrent.map { [$0, $0, $0] }, power: circuit.maxPower,
                name: "\(circuit.id) fuse"))
        }
    }
    let all = Set(site.consumers.map(\.id))
    for limit in input.centralLimits where limit.consumer == nil {
        limits.append(ReferenceLimit(
            members: all, phases: limit.unit == .amperes ? [limit.limit, limit.limit, limit.limit] : nil,
            power: limit.unit == .watts ? limit.limit : nil, name: "central"))
    }
    for period in site.schedule where period.isActive(at: now, utcOffset: s.utcOffset) {
        limits.append(ReferenceLimit(
            members: below(period.circuit ?? site.circuits.first { $0.parent == nil }!.id),
            phases: period.maxCurrent.map { [$0, $0, $0] }, power: period.maxPower, name: "schedule"))
    }
    return limits
}

/// Records every invariant violation of one outcome (an empty list means all hold).
func invariantViolations(site: SiteConfiguration, input: BalancingInput, outcome: BalancingOutcome, now: Instant) -> [String] {
    var problems: [String] = []
    let v = site.settings.nominalVoltage
    let sessionIDs = Set(input.sessions.map(\.consumer))
    for limit in referenceLimits(site: site, input: input, now: now) {
        var phases = [0.0, 0.0, 0.0]
        var power = 0.0
        for sp in outcome.setpoints where limit.members.contains(sp.consumer) {
            phases[0] += sp.gridCurrents.l1
            phases[1] += sp.gridCurrents.l2
            phases[2] += sp.gridCurrents.l3
            power += sp.power
        }
        if let allowed = limit.phases {
            for p in 0..<3 where phases[p] > max(0, allowed[p]) + 1e-6 {
                problems.append("\(limit.name): phase L\(p + 1) \(phases[p]) A > \(max(0, allowed[p])) A")
            }
        }
        if let allowed = limit.power, power > max(0, allowed) + 1e-3 {
            problems.append("\(limit.name): \(power) W > \(max(0, allowed)) W")
        }
    }
    for consumer in site.consumers {
        guard let sp = outcome.setpoint(for: consumer.id) else {
            problems.append("\(consumer.id): no setpoint")
            continue
        }
        var ceiling = consumer.maxCurrent
        for limit in input.centralLimits where limit.consumer == consumer.id {
            ceiling = min(ceiling, limit.unit == .amperes ? limit.limit : limit.limit / (Double(consumer.phaseCount) * v))
        }
        if sp.current != 0 && (sp.current < consumer.minCurrent - 1e-9 || sp.current > ceiling + 1e-9) {
            problems.append("\(consumer.id): \(sp.current) A outside [\(consumer.minCurrent), \(ceiling)]")
        }
        if sp.on != (sp.current > 0) { problems.append("\(consumer.id): on=\(sp.on) with \(sp.current) A") }
        if sp.on && !sessionIDs.contains(consumer.id) { problems.append("\(consumer.id): on without a session") }
    }
    problems += solarViolations(site: site, input: input, outcome: outcome, now: now)
    return problems
}

/// In the solar modes: the surplus is computed as documented and the budget is respected.
func solarViolations(site: SiteConfiguration, input: BalancingInput, outcome: BalancingOutcome, now: Instant) -> [String] {
    let s = site.settings
    guard s.mode == .solarOnly || s.mode == .solarPlusMinimum else { return [] }
    guard let solar = outcome.solar else { return ["no solar report in mode \(s.mode)"] }
    let m = input.measurements
    func fresh(_ t: Instant, _ limit: Double) -> Bool { now.secondsSinceEpoch - t.secondsSinceEpoch < limit }
    let root = site.circuits.first { $0.parent == nil }!
    var problems: [String] = []
    if let grid = m.circuits[root.id], fresh(grid.at, root.staleAfter ?? s.meterStaleAfter) {
        var surplus = -(grid.power ?? grid.currents.sum * s.nominalVoltage)
        for c in site.consumers {
            guard let r = m.consumers[c.id], fresh(r.at, s.meterStaleAfter) else { continue }
            let own = [r.currents.l1, r.currents.l2, r.currents.l3].prefix(c.phaseCount)
            surplus += r.power ?? own.reduce(0, +) * s.nominalVoltage
        }
        if s.solar.batteryChargeCountsAsSurplus, let b = m.battery, fresh(b.at, s.meterStaleAfter) { surplus += max(0, b.power) }
        if let pv = m.pvProduction, fresh(pv.at, s.meterStaleAfter) { surplus = min(surplus, max(0, pv.power)) }
        if abs(surplus - solar.surplus) > 1e-6 * max(1, abs(surplus)) { problems.append("surplus \(solar.surplus) W, expected \(surplus) W") }
    } else if solar.gridMeterFresh || solar.active {
        problems.append("solar uses a stale grid meter")
    }
    let on = outcome.setpoints.filter(\.on)
    let total = on.map(\.power).reduce(0, +)
    let minimumPower: (Setpoint) -> Double = { sp in
        let c = site.consumers.first { $0.id == sp.consumer }!
        return c.minCurrent * Double(c.phaseCount) * s.nominalVoltage
    }
    if s.mode == .solarOnly {
        if !solar.active && !on.isEmpty { problems.append("solar inactive but \(on.map(\.consumer)) on") }
        // While running, at least one session may keep its minimum through the stop delay.
        let smallest = on.map(minimumPower).min() ?? 0
        if total > max(max(0, solar.surplus), smallest) + 1e-3 { problems.append("solar budget exceeded: \(total) W") }
    } else {
        let minimums = on.map(minimumPower).reduce(0, +)
        if total > max(max(0, solar.surplus), minimums) + 1e-3 { problems.append("solar budget exceeded: \(total) W") }
    }
    return problems
}
