// Small value types shared by the whole engine: time, phases and per-phase currents.

/// Identifies a consumer (a compartment socket or a charger connector) across steps.
public typealias ConsumerID = String
/// Identifies a node in the tree of limits (the grid connection or a sub-circuit).
public typealias CircuitID = String

/// A point in time as seconds since the Unix epoch (UTC). The engine never reads a clock;
/// callers pass `now` and every measurement carries its own instant.
public struct Instant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var secondsSinceEpoch: Double

    public init(secondsSinceEpoch: Double) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    public init(from decoder: any Decoder) throws {
        secondsSinceEpoch = try decoder.singleValueContainer().decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(secondsSinceEpoch)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }

    public func adding(seconds: Double) -> Instant {
        Instant(secondsSinceEpoch: secondsSinceEpoch + seconds)
    }

    /// Seconds elapsed from `earlier` to `self` (negative if `earlier` is later).
    public func seconds(since earlier: Instant) -> Double {
        secondsSinceEpoch - earlier.secondsSinceEpoch
    }

    public var description: String { "t=\(secondsSinceEpoch)" }
}

/// A phase of the three-phase grid.
public enum Phase: Int, Sendable, Hashable, Codable, CaseIterable {
    case l1 = 1, l2 = 2, l3 = 3

    var index: Int { rawValue - 1 }
}

/// A current per grid phase, in amperes. Positive means drawn from the grid (import).
public struct PhaseCurrents: Sendable, Equatable, Codable, CustomStringConvertible {
    public var l1: Double
    public var l2: Double
    public var l3: Double

    public init(l1: Double, l2: Double, l3: Double) {
        self.l1 = l1
        self.l2 = l2
        self.l3 = l3
    }

    public init(uniform value: Double) {
        self.init(l1: value, l2: value, l3: value)
    }

    public static let zero = PhaseCurrents(uniform: 0)

    public subscript(phase: Phase) -> Double {
        get { self[index: phase.index] }
        set { self[index: phase.index] = newValue }
    }

    subscript(index index: Int) -> Double {
        get { index == 0 ? l1 : (index == 1 ? l2 : l3) }
        set {
            switch index {
            case 0: l1 = newValue
            case 1: l2 = newValue
            default: l3 = newValue
            }
        }
    }

    public var sum: Double { l1 + l2 + l3 }

    init(_ values: [Double]) {
        self.init(l1: values[0], l2: values[1], l3: values[2])
    }

    var array: [Double] { [l1, l2, l3] }

    public var description: String { "[\(l1), \(l2), \(l3)] A" }
}
