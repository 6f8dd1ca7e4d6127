// A simulated 24-hour day of the simulated site, run over the engine as fast as it computes:
// PV bell curve, building load with morning and evening peaks and noise, random arrivals.
//
// Time model (why the grid check can be strict): the building load and PV are sampled once per
// control step and held for that step. At each step the meters read the new building load and
// PV together with what the consumers still draw, the engine allocates, and the consumers follow
// the new setpoints for the rest of the step. The grid current that flows during each step is
// therefore base + allocations - PV, and that is what is checked against the fuse at every step.
// What the model leaves out is the real loop's reaction time within a step (meter poll, relay and
// charger delay); the report counts the instants at which a load jump plus the consumers' old
// draw would exceed the fuse until they follow.

import Foundation
@testable import LoadBalancing
import SeededRandom

struct DaySimulation {
    static let stepSeconds = 10.0
    static let dayStart = 1_782_000_000.0 - 1_782_000_000.0.truncatingRemainder(dividingBy: 86_400)
    static let fuse = 25.0
    static let voltage = 230.0
    static let pvPeak = 9_000.0

    struct SessionRecord {
        var consumer: ConsumerID
        var arrival: Double
        var departure: Double
        var energy: Double = 0  // Wh
        var solarEnergy: Double = 0  // Wh
        /// Chargers: what the car still takes (Wh); sockets: unlimited.
        var need: Double
        /// Sockets: the device's draw as a share of the nominal current; chargers: the car's maximum current.
        var acceptance: Double
        var everOn = false
    }

    struct Report {
        var sessions: [SessionRecord]
        var steps: Int
        /// Highest grid current on any phase during any step (A).
        var peakGridCurrent: Double
        /// Steps during which a phase of the grid connection carried more than the fuse.
        var overLimitSteps: [(at: Double, currents: [Double])]
        /// Instants at which a load jump plus the consumers' old draw exceeded the fuse before they followed.
        var momentaryOverLimit: Int
        var pvEnergy: Double  // Wh
        var buildingEnergy: Double  // Wh

        var delivered: Double { sessions.map(\.energy).reduce(0, +) }
        var solarCovered: Double { sessions.map(\.solarEnergy).reduce(0, +) }
        var solarShare: Double { delivered > 0 ? solarCovered / delivered : 0 }

        var text: String {
            var lines = ["simulated day: \(steps) steps of \(Int(DaySimulation.stepSeconds)) s, \(sessions.count) sessions"]
            for s in sessions {
                lines.append("  \(s.consumer.padding(toLength: 14, withPad: " ", startingAt: 0)) "
                    + "\(clock(s.arrival))-\(clock(s.departure))  \(format(s.energy, 1)) Wh")
            }
            lines.append("delivered \(format(delivered / 1000, 2)) kWh, of it from PV \(format(solarCovered / 1000, 2)) kWh: "
                + "solar share \(format(solarShare * 100, 1)) %")
            lines.append("PV produced \(format(pvEnergy / 1000, 2)) kWh, building used \(format(buildingEnergy / 1000, 2)) kWh")
            lines.append("grid peak \(format(peakGridCurrent, 2)) A per phase (fuse \(format(DaySimulation.fuse, 0)) A), "
                + "steps over the fuse: \(overLimitSteps.count), momentary before the consumers followed: \(momentaryOverLimit)")
            return lines.joined(separator: "\n")
        }
    }

    /// The simulated site: 12 compartment sockets on assorted phases and two three-phase chargers.
    static func site() -> SiteConfiguration {
        let phases: [Phase] = [.l1, .l2, .l3]
        let watts: [Double] = [460, 230, 345, 460, 115, 230, 460, 345, 230, 460, 115, 345]
        var consumers = (0..<12).map { i in
            Consumer.socket(
                id: "compartment-\(i + 1)", circuit: "lockers", phase: phases[i % 3], nominalCurrent: watts[i] / voltage,
                minOnTime: 60, minOffTime: 30)
        }
        consumers.append(.charger(id: "charger-1", circuit: "carport", minCurrent: 6, maxCurrent: 16, minOnTime: 120, minOffTime: 60))
        consumers.append(.charger(
            id: "charger-2", circuit: "carport", minCurrent: 6, maxCurrent: 16, rotation: .l2, minOnTime: 120, minOffTime: 60))
        return SiteConfiguration(
            circuits: [
                Circuit(id: "grid", maxCurrent: fuse, metered: true, safeCurrent: 10),
                Circuit(id: "lockers", parent: "grid", maxCurrent: 10),
                Circuit(id: "carport", parent: "grid", maxCurrent: 32),
            ],
            consumers: consumers,
            settings: BalancingSettings(nominalVoltage: voltage, mode: .dynamic, shortage: .rotate, rotationPeriod: 900))
    }

    /// PV production (W) at hour h: a bell from sunrise to sunset, dimmed by passing clouds.
    static func pv(hour h: Double, cloud: Double) -> Double {
        let sunrise = 5.5, sunset = 21.0
        guard h > sunrise, h < sunset else { return 0 }
        let x = (h - sunrise) / (sunset - sunrise)
        let bell = pow(sin(Double.pi * x), 1.6)
        return pvPeak * bell * (1 - cloud)
    }

    /// Building load (W) at hour h without noise: night base, morning and evening peaks.
    static func building(hour h: Double) -> Double {
        func peak(_ centre: Double, _ width: Double, _ height: Double) -> Double {
            height * exp(-((h - centre) * (h - centre)) / (2 * width * width))
        }
        return 900 + peak(7.5, 1.0, 3_500) + peak(12.5, 1.5, 1_500) + peak(19.0, 1.5, 5_000)
    }

    static func clock(_ t: Double) -> String {
        let minutes = Int((t - dayStart) / 60)
        return "\(minutes / 60 < 10 ? "0" : "")\(minutes / 60):\(minutes % 60 < 10 ? "0" : "")\(minutes % 60)"
    }

    static func format(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        guard decimals > 0 else { return "\(Int(rounded))" }
        var text = "\(rounded)"
        let fraction = text.split(separator: ".").last.map(\.count) ?? 0
        for _ in fraction..<decimals { text += "0" }
        return text
    }

    /// Runs the day (or its first `steps` steps); every step is also handed to `check` for invariant checks.
    static func run(
        seed: UInt64, steps: Int = Int(86_400 / stepSeconds),
        check: (SiteConfiguration, BalancingInput, BalancingOutcome, Instant) -> Void = { _, _, _, _ in })
        throws -> Report
    {
        var random = SplitMix64(seed: seed)
        let site = site()
        let balancer = try LoadBalancer(site: site)
        let consumers = site.consumers
        var state = BalancingState()
        var draw = [ConsumerID: [Double]]()  // per grid phase, what each consumer draws now
        var active: [ConsumerID: Int] = [:]  // index into sessions
        var sessions: [SessionRecord] = []
        var noise = [0.0, 0.0, 0.0]
        var cloud = 0.0
        let phaseShare = [0.42, 0.33, 0.25]  // the building's load is not balanced over the phases
        var report = Report(
            sessions: [], steps: steps, peakGridCurrent: -.infinity, overLimitSteps: [], momentaryOverLimit: 0,
            pvEnergy: 0, buildingEnergy: 0)
        let hours = stepSeconds / 3600

        for k in 0..<steps {
            let t = dayStart + Double(k) * stepSeconds
            let h = Double(k) * stepSeconds / 3600
            let now = Instant(secondsSinceEpoch: t)

            // Departures, then arrivals (more in the morning and the evening).
            for (id, index) in active where sessions[index].departure <= t {
                active[id] = nil
                draw[id] = nil
            }
            let busy = (h > 7 && h < 10) || (h > 16 && h < 20) ? 3.0 : (h > 6 && h < 22 ? 1.0 : 0.15)
            for consumer in consumers where active[consumer.id] == nil {
                let perHour = (consumer.kind == .socket ? 0.08 : 0.12) * busy
                guard random.chance(perHour * hours) else { continue }
                let stay = consumer.kind == .socket ? random.double(1_800...10_800) : random.double(3_600...21_600)
                let record = SessionRecord(
                    consumer: consumer.id, arrival: t, departure: min(t + stay, dayStart + 86_400),
                    need: consumer.kind == .socket ? .infinity : random.double(5_000...30_000),
                    acceptance: consumer.kind == .socket ? random.double(0.6...1.0) : random.pick([10, 13, 16]))
                active[consumer.id] = sessions.count
                sessions.append(record)
            }

            // Building load and PV for this step (held for the step).
            cloud = min(0.5, max(0, cloud + random.double(-0.05...0.05)))
            let pvPower = pv(hour: h, cloud: cloud)
            for p in 0..<3 { noise[p] = min(2, max(-2, noise[p] + random.double(-0.3...0.3))) }
            let base = (0..<3).map { max(0, building(hour: h) * phaseShare[$0] / voltage + noise[$0]) }
            let buildingPower = base.reduce(0, +) * voltage
            let pvPhase = pvPower / 3 / voltage

            func grid(_ draws: [ConsumerID: [Double]]) -> [Double] {
                var currents = (0..<3).map { base[$0] - pvPhase }
                for d in draws.values { for p in 0..<3 { currents[p] += d[p] } }
                return currents
            }

            // Meters read the new building load and PV with what the consumers still draw.
            let before = grid(draw)
            if before.contains(where: { $0 > fuse + 1e-9 }) { report.momentaryOverLimit += 1 }
            var measurements = Measurements(
                circuits: ["grid": MeterReading(at: now, currents: PhaseCurrents(l1: before[0], l2: before[1], l3: before[2]))],
                pvProduction: PowerReading(at: now, power: pvPower))
            for consumer in consumers {
                let d = draw[consumer.id] ?? [0, 0, 0]
                let own = consumer.gridPhaseIndices.map { d[$0] } + Array(repeating: 0.0, count: 3 - consumer.phaseCount)
                measurements.consumers[consumer.id] = MeterReading(at: now, currents: PhaseCurrents(l1: own[0], l2: own[1], l3: own[2]))
            }
            let input = BalancingInput(
                measurements: measurements,
                sessions: active.map { Session(consumer: $0.key, startedAt: Instant(secondsSinceEpoch: sessions[$0.value].arrival)) })
            let (outcome, next) = balancer.allocate(input, previous: state, now: now)
            state = next
            check(site, input, outcome, now)

            // Consumers follow their setpoints: sockets draw what the device takes, cars up to their own maximum.
            var consumerPower = 0.0
            var powerOf: [ConsumerID: Double] = [:]
            for consumer in consumers {
                guard let index = active[consumer.id], let sp = outcome.setpoint(for: consumer.id), sp.on else {
                    draw[consumer.id] = nil
                    continue
                }
                sessions[index].everOn = true
                let record = sessions[index]
                let amps = consumer.kind == .socket
                    ? sp.current * record.acceptance
                    : (record.need > record.energy ? min(sp.current, record.acceptance) : 0)
                var d = [0.0, 0.0, 0.0]
                for p in consumer.gridPhaseIndices { d[p] = amps }
                draw[consumer.id] = d
                powerOf[consumer.id] = amps * Double(consumer.phaseCount) * voltage
                consumerPower += powerOf[consumer.id]!
            }
            let during = grid(draw)
            report.peakGridCurrent = max(report.peakGridCurrent, during.max()!)
            if during.contains(where: { $0 > fuse + 1e-9 }) { report.overLimitSteps.append((t, during)) }

            // Energy: PV covers the building first; what is left over covers the consumers.
            let solarForConsumers = min(consumerPower, max(0, pvPower - buildingPower))
            for (id, power) in powerOf {
                let index = active[id]!
                sessions[index].energy += power * hours
                if consumerPower > 0 { sessions[index].solarEnergy += solarForConsumers * power / consumerPower * hours }
            }
            report.pvEnergy += pvPower * hours
            report.buildingEnergy += buildingPower * hours
        }
        report.sessions = sessions
        return report
    }
}
