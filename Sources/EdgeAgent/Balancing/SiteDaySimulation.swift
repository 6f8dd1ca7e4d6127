import Foundation
import LoadBalancing

/// A simulated 24-hour day of a site, from its own site file, run over the load-balancing engine as fast as it
/// computes (`edge-agent simulate-day`, docs/load-balancing.md, "A simulated day of a site file"). The site goes
/// through the daemon's own mapping (`BalancingSiteMapping.engineSite`): its grid limit, safe limit, mode,
/// strategy, compartments on their phases and chargers.
///
/// Time model: the building load and PV are sampled once per step and held for the step. At each step the
/// meters read the new building load and PV together with what the consumers still draw, the engine allocates,
/// and the consumers follow the new setpoints for the rest of the step; the grid current that flows during the
/// step (building + consumers - PV) is what is checked against the limit.
public struct SiteDaySimulation: Sendable {
    public struct Settings: Sendable {
        public var stepSeconds: Double = 10
        /// PV peak at solar noon (W), a bell from 05:30 to 21:00 UTC dimmed by passing clouds.
        public var pvPeakWatts: Double = 4_000
        /// The building's night load (W); morning, noon and evening peaks come on top.
        public var buildingBaseWatts: Double = 900
        /// Multiplies every arrival rate.
        public var arrivals: Double = 1
        public init() {}
    }

    public struct SessionReport: Sendable, Codable, Equatable {
        public var consumer: String
        public var name: String
        public var arrival: Date
        public var departure: Date
        public var energyWh: Double
        public var solarWh: Double
        /// Seconds its socket was on / its charger was allowed to charge.
        public var chargingSeconds: Double
        /// Seconds it waited (paused by balancing) while its session wanted power.
        public var pausedSeconds: Double
    }

    public struct Report: Sendable, Codable, Equatable {
        public var day: Date
        public var steps: Int
        public var stepSeconds: Double
        public var gridLimitAmps: Double
        /// The largest current on each grid phase during any step (A).
        public var peakGridAmps: [String: Double]
        /// Steps during which some phase carried more than the limit (must be 0).
        public var stepsOverLimit: Int
        /// Instants at which a building load jump plus the consumers' previous draw exceeded the limit before the
        /// next decision (the engine reacts at the next step, not before).
        public var momentaryOverLimit: Int
        public var deliveredWh: Double
        public var solarWh: Double
        /// Energy the consumers took from PV / energy delivered (PV covers the building first).
        public var solarShare: Double
        public var pvWh: Double
        public var buildingWh: Double
        public var sessions: [SessionReport]

        public var text: String {
            func f(_ v: Double, _ d: Int = 1) -> String { String(format: "%.\(d)f", v) }
            var lines = ["simulated day \(day.ISO8601Format().prefix(10)): \(steps) steps of \(Int(stepSeconds)) s, "
                + "\(sessions.count) sessions, grid limit \(f(gridLimitAmps, 0)) A per phase"]
            for s in sessions {
                lines.append("  \(s.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(Self.clock(s.arrival, day))-"
                    + "\(Self.clock(s.departure, day))  \(f(s.energyWh).leftPadded(9)) Wh"
                    + (s.pausedSeconds > 0 ? "  (paused \(Int(s.pausedSeconds / 60)) min)" : ""))
            }
            lines.append("delivered \(f(deliveredWh / 1000, 2)) kWh, of it from PV \(f(solarWh / 1000, 2)) kWh: "
                + "solar share \(f(solarShare * 100)) %")
            lines.append("PV produced \(f(pvWh / 1000, 2)) kWh, building used \(f(buildingWh / 1000, 2)) kWh")
            let peaks = ["L1", "L2", "L3"].map { "\($0) \(f(peakGridAmps[$0] ?? 0, 2))" }.joined(separator: ", ")
            lines.append("max grid draw \(peaks) A (limit \(f(gridLimitAmps, 0)) A), steps over the limit: \(stepsOverLimit), "
                + "momentary before the consumers followed: \(momentaryOverLimit)")
            return lines.joined(separator: "\n")
        }

        static func clock(_ date: Date, _ day: Date) -> String {
            let minutes = Int(date.timeIntervalSince(day) / 60)
            return String(format: "%02d:%02d", minutes / 60, minutes % 60)
        }
    }

    public let configuration: SiteConfiguration
    public let settings: Settings

    public init(configuration: SiteConfiguration, settings: Settings = Settings()) {
        self.configuration = configuration
        self.settings = settings
    }

    /// PV production (W) at hour h (UTC) under a cloud cover of 0...0.5.
    func pv(hour h: Double, cloud: Double) -> Double {
        guard h > 5.5, h < 21 else { return 0 }
        return settings.pvPeakWatts * pow(sin(Double.pi * (h - 5.5) / 15.5), 1.6) * (1 - cloud)
    }

    /// The building's load (W) at hour h without noise: night base, peaks at 07:30, 12:30 and 19:00.
    func building(hour h: Double) -> Double {
        func peak(_ centre: Double, _ width: Double, _ height: Double) -> Double {
            height * exp(-((h - centre) * (h - centre)) / (2 * width * width))
        }
        return settings.buildingBaseWatts + peak(7.5, 1.0, 3_500) + peak(12.5, 1.5, 1_500) + peak(19.0, 1.5, 5_000)
    }

    private struct Visit {
        var consumer: Int
        var arrival: Double
        var departure: Double
        var need: Double  // Wh a car still takes; sockets: unlimited
        var acceptance: Double  // sockets: share of the nominal draw; cars: their own maximum current
        var energy = 0.0
        var solar = 0.0
        var charging = 0.0
        var paused = 0.0
    }

    /// Runs the day starting at `day` (midnight UTC), with arrivals, clouds and noise drawn from `random`.
    public func run(day: Date, random: inout some RandomNumberGenerator) throws(SiteConfigurationError) -> Report {
        let site = BalancingSiteMapping.engineSite(configuration)
        let balancer = try LoadBalancer(site: site)
        let voltage = site.settings.nominalVoltage
        let limit = configuration.balancing.gridLimitAmpsPerPhase
        let consumers = site.consumers
        let names = configuration.compartments.map(\.name) + configuration.chargers.map(\.name)
        let step = settings.stepSeconds
        let steps = Int(86_400 / step)
        let hours = step / 3600
        let phaseShare = [0.42, 0.33, 0.25]  // the building is not balanced over the phases
        var state = BalancingState()
        var draw = Array(repeating: [0.0, 0.0, 0.0], count: consumers.count)  // per grid phase, now
        var active: [Int: Int] = [:]  // consumer -> visit
        var visits: [Visit] = []
        var noise = [0.0, 0.0, 0.0]
        var cloud = 0.0
        var report = Report(
            day: day, steps: steps, stepSeconds: step, gridLimitAmps: limit, peakGridAmps: [:], stepsOverLimit: 0,
            momentaryOverLimit: 0, deliveredWh: 0, solarWh: 0, solarShare: 0, pvWh: 0, buildingWh: 0, sessions: [])
        var peaks = [-Double.infinity, -.infinity, -.infinity]
        func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &random) }

        for k in 0..<steps {
            let t = day.timeIntervalSince1970 + Double(k) * step
            let h = Double(k) * step / 3600
            for (consumer, index) in active where visits[index].departure <= t {
                active[consumer] = nil
                draw[consumer] = [0, 0, 0]
            }
            let busy = (h > 7 && h < 10) || (h > 16 && h < 20) ? 3.0 : (h > 6 && h < 22 ? 1.0 : 0.15)
            for (i, consumer) in consumers.enumerated() where active[i] == nil {
                let perHour = (consumer.kind == .socket ? 0.08 : 0.12) * busy * settings.arrivals
                guard uniform(0...1) < perHour * hours else { continue }
                let stay = consumer.kind == .socket ? uniform(1_800...10_800) : uniform(3_600...21_600)
                active[i] = visits.count
                visits.append(Visit(
                    consumer: i, arrival: t, departure: min(t + stay, day.timeIntervalSince1970 + 86_400),
                    need: consumer.kind == .socket ? .infinity : uniform(5_000...30_000),
                    acceptance: consumer.kind == .socket ? uniform(0.6...1.0) : min(consumer.maxCurrent, [10.0, 13, 16, 32][Int(uniform(0...3.999))])))
            }

            cloud = min(0.5, max(0, cloud + uniform(-0.05...0.05)))
            let pvPower = pv(hour: h, cloud: cloud)
            for p in 0..<3 { noise[p] = min(2, max(-2, noise[p] + uniform(-0.3...0.3))) }
            let base = (0..<3).map { max(0, building(hour: h) * phaseShare[$0] / voltage + noise[$0]) }
            let buildingPower = base.reduce(0, +) * voltage
            func grid() -> [Double] {
                (0..<3).map { p in base[p] - pvPower / 3 / voltage + draw.reduce(0) { $0 + $1[p] } }
            }

            let before = grid()
            if before.contains(where: { $0 > limit + 1e-9 }) { report.momentaryOverLimit += 1 }
            let now = Instant(secondsSinceEpoch: t)
            var measurements = Measurements(
                circuits: [BalancingSiteMapping.gridCircuit: MeterReading(
                    at: now, currents: PhaseCurrents(l1: before[0], l2: before[1], l3: before[2]),
                    power: before.reduce(0, +) * voltage)],
                pvProduction: PowerReading(at: now, power: pvPower))
            for (i, consumer) in consumers.enumerated() {
                let own = gridPhases(consumer).map { draw[i][$0] } + Array(repeating: 0.0, count: 3 - consumer.phaseCount)
                measurements.consumers[consumer.id] = MeterReading(at: now, currents: PhaseCurrents(l1: own[0], l2: own[1], l3: own[2]))
            }
            let sessions = active.map { LoadBalancing.Session(
                consumer: consumers[$0.key].id, startedAt: Instant(secondsSinceEpoch: visits[$0.value].arrival)) }
            let (outcome, next) = balancer.allocate(
                BalancingInput(measurements: measurements, sessions: sessions), previous: state, now: now)
            state = next

            var consumerPower = 0.0
            var powerOf: [Int: Double] = [:]
            for (i, consumer) in consumers.enumerated() {
                draw[i] = [0, 0, 0]
                guard let index = active[i] else { continue }
                guard let setpoint = outcome.setpoint(for: consumer.id), setpoint.on else {
                    visits[index].paused += step
                    continue
                }
                visits[index].charging += step
                let visit = visits[index]
                let amps = consumer.kind == .socket
                    ? setpoint.current * visit.acceptance
                    : (visit.need > visit.energy ? min(setpoint.current, visit.acceptance) : 0)
                for p in gridPhases(consumer) { draw[i][p] = amps }
                powerOf[index] = amps * Double(consumer.phaseCount) * voltage
                consumerPower += powerOf[index] ?? 0
            }
            let during = grid()
            for p in 0..<3 { peaks[p] = max(peaks[p], during[p]) }
            if during.contains(where: { $0 > limit + 1e-9 }) { report.stepsOverLimit += 1 }

            let solarForConsumers = min(consumerPower, max(0, pvPower - buildingPower))
            for (index, power) in powerOf {
                visits[index].energy += power * hours
                if consumerPower > 0 { visits[index].solar += solarForConsumers * power / consumerPower * hours }
            }
            report.pvWh += pvPower * hours
            report.buildingWh += buildingPower * hours
        }
        report.peakGridAmps = ["L1": peaks[0], "L2": peaks[1], "L3": peaks[2]]
        report.sessions = visits.map { visit in
            SessionReport(
                consumer: consumers[visit.consumer].id, name: names[visit.consumer],
                arrival: Date(timeIntervalSince1970: visit.arrival), departure: Date(timeIntervalSince1970: visit.departure),
                energyWh: visit.energy, solarWh: visit.solar, chargingSeconds: visit.charging, pausedSeconds: visit.paused)
        }
        report.deliveredWh = visits.reduce(0) { $0 + $1.energy }
        report.solarWh = visits.reduce(0) { $0 + $1.solar }
        report.solarShare = report.deliveredWh > 0 ? report.solarWh / report.deliveredWh : 0
        return report
    }
}

/// Grid phase indices (0...2) a consumer draws on; element k is where its own L(k+1) is.
private func gridPhases(_ consumer: Consumer) -> [Int] {
    (0..<consumer.phaseCount).map { (consumer.firstPhase.rawValue - 1 + $0) % 3 }
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
