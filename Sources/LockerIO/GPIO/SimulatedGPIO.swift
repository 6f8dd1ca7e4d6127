/// One chip of the simulated board.
public struct SimulatedChip: Sendable, Hashable {
    public var name: String
    public var label: String
    /// Line names by offset; `nil` for unnamed lines. Its count is the chip's line count.
    public var lineNames: [String?]

    public init(name: String, label: String, lineNames: [String?]) {
        self.name = name
        self.label = label
        self.lineNames = lineNames
    }

    public init(name: String, label: String, lineCount: Int) {
        self.init(name: name, label: label, lineNames: Array(repeating: nil, count: lineCount))
    }

    /// A chip shaped like a Raspberry Pi 4's main GPIO controller (58 unnamed lines).
    public static let raspberryPiLike = SimulatedChip(name: "gpiochip0", label: "pinctrl-bcm2711", lineCount: 58)
}

/// How a line looks in the simulator right now, for the local API and for tests.
public struct SimulatedLineSnapshot: Sendable, Hashable, Codable {
    public enum Direction: String, Sendable, Hashable, Codable { case input, output }

    public var chip: String
    public var offset: UInt32
    public var name: String?
    public var electrical: ElectricalLevel
    /// `nil` while nobody has requested the line.
    public var direction: Direction?
    public var consumer: String?
    public var activeLow: Bool
    /// The level the requester sees, `nil` while unrequested.
    public var logical: LineLevel?
}

/// The GPIO backend for laptops and test sites: chips and lines in memory, with the same
/// rules as the kernel (lines are exclusive, offsets are bounded, active-low applies) so a site
/// that starts here starts on a board. The daemon's local API drives it: it sets input levels
/// and reads outputs.
public actor SimulatedGPIO: GPIOBackend {
    private struct LineState {
        var electrical: ElectricalLevel = .low
        var request: Request?
    }

    private struct Request {
        var token: UInt64
        var direction: SimulatedLineSnapshot.Direction
        var consumer: String
        var activeLow: Bool
    }

    private let chips: [SimulatedChip]
    private var lines: [String: [LineState]]
    private var edgeContinuations: [UInt64: AsyncStream<LineEdgeEvent>.Continuation] = [:]
    private var nextToken: UInt64 = 1
    private let clock: any MonotonicClock

    public init(chips: [SimulatedChip] = [.raspberryPiLike], clock: any MonotonicClock = SystemMonotonicClock()) {
        self.chips = chips
        self.clock = clock
        var lines: [String: [LineState]] = [:]
        for chip in chips { lines[chip.name] = Array(repeating: LineState(), count: chip.lineNames.count) }
        self.lines = lines
    }

    // MARK: Driving the simulation

    /// Sets the electrical level of an input (or not yet requested) line, as a switch or sensor
    /// on the pin would. Requested inputs see an edge event if their logical level changes.
    public func setInput(chip: String, line: LineSelector, level: ElectricalLevel) throws(GPIOError) {
        try setInput(chip: chip, line: line, level: level, at: clock.now())
    }

    /// Plays a burst of input changes in one step, stamped `spacing` apart from now on, the way the kernel
    /// stamps the edges of a fast signal (a Wiegand frame): readers decode them by their timestamps, so a
    /// scheduling stall of the simulation cannot split or stretch the signal. The stamps run ahead of the
    /// clock (never behind it), so a reader's end-of-frame timer cannot fire inside the burst.
    public func playInputs(_ steps: [SimulatedInputStep], spacing: Duration) throws(GPIOError) {
        let start = clock.now()
        for (index, step) in steps.enumerated() {
            let stamp = start + spacing * index
            try setInput(chip: step.chip, line: step.line, level: step.level, at: stamp)
        }
    }

    private func setInput(chip: String, line: LineSelector, level: ElectricalLevel, at timestamp: MonotonicInstant) throws(GPIOError) {
        let (chipModel, offset) = try resolve(LineAddress(chip: chip, line: line))
        var state = lines[chipModel.name]![Int(offset)]
        if let request = state.request, request.direction == .output {
            throw .notAnInput(line: LineAddress(chip: chipModel.name, offset: offset), consumer: request.consumer)
        }
        let before = state.electrical
        state.electrical = level
        lines[chipModel.name]![Int(offset)] = state
        if before != level, let request = state.request {
            let event = LineEdgeEvent(level: level.logical(activeLow: request.activeLow), timestamp: timestamp)
            edgeContinuations[request.token]?.yield(event)
        }
    }

    /// Sets an input by its logical level as the daemon's configuration sees it
    /// (e.g. "door closed" = active), whatever the line's active-low setting.
    /// The line must be requested, since only the requester knows its polarity.
    public func setInput(chip: String, line: LineSelector, logical: LineLevel) throws(GPIOError) {
        let (chipModel, offset) = try resolve(LineAddress(chip: chip, line: line))
        let activeLow = lines[chipModel.name]![Int(offset)].request?.activeLow ?? false
        try setInput(chip: chip, line: line, level: .driving(logical, activeLow: activeLow))
    }

    /// The electrical level on a line (what a voltmeter on the pin would show).
    public func electricalLevel(chip: String, line: LineSelector) throws(GPIOError) -> ElectricalLevel {
        let (chipModel, offset) = try resolve(LineAddress(chip: chip, line: line))
        return lines[chipModel.name]![Int(offset)].electrical
    }

    /// The logical level an output is driving, or `nil` if the line is not requested as an output.
    public func outputLevel(chip: String, line: LineSelector) throws(GPIOError) -> LineLevel? {
        let (chipModel, offset) = try resolve(LineAddress(chip: chip, line: line))
        let state = lines[chipModel.name]![Int(offset)]
        guard let request = state.request, request.direction == .output else { return nil }
        return state.electrical.logical(activeLow: request.activeLow)
    }

    /// Every line on every chip.
    public func snapshot() -> [SimulatedLineSnapshot] {
        chips.flatMap { chip in
            lines[chip.name]!.enumerated().map { offset, state in
                SimulatedLineSnapshot(
                    chip: chip.name, offset: UInt32(offset), name: chip.lineNames[offset],
                    electrical: state.electrical, direction: state.request?.direction,
                    consumer: state.request?.consumer, activeLow: state.request?.activeLow ?? false,
                    logical: state.request.map { state.electrical.logical(activeLow: $0.activeLow) })
            }
        }
    }

    // MARK: GPIOBackend

    public func requestOutput(_ config: LineConfig, initial: LineLevel, consumer: String) throws(GPIOError)
        -> any GPIOOutputLine
    {
        let (chip, offset, token) = try claim(config, direction: .output, consumer: consumer)
        lines[chip.name]![Int(offset)].electrical = .driving(initial, activeLow: config.activeLow)
        return SimulatedOutputLine(gpio: self, address: LineAddress(chip: chip.name, offset: offset), token: token)
    }

    public func requestInput(_ config: LineConfig, consumer: String) throws(GPIOError) -> any GPIOInputLine {
        let (chip, offset, token) = try claim(config, direction: .input, consumer: consumer)
        let (stream, continuation) = AsyncStream.makeStream(of: LineEdgeEvent.self, bufferingPolicy: .bufferingNewest(1024))
        edgeContinuations[token] = continuation
        return SimulatedInputLine(gpio: self, address: LineAddress(chip: chip.name, offset: offset), token: token, edges: stream)
    }

    // MARK: Used by the line handles

    fileprivate func drive(token: UInt64, address: LineAddress, level: LineLevel) throws(GPIOError) {
        guard case .offset(let offset) = address.line,
              let request = lines[address.chip]?[Int(offset)].request, request.token == token
        else { throw .lineReleased(line: address) }
        lines[address.chip]![Int(offset)].electrical = .driving(level, activeLow: request.activeLow)
    }

    fileprivate func read(token: UInt64, address: LineAddress) throws(GPIOError) -> LineLevel {
        guard case .offset(let offset) = address.line,
              let state = lines[address.chip]?[Int(offset)], let request = state.request, request.token == token
        else { throw .lineReleased(line: address) }
        return state.electrical.logical(activeLow: request.activeLow)
    }

    fileprivate func release(token: UInt64, address: LineAddress) {
        guard case .offset(let offset) = address.line,
              lines[address.chip]?[Int(offset)].request?.token == token else { return }
        lines[address.chip]![Int(offset)].request = nil
        edgeContinuations.removeValue(forKey: token)?.finish()
    }

    // MARK: Lookup

    private func claim(_ config: LineConfig, direction: SimulatedLineSnapshot.Direction, consumer: String)
        throws(GPIOError) -> (SimulatedChip, UInt32, UInt64)
    {
        let (chip, offset) = try resolve(config.address)
        if let holder = lines[chip.name]![Int(offset)].request {
            throw .lineBusy(line: LineAddress(chip: chip.name, offset: offset), consumer: holder.consumer)
        }
        let token = nextToken
        nextToken += 1
        lines[chip.name]![Int(offset)].request = Request(
            token: token, direction: direction, consumer: consumer, activeLow: config.activeLow)
        return (chip, offset, token)
    }

    /// Finds a chip the way `gpiod_chip_open_lookup` does: path, name, number or label.
    private func resolve(_ address: LineAddress) throws(GPIOError) -> (SimulatedChip, UInt32) {
        let key = address.chip
        let found = chips.first { chip in
            chip.name == key || "/dev/\(chip.name)" == key || chip.label == key || "gpiochip\(key)" == chip.name
        }
        guard let chip = found else { throw .chipMissing(chip: key, availableChips: chips.map(\.name)) }
        switch address.line {
        case .offset(let offset):
            guard offset < chip.lineNames.count else {
                throw .lineOutOfRange(chip: chip.name, offset: offset, lineCount: UInt32(chip.lineNames.count))
            }
            return (chip, offset)
        case .name(let name):
            guard let index = chip.lineNames.firstIndex(of: name) else {
                throw .lineNameNotFound(chip: chip.name, name: name)
            }
            return (chip, UInt32(index))
        }
    }
}

private struct SimulatedOutputLine: GPIOOutputLine {
    let gpio: SimulatedGPIO
    let address: LineAddress
    let token: UInt64

    func set(_ level: LineLevel) async throws(GPIOError) {
        try await gpio.drive(token: token, address: address, level: level)
    }

    func release() async { await gpio.release(token: token, address: address) }
}

private struct SimulatedInputLine: GPIOInputLine {
    let gpio: SimulatedGPIO
    let address: LineAddress
    let token: UInt64
    let edges: AsyncStream<LineEdgeEvent>

    func read() async throws(GPIOError) -> LineLevel {
        try await gpio.read(token: token, address: address)
    }

    func release() async { await gpio.release(token: token, address: address) }
}

/// One change of a simulated input line, for `SimulatedGPIO.playInputs(_:spacing:)`.
public struct SimulatedInputStep: Sendable, Equatable {
    public var chip: String
    public var line: LineSelector
    public var level: ElectricalLevel

    public init(chip: String, line: LineSelector, level: ElectricalLevel) {
        self.chip = chip
        self.line = line
        self.level = level
    }
}
