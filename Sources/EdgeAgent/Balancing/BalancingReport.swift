import Foundation
import LoadBalancing

/// What `GET /v1/balancing` shows (docs/local-api.md, "Load balancing"): the latest decision, what it was based
/// on, and why each consumer got what it got.
public struct BalancingReport: Sendable, Codable, Equatable {
    /// Amperes per grid phase.
    public struct PerPhase: Sendable, Codable, Equatable {
        public var L1: Double
        public var L2: Double
        public var L3: Double

        init(_ currents: PhaseCurrents) {
            L1 = Self.rounded(currents.l1)
            L2 = Self.rounded(currents.l2)
            L3 = Self.rounded(currents.l3)
        }

        init(uniform value: Double) { self.init(PhaseCurrents(uniform: value)) }

        static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
    }

    public struct Grid: Sendable, Codable, Equatable {
        /// The configured grid limit per phase.
        public var limitAmps: PerPhase
        public var safeLimitAmps: PerPhase
        /// True while the grid meter is stale or missing and the safe limit is in force (dynamic and solar modes).
        public var onSafeLimit: Bool
        /// Why the safe limit is in force, and since when (the decision that first applied it).
        public var safeLimitReason: String?
        public var safeLimitSince: Date?
        /// The grid meter as used: per-phase current (positive = import), its time; absent while stale or missing.
        public var measuredAmps: PerPhase?
        public var measuredAt: Date?
        /// The building's draw without our consumers (measured minus their draw).
        public var baseLoadAmps: PerPhase
        public var baseLoadWatts: Double
        /// What our consumers may draw together now: limit minus base load, or the safe limit.
        public var availableAmps: PerPhase?
        public var allocatedAmps: PerPhase
        public var headroomAmps: PerPhase?
    }

    /// A sub-circuit (`balancing.circuits`): its limits and what its members were allocated.
    public struct SubCircuit: Sendable, Codable, Equatable {
        public var name: String
        public var parent: String
        public var limitAmps: PerPhase?
        public var limitWatts: Double?
        public var allocatedAmps: PerPhase
        public var allocatedWatts: Double
        public var headroomAmps: PerPhase?
    }

    public struct Consumer: Sendable, Codable, Equatable {
        public var connectorId: Int
        /// The engine's id, `connector-<id>`.
        public var consumer: String
        public var name: String
        /// `socket` (a compartment) or `charger`.
        public var kind: String
        /// True when a session wants power.
        public var session: Bool
        /// Socket on / charger may charge.
        public var allowed: Bool
        /// Amperes per phase it may draw (a socket: its nominal draw while allowed).
        public var currentAmps: Double
        public var powerWatts: Double
        /// The engine's reason (docs/load-balancing.md, "Reasons").
        public var reason: String
        /// The circuit (`grid`), `central`, `central:<consumer>`, `schedule:<n>` or `solar` that held it back.
        public var limitedBy: String?
        /// Its own meter's latest fresh draw per phase (its own phase order), if any.
        public var measuredAmps: PerPhase?
    }

    public struct StaleInput: Sendable, Codable, Equatable {
        /// `grid`, `pv`, a compartment or a charger name.
        public var device: String
        public var role: String
        public var ageSeconds: Double
        public var detail: String?
    }

    public struct Solar: Sendable, Codable, Equatable {
        public var surplusWatts: Double
        public var active: Bool
        public var gridMeterFresh: Bool
    }

    /// `static`, `dynamic`, `solar` or `solar-plus-minimum`, as in the site file.
    public var mode: String
    public var strategy: String
    public var controlIntervalSeconds: Int
    /// The safe limit applies at most this long after the grid meter's last good reading.
    public var failSafeWithinSeconds: Int
    /// When the latest decision was taken and what caused it (`start`, `interval`, `request`, `timer`,
    /// `gridAboveLimit`); absent before the first.
    public var decidedAt: Date?
    public var trigger: String?
    /// When the next decision is due at the latest.
    public var nextDecisionAt: Date?
    /// True when the latest step used the last readings that agree with each other, because a socket switched
    /// while the meters were being read.
    public var heldReadings: Bool
    public var grid: Grid?
    public var circuits: [SubCircuit]
    public var solar: Solar?
    public var centralLimits: [CentralLimit]
    public var consumers: [Consumer]
    public var staleInputs: [StaleInput]
}

extension SiteController {
    /// The latest decision of load balancing, for `GET /v1/balancing`.
    public func balancingReport(at now: Date = Date()) -> BalancingReport {
        let balancing = configuration.balancing
        let loop = balancingView.loop
        var report = BalancingReport(
            mode: balancing.mode.rawValue, strategy: balancing.strategy.rawValue,
            controlIntervalSeconds: balancing.controlIntervalSeconds,
            failSafeWithinSeconds: Self.balancingFailSafeSeconds(configuration),
            decidedAt: loop?.decidedAt, trigger: loop?.trigger,
            nextDecisionAt: loop?.decidedAt.map { decided in
                let timer = loop?.outcome?.nextDecisionAt.map { Date(timeIntervalSince1970: $0.secondsSinceEpoch) }
                let interval = decided.addingTimeInterval(Double(balancing.controlIntervalSeconds))
                return min(timer ?? interval, interval)
            },
            heldReadings: loop?.heldSnapshot ?? false, grid: nil, circuits: [], solar: nil,
            centralLimits: balancingView.centralLimits, consumers: [], staleInputs: [])
        for status in loop?.meters ?? [] where status.stale {
            report.staleInputs.append(.init(
                device: status.device.name, role: status.device.role.rawValue,
                ageSeconds: (status.ageSeconds * 10).rounded() / 10, detail: status.lastError))
        }
        guard let loop, let outcome = loop.outcome else { return report }
        let measurements = loop.input?.measurements
        if let grid = outcome.circuit(BalancingSiteMapping.gridCircuit) {
            let reading = measurements?.circuits[BalancingSiteMapping.gridCircuit]
            var reason: String?
            if grid.onSafeLimit {
                let stale = report.staleInputs.first { $0.role == "grid" }
                let limit = balancing.meterStaleAfterSeconds
                if configuration.siteMeters.grid == nil {
                    reason = "no grid meter"
                } else if let stale {
                    reason = "grid meter stale: no good reading for \(Int(stale.ageSeconds)) s, limit \(limit) s (\(stale.detail ?? "no detail"))"
                } else if let reading, let decided = loop.decidedAt {
                    let age = Int(decided.timeIntervalSince1970 - reading.at.secondsSinceEpoch)
                    reason = "grid meter stale: its latest usable reading was \(age) s old at the decision, limit \(limit) s"
                } else {
                    reason = "grid meter has no reading yet"
                }
                reason = (reason ?? "") + "; our consumers share the safe limit of \(PerPhaseText.amps(balancing.safeLimitAmpsPerPhase)) per phase"
            }
            report.grid = BalancingReport.Grid(
                limitAmps: .init(uniform: balancing.gridLimitAmpsPerPhase),
                safeLimitAmps: .init(uniform: balancing.safeLimitAmpsPerPhase),
                onSafeLimit: grid.onSafeLimit, safeLimitReason: reason, safeLimitSince: loop.safeLimitSince,
                measuredAmps: reading.map { .init($0.currents) },
                measuredAt: reading.map { Date(timeIntervalSince1970: $0.at.secondsSinceEpoch) },
                baseLoadAmps: .init(grid.baseLoad), baseLoadWatts: grid.baseLoadPower.rounded(),
                availableAmps: grid.available.map { .init($0) }, allocatedAmps: .init(grid.allocated),
                headroomAmps: grid.headroom.map { .init($0) })
        }
        report.circuits = balancing.circuits.compactMap { circuit in
            guard let state = outcome.circuit(circuit.name) else { return nil }
            return BalancingReport.SubCircuit(
                name: circuit.name, parent: circuit.parent ?? BalancingSiteMapping.gridCircuit,
                limitAmps: circuit.maxCurrentAmps.map { .init(uniform: $0) }, limitWatts: circuit.maxPowerWatts,
                allocatedAmps: .init(state.allocated), allocatedWatts: state.allocatedPower.rounded(),
                headroomAmps: state.headroom.map { .init($0) })
        }
        report.solar = outcome.solar.map {
            .init(surplusWatts: $0.surplus.rounded(), active: $0.active, gridMeterFresh: $0.gridMeterFresh)
        }
        let withSession = Set(loop.input?.sessions.map(\.consumer) ?? [])
        report.consumers = outcome.setpoints.compactMap { setpoint in
            guard let info = loop.consumers[setpoint.consumer] else { return nil }
            return BalancingReport.Consumer(
                connectorId: info.connectorId, consumer: setpoint.consumer, name: info.name, kind: info.kind.rawValue,
                session: withSession.contains(setpoint.consumer), allowed: setpoint.on,
                currentAmps: BalancingReport.PerPhase.rounded(setpoint.current), powerWatts: setpoint.power.rounded(),
                reason: setpoint.reason.rawValue, limitedBy: setpoint.limitedBy,
                measuredAmps: measurements?.consumers[setpoint.consumer].map { .init($0.currents) })
        }
        return report
    }

    /// The documented fail-safe bound: the staleness limit plus the loop's wake-up period (1 s), rounded up.
    static func balancingFailSafeSeconds(_ configuration: SiteConfiguration) -> Int {
        configuration.balancing.meterStaleAfterSeconds + 1
    }
}

enum PerPhaseText {
    static func amps(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) A" : String(format: "%.1f A", value)
    }
}

/// Load balancing in `GET /v1/status`: the mode, whether the safe limit is in force, the headroom and who is paused.
public struct BalancingSummary: Sendable, Codable, Equatable {
    public var mode: String
    public var onSafeLimit: Bool
    /// Grid headroom per phase after the latest decision (A).
    public var headroomAmps: BalancingReport.PerPhase?
    /// Connectors with a session that balancing holds off.
    public var pausedConnectors: [Int]
    public var decidedAt: Date?
}

extension SiteController {
    /// nil until load balancing has decided once.
    func balancingSummary() -> BalancingSummary? {
        guard let loop = balancingView.loop, let outcome = loop.outcome else { return nil }
        let grid = outcome.circuit(BalancingSiteMapping.gridCircuit)
        let wanting = Set(loop.input?.sessions.map(\.consumer) ?? [])
        return BalancingSummary(
            mode: configuration.balancing.mode.rawValue, onSafeLimit: grid?.onSafeLimit ?? false,
            headroomAmps: grid?.headroom.map { BalancingReport.PerPhase($0) },
            pausedConnectors: outcome.setpoints.filter { !$0.on && wanting.contains($0.consumer) }
                .compactMap { loop.consumers[$0.consumer]?.connectorId }.sorted(),
            decidedAt: loop.decidedAt)
    }
}
