import Foundation
import LoadBalancing
import MeterBus

/// The site file and the meters, as the load-balancing engine sees them (docs/load-balancing.md, "In the
/// daemon"). Pure: configuration and meter statuses in, engine values out.
public enum BalancingSiteMapping {
    /// The grid connection's circuit id.
    public static let gridCircuit = "grid"
    /// Nominal phase-to-neutral voltage: converts a compartment's `maxPowerWatts` into amperes.
    public static let nominalVoltage = 230.0

    /// The engine's site: one metered grid connection (limit and safe limit per phase from `balancing:`) with the
    /// unmetered sub-circuits of `balancing.circuits` below it, every compartment socket on its phase (`phase`,
    /// default L1) with its nominal draw `maxPowerWatts / 230 V`, and every charger with its current range and
    /// phase count, each on the circuit that lists it (else on the grid connection).
    public static func engineSite(_ configuration: SiteConfiguration) -> LoadBalancing.SiteConfiguration {
        let balancing = configuration.balancing
        let grid = Circuit(
            id: gridCircuit, maxCurrent: balancing.gridLimitAmpsPerPhase,
            metered: configuration.siteMeters.grid != nil, staleAfter: Double(balancing.meterStaleAfterSeconds),
            safeCurrent: balancing.safeLimitAmpsPerPhase)
        // Sub-circuits have no meter: their limits hold what our members draw together.
        var circuits = [grid]
        var circuitOf: [String: CircuitID] = [:]
        for circuit in balancing.circuits {
            circuits.append(Circuit(
                id: circuit.name, parent: circuit.parent ?? gridCircuit, maxCurrent: circuit.maxCurrentAmps,
                maxPower: circuit.maxPowerWatts))
            for member in circuit.members where circuitOf[member] == nil { circuitOf[member] = circuit.name }
        }
        var consumers: [Consumer] = configuration.compartments.map { compartment in
            Consumer.socket(
                id: balancingConsumerID(connectorId: compartment.connectorId),
                circuit: circuitOf[compartment.name] ?? gridCircuit,
                phase: enginePhase(compartment.phase), nominalCurrent: compartment.maxPowerWatts / nominalVoltage)
        }
        consumers += configuration.chargers.map { charger in
            Consumer.charger(
                id: balancingConsumerID(connectorId: charger.connectorId), circuit: circuitOf[charger.name] ?? gridCircuit,
                minCurrent: charger.minCurrentAmps, maxCurrent: charger.maxCurrentAmps, phaseCount: charger.phases)
        }
        let settings = BalancingSettings(
            nominalVoltage: nominalVoltage, mode: engineMode(balancing.mode), strategy: engineStrategy(balancing.strategy),
            shortage: balancing.whenShort == .rotate ? .rotate : .firstIn,
            rotationPeriod: Double(balancing.rotationPeriodSeconds),
            meterStaleAfter: Double(balancing.meterStaleAfterSeconds),
            // Schedules are in the board's local time; the control loop follows daylight-saving changes.
            utcOffset: Double(TimeZone.current.secondsFromGMT()))
        return LoadBalancing.SiteConfiguration(
            circuits: circuits, consumers: consumers, schedule: balancing.schedules.compactMap { $0.enginePeriod() },
            settings: settings)
    }

    static func enginePhase(_ phase: CompartmentPhase?) -> LoadBalancing.Phase {
        switch phase ?? .l1 {
        case .l1: .l1
        case .l2: .l2
        case .l3: .l3
        }
    }

    static func engineMode(_ mode: BalancingConfiguration.Mode) -> BalancingMode {
        switch mode {
        case .static: .staticLimit
        case .dynamic: .dynamic
        case .solar: .solarOnly
        case .solarPlusMinimum: .solarPlusMinimum
        }
    }

    static func engineStrategy(_ strategy: BalancingConfiguration.Strategy) -> DistributionStrategy {
        switch strategy {
        case .equalShare: .equalShare
        case .firstComeFirstServed: .firstComeFirstServed
        }
    }

    // MARK: Measurements

    /// Fresh readings as engine measurements, each with its own time. Stale devices are left out: the engine
    /// then counts a consumer's draw as base load and puts a circuit without a fresh reading on its safe limit,
    /// so stale input can only lower a limit.
    public static func measurements(_ statuses: [MeterStatus], configuration: SiteConfiguration) -> Measurements {
        var result = Measurements()
        let phases = Dictionary(uniqueKeysWithValues: configuration.chargers.map { ($0.connectorId, $0.phases) })
        for status in statuses where !status.stale {
            guard let time = status.time else { continue }
            let at = Instant(secondsSinceEpoch: time.timeIntervalSince1970)
            let values = MeterValues(status.values)
            switch status.device.role {
            case .grid:
                result.circuits[gridCircuit] = values.gridReading(at: at)
            case .pv:
                if let power = values.watts(.powerActiveExport) ?? values.watts(.powerActiveImport).map(abs) {
                    result.pvProduction = PowerReading(at: at, power: max(0, power))
                }
            case .compartment, .charger:
                guard let connectorId = status.device.connectorId else { continue }
                let phaseCount = status.device.role == .charger ? phases[connectorId] ?? 3 : 1
                if let reading = values.consumerReading(at: at, phaseCount: phaseCount) {
                    result.consumers[balancingConsumerID(connectorId: connectorId)] = reading
                }
            }
        }
        return result
    }

    /// Whether the grid reading and every socket's own reading describe the same moment: a socket switched on or
    /// off between (or within `settleSeconds` before) the two readings is in one and not the other, and
    /// subtracting it would misjudge the base load. `changes` holds each consumer's recent switching times.
    public static func isConsistent(
        _ measurements: Measurements, changes: [ConsumerID: [Date]], settleSeconds: Double
    ) -> Bool {
        guard let grid = measurements.circuits[gridCircuit] else { return true }
        for (consumer, times) in changes {
            guard let own = measurements.consumers[consumer] else { continue }
            let earliest = min(grid.at, own.at).secondsSinceEpoch - settleSeconds
            let latest = max(grid.at, own.at).secondsSinceEpoch
            if times.contains(where: { (earliest...latest).contains($0.timeIntervalSince1970) }) { return false }
        }
        return true
    }
}

/// A meter's values by measurand and phase, in W and A whatever the profile's units.
struct MeterValues {
    let values: [MeterValue]

    init(_ values: [MeterValue]) { self.values = values }

    func value(_ measurand: Measurand, _ phase: MeterBus.Phase? = nil) -> Double? {
        guard let found = values.first(where: { $0.measurand == measurand && $0.phase == phase && $0.value != nil }),
              let value = found.value, value.isFinite else { return nil }
        return found.unit.lowercased().hasPrefix("k") ? value * 1000 : value
    }

    func watts(_ measurand: Measurand, _ phase: MeterBus.Phase? = nil) -> Double? { value(measurand, phase) }

    /// Net power (import minus export), total.
    var netPower: Double? {
        let imported = watts(.powerActiveImport)
        let exported = watts(.powerActiveExport)
        if imported == nil && exported == nil { return nil }
        return (imported ?? 0) - (exported ?? 0)
    }

    /// Per grid phase, positive when drawn from the grid. A phase current the meter gives without sign takes the
    /// sign of that phase's power (export is negative). Without per-phase currents the total current (or the
    /// power over 230 V) is put on every phase: an unknown split may only overstate a phase, never understate it.
    func gridReading(at: Instant) -> LoadBalancing.MeterReading? {
        let phases: [MeterBus.Phase] = [.l1, .l2, .l3]
        var currents: [Double] = []
        for phase in phases {
            guard let imported = value(.currentImport, phase) else { break }
            var current = imported - (value(.currentExport, phase) ?? 0)
            if let power = watts(.powerActiveImport, phase), power < 0 { current = -abs(current) }
            currents.append(current)
        }
        let power = netPower
        if currents.count != 3 {
            let total = value(.currentImport).map { current in (power ?? 0) < 0 ? -abs(current) : current }
                ?? power.map { $0 / BalancingSiteMapping.nominalVoltage }
            guard let total else { return nil }
            currents = [total, total, total]
        }
        return LoadBalancing.MeterReading(
            at: at, currents: PhaseCurrents(l1: currents[0], l2: currents[1], l3: currents[2]), power: power)
    }

    /// A consumer's draw in its own phase order: per-phase currents, else the total current or power spread over
    /// its phases.
    func consumerReading(at: Instant, phaseCount: Int) -> LoadBalancing.MeterReading? {
        let power = watts(.powerActiveImport)
        let l1 = value(.currentImport, .l1)
        if phaseCount == 3, let l1, let l2 = value(.currentImport, .l2), let l3 = value(.currentImport, .l3) {
            return LoadBalancing.MeterReading(at: at, currents: PhaseCurrents(l1: l1, l2: l2, l3: l3), power: power)
        }
        let total = value(.currentImport) ?? l1 ?? power.map { $0 / BalancingSiteMapping.nominalVoltage }
        guard let total else { return nil }
        let perPhase = max(0, total) / Double(phaseCount)
        let currents = phaseCount == 1
            ? PhaseCurrents(l1: perPhase, l2: 0, l3: 0) : PhaseCurrents(uniform: perPhase)
        return LoadBalancing.MeterReading(at: at, currents: currents, power: power)
    }
}

extension BalancingSiteMapping {
    /// What the engine refuses in this site (nil: nothing), for the validator: a site is checked before it runs.
    static func problem(with configuration: SiteConfiguration) -> String? {
        do {
            _ = try LoadBalancer(site: engineSite(configuration))
            return nil
        } catch {
            return "load balancing cannot use this site: \(error.description)"
        }
    }
}
