// What the engine decides, why, and the state it carries to the next step.

public enum AllocationReason: String, Sendable, Codable {
    /// No active session on this consumer.
    case noSession
    /// Gets all it can take (its own maximum).
    case atMaximum
    /// Held back by a circuit's limit (fuse or power limit minus base load).
    case circuitLimit
    /// Held back or paused because a meter is stale and its circuit runs on the safe limit.
    case staleMeterFallback
    /// Held back or paused by a limit from the central system.
    case centralLimit
    /// Held back or paused by a schedule period.
    case schedule
    /// Held back by the solar surplus.
    case solarSurplus
    /// Paused: solar charging has not started (surplus too low or start delay running).
    case solarWaiting
    /// Paused: its minimum does not fit (shortage policy first-in).
    case minimumNotReachable
    /// Paused: waiting for its turn in the rotation.
    case waitingForRotation
    /// Paused: switched off less than its minimum off time ago.
    case minimumOffTime
    /// Kept at its previous setpoint: the change would be smaller than the setpoint step.
    case setpointHysteresis
    /// Below its allocation while the setpoint ramps up.
    case rampingUp
}

public struct Setpoint: Sendable, Equatable, Codable {
    public var consumer: ConsumerID
    /// Relay on / charging allowed.
    public var on: Bool
    /// Current per phase the consumer may draw (0 when off; sockets: nominal when on).
    public var current: Double
    /// The same, spread onto the grid phases it is wired to.
    public var gridCurrents: PhaseCurrents
    /// current x phases x nominal voltage, in watts.
    public var power: Double
    public var reason: AllocationReason
    /// The circuit id, "central", "central:<consumer>", "schedule:<index>" or "solar" that
    /// limited it, when one did.
    public var limitedBy: String?

    public init(consumer: ConsumerID, on: Bool, current: Double, gridCurrents: PhaseCurrents, power: Double, reason: AllocationReason, limitedBy: String? = nil) {
        self.consumer = consumer
        self.on = on
        self.current = current
        self.gridCurrents = gridCurrents
        self.power = power
        self.reason = reason
        self.limitedBy = limitedBy
    }
}

public struct CircuitReport: Sendable, Equatable, Codable {
    public var circuit: CircuitID
    /// Measured draw of everything that is not our consumer (zero when not measured).
    public var baseLoad: PhaseCurrents
    public var baseLoadPower: Double
    /// What our consumers below this node may draw together, per phase (nil: no current limit).
    public var available: PhaseCurrents?
    public var availablePower: Double?
    /// What was allocated to our consumers below this node.
    public var allocated: PhaseCurrents
    public var allocatedPower: Double
    /// available - allocated, per phase (nil: no current limit).
    public var headroom: PhaseCurrents?
    /// True when the meter is stale or missing and the safe limit is in force.
    public var onSafeLimit: Bool

    public init(circuit: CircuitID, baseLoad: PhaseCurrents, baseLoadPower: Double, available: PhaseCurrents?, availablePower: Double?, allocated: PhaseCurrents, allocatedPower: Double, headroom: PhaseCurrents?, onSafeLimit: Bool) {
        self.circuit = circuit
        self.baseLoad = baseLoad
        self.baseLoadPower = baseLoadPower
        self.available = available
        self.availablePower = availablePower
        self.allocated = allocated
        self.allocatedPower = allocatedPower
        self.headroom = headroom
        self.onSafeLimit = onSafeLimit
    }
}

public struct SolarReport: Sendable, Equatable, Codable {
    /// Surplus power our consumers may take, in watts (0 when the grid meter is stale).
    public var surplus: Double
    public var active: Bool
    public var gridMeterFresh: Bool

    public init(surplus: Double, active: Bool, gridMeterFresh: Bool) {
        self.surplus = surplus
        self.active = active
        self.gridMeterFresh = gridMeterFresh
    }
}

public struct BalancingOutcome: Sendable, Equatable, Codable {
    /// One setpoint per configured consumer, in configuration order.
    public var setpoints: [Setpoint]
    public var circuits: [CircuitReport]
    public var solar: SolarReport?
    /// The latest instant at which the engine must run again for its timers (rotation,
    /// hysteresis, solar delays, ramps, schedules, meter staleness) to take effect.
    public var nextDecisionAt: Instant?

    public func setpoint(for consumer: ConsumerID) -> Setpoint? {
        setpoints.first { $0.consumer == consumer }
    }

    public func circuit(_ id: CircuitID) -> CircuitReport? {
        circuits.first { $0.circuit == id }
    }

    public init(setpoints: [Setpoint], circuits: [CircuitReport], solar: SolarReport? = nil, nextDecisionAt: Instant? = nil) {
        self.setpoints = setpoints
        self.circuits = circuits
        self.solar = solar
        self.nextDecisionAt = nextDecisionAt
    }
}

public struct ConsumerState: Sendable, Equatable, Codable {
    public var on: Bool
    public var current: Double
    public var switchedAt: Instant?
    public var lastIncreaseAt: Instant?

    public init(on: Bool = false, current: Double = 0, switchedAt: Instant? = nil, lastIncreaseAt: Instant? = nil) {
        self.on = on
        self.current = current
        self.switchedAt = switchedAt
        self.lastIncreaseAt = lastIncreaseAt
    }
}

/// Everything the engine remembers between steps. Persist it to survive restarts if wanted;
/// `BalancingState()` is a safe start (everything off).
public struct BalancingState: Sendable, Equatable, Codable {
    public var consumers: [ConsumerID: ConsumerState]
    /// Rotation queue of consumers with sessions, next to be admitted first.
    public var rotation: [ConsumerID]
    public var rotationPeriodStart: Instant?
    public var solarActive: Bool
    /// When the solar start (inactive) or stop (active) condition was first seen, if it holds.
    public var solarConditionSince: Instant?

    public init(
        consumers: [ConsumerID: ConsumerState] = [:], rotation: [ConsumerID] = [], rotationPeriodStart: Instant? = nil,
        solarActive: Bool = false, solarConditionSince: Instant? = nil
    ) {
        self.consumers = consumers
        self.rotation = rotation
        self.rotationPeriodStart = rotationPeriodStart
        self.solarActive = solarActive
        self.solarConditionSince = solarConditionSince
    }
}
