/// Logical level of a line: `active` honours the line's active-low setting, so "door closed",
/// "relay on" and "lock energized" are always `active` whatever the wiring.
public enum LineLevel: String, Sendable, Hashable, Codable, CustomStringConvertible {
    case inactive
    case active

    public init(isActive: Bool) { self = isActive ? .active : .inactive }
    public var isActive: Bool { self == .active }
    public var description: String { isActive ? "active" : "inactive" }
}

/// Electrical level on the pin, before active-low is applied. Only the simulator deals in these.
public enum ElectricalLevel: String, Sendable, Hashable, Codable, CustomStringConvertible {
    case low
    case high

    public var description: String { self == .high ? "high" : "low" }

    /// The logical level a line reads at this electrical level.
    public func logical(activeLow: Bool) -> LineLevel {
        LineLevel(isActive: (self == .high) != activeLow)
    }

    /// The electrical level that represents `level` on a line.
    public static func driving(_ level: LineLevel, activeLow: Bool) -> ElectricalLevel {
        level.isActive != activeLow ? .high : .low
    }
}

/// Which line on a chip: by offset, or by the name the device tree gives it.
public enum LineSelector: Sendable, Hashable, CustomStringConvertible {
    case offset(UInt32)
    case name(String)

    public var description: String {
        switch self {
        case .offset(let offset): "line \(offset)"
        case .name(let name): "line \"\(name)\""
        }
    }
}

/// A GPIO line as a board descriptor names it: the chip (path `/dev/gpiochip0`, name `gpiochip0`,
/// number `0` or label `pinctrl-bcm2711`) and the line on it.
public struct LineAddress: Sendable, Hashable, CustomStringConvertible {
    public var chip: String
    public var line: LineSelector

    public init(chip: String, line: LineSelector) {
        self.chip = chip
        self.line = line
    }

    public init(chip: String, offset: UInt32) { self.init(chip: chip, line: .offset(offset)) }

    public var description: String { "\(chip) \(line)" }
}

/// Everything needed to request one line.
public struct LineConfig: Sendable, Hashable {
    public var address: LineAddress
    public var activeLow: Bool

    public init(address: LineAddress, activeLow: Bool = false) {
        self.address = address
        self.activeLow = activeLow
    }
}

/// A level change seen on an input line, stamped by the kernel (or the simulator) on the
/// monotonic clock.
public struct LineEdgeEvent: Sendable, Hashable {
    public var level: LineLevel
    public var timestamp: MonotonicInstant

    public init(level: LineLevel, timestamp: MonotonicInstant) {
        self.level = level
        self.timestamp = timestamp
    }
}

/// A requested output line. Owned by one actor; released exactly once.
public protocol GPIOOutputLine: Sendable {
    var address: LineAddress { get }
    func set(_ level: LineLevel) async throws(GPIOError)
    func release() async
}

/// A requested input line with edge events.
public protocol GPIOInputLine: Sendable {
    var address: LineAddress { get }
    func read() async throws(GPIOError) -> LineLevel
    /// Every level change, in order. Finishes when the line is released.
    var edges: AsyncStream<LineEdgeEvent> { get }
    func release() async
}

/// A source of GPIO lines: libgpiod on a board, `SimulatedGPIO` on a laptop.
public protocol GPIOBackend: Sendable {
    func requestOutput(_ config: LineConfig, initial: LineLevel, consumer: String) async throws(GPIOError)
        -> any GPIOOutputLine
    func requestInput(_ config: LineConfig, consumer: String) async throws(GPIOError) -> any GPIOInputLine
}
