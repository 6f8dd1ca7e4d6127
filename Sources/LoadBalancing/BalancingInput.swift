// What changes from step to step: measurements, sessions and the central system's limits.

/// A meter's reading at one instant. For a circuit meter, currents are per grid phase and
/// positive when drawn from the grid. For a consumer's own meter, currents are in the
/// consumer's own phase order (its L1, L2, L3); the engine maps them through the rotation.
public struct MeterReading: Sendable, Equatable, Codable {
    public var at: Instant
    public var currents: PhaseCurrents
    /// Active power in watts, if the meter reports it; otherwise derived from the currents.
    public var power: Double?

    public init(at: Instant, currents: PhaseCurrents, power: Double? = nil) {
        self.at = at
        self.currents = currents
        self.power = power
    }
}

/// A power-only reading (PV inverter, home battery), in watts.
public struct PowerReading: Sendable, Equatable, Codable {
    public var at: Instant
    /// PV: production (>= 0). Battery: positive while charging, negative while discharging.
    public var power: Double

    public init(at: Instant, power: Double) {
        self.at = at
        self.power = power
    }
}

public struct Measurements: Sendable, Equatable, Codable {
    /// Readings of circuit meters, by circuit (the grid meter is the grid connection's).
    public var circuits: [CircuitID: MeterReading]
    /// Each consumer's actual draw.
    public var consumers: [ConsumerID: MeterReading]
    public var pvProduction: PowerReading?
    public var battery: PowerReading?

    public init(
        circuits: [CircuitID: MeterReading] = [:], consumers: [ConsumerID: MeterReading] = [:],
        pvProduction: PowerReading? = nil, battery: PowerReading? = nil
    ) {
        self.circuits = circuits
        self.consumers = consumers
        self.pvProduction = pvProduction
        self.battery = battery
    }
}

/// An authorized session on a consumer: only consumers with a session are given power.
public struct Session: Sendable, Equatable, Codable {
    public var consumer: ConsumerID
    public var startedAt: Instant
    /// Higher is served first under the `priority` strategy.
    public var priority: Int

    public init(consumer: ConsumerID, startedAt: Instant, priority: Int = 0) {
        self.consumer = consumer
        self.startedAt = startedAt
        self.priority = priority
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        consumer = try c.decode(ConsumerID.self, forKey: .consumer)
        startedAt = try c.decode(Instant.self, forKey: .startedAt)
        priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? 0
    }
}

public enum LimitUnit: String, Sendable, Codable {
    case amperes = "A"
    case watts = "W"
}

/// A limit in force now from the central system's charging profiles (already resolved from
/// the profile stack by the caller). Amperes are per phase.
public struct CentralLimit: Sendable, Equatable, Codable {
    /// The consumer it applies to; nil: all our consumers together (the whole charge point).
    public var consumer: ConsumerID?
    public var limit: Double
    public var unit: LimitUnit

    public init(consumer: ConsumerID? = nil, limit: Double, unit: LimitUnit) {
        self.consumer = consumer
        self.limit = limit
        self.unit = unit
    }
}

public struct BalancingInput: Sendable, Equatable, Codable {
    public var measurements: Measurements
    public var sessions: [Session]
    public var centralLimits: [CentralLimit]

    public init(measurements: Measurements = Measurements(), sessions: [Session] = [], centralLimits: [CentralLimit] = []) {
        self.measurements = measurements
        self.sessions = sessions
        self.centralLimits = centralLimits
    }
}
