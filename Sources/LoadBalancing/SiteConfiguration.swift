// The static description of a site: the tree of limits, the consumers, schedules and settings.

/// A node in the tree of limits: the grid connection (the one node without a parent) or a
/// sub-circuit below it. Limits apply to everything drawn through the node, per phase and/or
/// in total power.
public struct Circuit: Sendable, Equatable, Codable {
    public var id: CircuitID
    /// The node this circuit is fed from; `nil` only for the grid connection.
    public var parent: CircuitID?
    /// Fuse rating per phase, in amperes.
    public var maxCurrent: Double?
    /// Limit on total active power through the node, in watts (all phases together).
    public var maxPower: Double?
    /// Whether a meter measures this node. Metered nodes subtract the measured base load in
    /// the dynamic and solar modes; unmetered nodes use their configured limits as they are.
    public var metered: Bool
    /// Seconds after which a reading of this node's meter is no longer used (default: settings).
    public var staleAfter: Double?
    /// What our consumers below this node may draw in total while its meter is stale, per phase.
    public var safeCurrent: Double?
    /// The same as `safeCurrent`, as total power in watts.
    public var safePower: Double?

    public init(
        id: CircuitID, parent: CircuitID? = nil, maxCurrent: Double? = nil, maxPower: Double? = nil,
        metered: Bool = false, staleAfter: Double? = nil, safeCurrent: Double? = nil, safePower: Double? = nil
    ) {
        self.id = id
        self.parent = parent
        self.maxCurrent = maxCurrent
        self.maxPower = maxPower
        self.metered = metered
        self.staleAfter = staleAfter
        self.safeCurrent = safeCurrent
        self.safePower = safePower
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(CircuitID.self, forKey: .id)
        parent = try c.decodeIfPresent(CircuitID.self, forKey: .parent)
        maxCurrent = try c.decodeIfPresent(Double.self, forKey: .maxCurrent)
        maxPower = try c.decodeIfPresent(Double.self, forKey: .maxPower)
        metered = try c.decodeIfPresent(Bool.self, forKey: .metered) ?? false
        staleAfter = try c.decodeIfPresent(Double.self, forKey: .staleAfter)
        safeCurrent = try c.decodeIfPresent(Double.self, forKey: .safeCurrent)
        safePower = try c.decodeIfPresent(Double.self, forKey: .safePower)
    }
}

public enum ConsumerKind: String, Sendable, Codable {
    /// A compartment socket behind a relay: on or off, drawing about its nominal current.
    case socket
    /// A charger whose current setpoint can be set between its minimum and maximum.
    case charger
}

/// Something that charges: a compartment socket or a charger connector.
public struct Consumer: Sendable, Equatable, Codable {
    public var id: ConsumerID
    public var circuit: CircuitID
    public var kind: ConsumerKind
    /// 1 or 3. Sockets are single-phase.
    public var phaseCount: Int
    /// The grid phase the consumer's own L1 is wired to (phase rotation). A single-phase
    /// consumer draws only on this phase; a three-phase one draws on all three, and its
    /// own meter's L1/L2/L3 map to this phase and the two following it.
    public var firstPhase: Phase
    /// Lowest current per phase at which it can run, in amperes (sockets: nominal draw).
    public var minCurrent: Double
    /// Highest current per phase, in amperes (sockets: nominal draw).
    public var maxCurrent: Double
    /// Once switched on, stays on at least this many seconds (unless a fuse needs the power).
    public var minOnTime: Double
    /// Once switched off, stays off at least this many seconds.
    public var minOffTime: Double

    public init(
        id: ConsumerID, circuit: CircuitID, kind: ConsumerKind, phaseCount: Int, firstPhase: Phase,
        minCurrent: Double, maxCurrent: Double, minOnTime: Double = 0, minOffTime: Double = 0
    ) {
        self.id = id
        self.circuit = circuit
        self.kind = kind
        self.phaseCount = phaseCount
        self.firstPhase = firstPhase
        self.minCurrent = minCurrent
        self.maxCurrent = maxCurrent
        self.minOnTime = minOnTime
        self.minOffTime = minOffTime
    }

    /// Decodes with defaults: phaseCount 1 for sockets and 3 for chargers, firstPhase 1,
    /// no minimum on/off times.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(ConsumerID.self, forKey: .id)
        circuit = try c.decode(CircuitID.self, forKey: .circuit)
        kind = try c.decode(ConsumerKind.self, forKey: .kind)
        phaseCount = try c.decodeIfPresent(Int.self, forKey: .phaseCount) ?? (kind == .socket ? 1 : 3)
        firstPhase = try c.decodeIfPresent(Phase.self, forKey: .firstPhase) ?? .l1
        minCurrent = try c.decode(Double.self, forKey: .minCurrent)
        maxCurrent = try c.decodeIfPresent(Double.self, forKey: .maxCurrent) ?? minCurrent
        minOnTime = try c.decodeIfPresent(Double.self, forKey: .minOnTime) ?? 0
        minOffTime = try c.decodeIfPresent(Double.self, forKey: .minOffTime) ?? 0
    }

    public static func socket(
        id: ConsumerID, circuit: CircuitID, phase: Phase, nominalCurrent: Double,
        minOnTime: Double = 0, minOffTime: Double = 0
    ) -> Consumer {
        Consumer(
            id: id, circuit: circuit, kind: .socket, phaseCount: 1, firstPhase: phase,
            minCurrent: nominalCurrent, maxCurrent: nominalCurrent, minOnTime: minOnTime, minOffTime: minOffTime)
    }

    public static func charger(
        id: ConsumerID, circuit: CircuitID, minCurrent: Double, maxCurrent: Double, phaseCount: Int = 3,
        rotation: Phase = .l1, minOnTime: Double = 0, minOffTime: Double = 0
    ) -> Consumer {
        Consumer(
            id: id, circuit: circuit, kind: .charger, phaseCount: phaseCount, firstPhase: rotation,
            minCurrent: minCurrent, maxCurrent: maxCurrent, minOnTime: minOnTime, minOffTime: minOffTime)
    }

    /// Grid phase indices (0...2) this consumer draws on; element k is where its own L(k+1) is.
    var gridPhaseIndices: [Int] {
        (0..<phaseCount).map { (firstPhase.index + $0) % 3 }
    }
}

/// The whole static site: validate once with `LoadBalancer(site:)`.
public struct SiteConfiguration: Sendable, Equatable, Codable {
    public var circuits: [Circuit]
    public var consumers: [Consumer]
    public var schedule: [SchedulePeriod]
    public var settings: BalancingSettings

    public init(
        circuits: [Circuit], consumers: [Consumer], schedule: [SchedulePeriod] = [],
        settings: BalancingSettings = BalancingSettings()
    ) {
        self.circuits = circuits
        self.consumers = consumers
        self.schedule = schedule
        self.settings = settings
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        circuits = try c.decode([Circuit].self, forKey: .circuits)
        consumers = try c.decode([Consumer].self, forKey: .consumers)
        schedule = try c.decodeIfPresent([SchedulePeriod].self, forKey: .schedule) ?? []
        settings = try c.decodeIfPresent(BalancingSettings.self, forKey: .settings) ?? BalancingSettings()
    }
}

/// What is wrong with a site configuration, naming the offending item.
public enum SiteConfigurationError: Error, Equatable, CustomStringConvertible {
    case noGridConnection
    case severalGridConnections([CircuitID])
    case duplicateCircuit(CircuitID)
    case unknownParent(circuit: CircuitID, parent: CircuitID)
    case circuitCycle(CircuitID)
    case gridConnectionWithoutLimit(CircuitID)
    case invalidLimit(circuit: CircuitID, detail: String)
    case duplicateConsumer(ConsumerID)
    case unknownCircuit(consumer: ConsumerID, circuit: CircuitID)
    case invalidConsumer(ConsumerID, detail: String)
    case invalidSchedule(index: Int, detail: String)
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .noGridConnection:
            return "no circuit without a parent: add the grid connection as a circuit with parent omitted"
        case .severalGridConnections(let ids):
            return "several circuits without a parent (\(ids.joined(separator: ", "))): give all but the grid connection a parent"
        case .duplicateCircuit(let id):
            return "circuit '\(id)' is defined twice: give each circuit a unique id"
        case .unknownParent(let circuit, let parent):
            return "circuit '\(circuit)' names parent '\(parent)', which is not defined: fix the parent id"
        case .circuitCycle(let id):
            return "circuit '\(id)' is its own ancestor: the circuits must form a tree"
        case .gridConnectionWithoutLimit(let id):
            return "grid connection '\(id)' has neither maxCurrent nor maxPower: set at least one"
        case .invalidLimit(let circuit, let detail):
            return "circuit '\(circuit)': \(detail)"
        case .duplicateConsumer(let id):
            return "consumer '\(id)' is defined twice: give each consumer a unique id"
        case .unknownCircuit(let consumer, let circuit):
            return "consumer '\(consumer)' is on circuit '\(circuit)', which is not defined: fix the circuit id"
        case .invalidConsumer(let id, let detail):
            return "consumer '\(id)': \(detail)"
        case .invalidSchedule(let index, let detail):
            return "schedule period \(index): \(detail)"
        case .invalidSetting(let detail):
            return "settings: \(detail)"
        }
    }
}
