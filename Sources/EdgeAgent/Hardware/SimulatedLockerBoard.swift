import LockerIO

/// What went wrong driving the simulated board, phrased for the integrator calling the local API.
public enum SimulationError: Error, Sendable, Equatable, CustomStringConvertible {
    case notSimulated
    case unknownCompartment(String, known: [String])
    case unknownReader(String, known: [String])
    case noLockFeedback(compartment: String)
    case noEmergencyInput
    case cardTooLongForWiegand(idTag: String)
    case invalidCard(String)
    case invalidKeys(String)
    case gpio(GPIOError)

    public var description: String {
        switch self {
        case .notSimulated:
            return "this endpoint exists only on the simulated board; this site runs on real GPIO"
        case let .unknownCompartment(name, known):
            return "no compartment named '\(name)'; compartments of this site: \(known.joined(separator: ", "))"
        case let .unknownReader(name, known):
            let listing = known.isEmpty ? "this site has no readers (add one under rfidReaders)" : "readers of this site: \(known.joined(separator: ", "))"
            return "no reader named '\(name)'; \(listing)"
        case .noLockFeedback(let name):
            return "compartment '\(name)' has no lockFeedbackLine, so there is no feedback switch to set; jam the lock instead"
        case .noEmergencyInput:
            return "this site has no emergency input; add `emergencyInputLine:` to the site file"
        case .cardTooLongForWiegand(let idTag):
            return "card \(idTag) has more than 4 bytes; a Wiegand reader sends at most 32 data bits (8 hex digits)"
        case .invalidCard(let reason):
            return "card not understood: \(reason)"
        case .invalidKeys(let reason):
            return "keys not understood: \(reason)"
        case .gpio(let error):
            return error.description
        }
    }
}

/// The simulated locker: the in-process GPIO chips plus the mechanics a real locker has around them, so the
/// daemon sees what it would see on a board. Doors start closed and latched; a lock pulse releases the latch
/// (the feedback line follows) unless the lock is jammed; closing the door re-latches it. Cards reach Wiegand
/// readers as real D0/D1 pulses. The local API's simulation endpoints drive it.
public actor SimulatedLockerBoard: GPIOBackend {
    struct CompartmentLines: Sendable {
        var name: String
        var lock: LineConfig
        var door: LineConfig
        var feedback: LineConfig?
    }

    /// Time between Wiegand bits: real readers keep 1-2 ms; the decoder needs more than 0.2 ms and less than
    /// its 25 ms frame gap.
    static let wiegandBitInterval: Duration = .milliseconds(2)
    /// Silence after a frame, longer than the decoder's 25 ms frame gap, so the next card is a new frame.
    static let wiegandFramePause: Duration = .milliseconds(60)

    public nonisolated let gpio: SimulatedGPIO
    public nonisolated let uses: [LineUse]
    private let compartments: [CompartmentLines]
    private let wiegandLines: [String: (d0: LineConfig, d1: LineConfig)]
    private let emergencyLine: LineConfig?
    private var latches: [String: SimulatedLatch] = [:]
    private var lockOwners: [LineAddress: String] = [:]
    /// The card being sent on each Wiegand reader, so the next one waits for it.
    private var wiegandQueue: [String: Task<Void, Never>] = [:]

    public init(configuration: SiteConfiguration) {
        gpio = SimulatedGPIO(chips: HardwareLayout.simulatedChips(board: configuration.board))
        uses = HardwareLayout.lineUses(configuration)
        compartments = configuration.compartments.map {
            CompartmentLines(
                name: $0.name, lock: HardwareLayout.lineConfig($0.lockLine), door: HardwareLayout.lineConfig($0.doorSensorLine),
                feedback: $0.lockFeedbackLine.map(HardwareLayout.lineConfig))
        }
        var wiegand: [String: (d0: LineConfig, d1: LineConfig)] = [:]
        for reader in configuration.rfidReaders where reader.kind == .wiegand {
            if let d0 = reader.data0Line, let d1 = reader.data1Line {
                wiegand[reader.name] = (HardwareLayout.lineConfig(d0), HardwareLayout.lineConfig(d1))
            }
        }
        wiegandLines = wiegand
        emergencyLine = configuration.emergencyInputLine.map(HardwareLayout.lineConfig)
        for compartment in compartments {
            latches[compartment.name] = SimulatedLatch()
            lockOwners[compartment.lock.address] = compartment.name
        }
    }

    /// The locker as it stands before the daemon starts: doors closed, latches engaged, no alarm, reader
    /// data lines idle. Call before any line is requested, since start-up reads these inputs.
    public func prepare() async throws(SimulationError) {
        for compartment in compartments {
            try await drive(compartment.door, active: true)
            if let feedback = compartment.feedback { try await drive(feedback, active: true) }
        }
        for (d0, d1) in wiegandLines.values {
            try await drive(d0, active: false)
            try await drive(d1, active: false)
        }
        if let emergencyLine { try await drive(emergencyLine, active: false) }
    }

    // MARK: Driving the simulation

    public func setDoor(compartment name: String, open: Bool) async throws(SimulationError) {
        let compartment = try lines(of: name)
        try await drive(compartment.door, active: !open)
        if let engaged = latches[compartment.name]?.door(closed: !open), let feedback = compartment.feedback {
            try await drive(feedback, active: engaged)
        }
    }

    /// A jammed lock ignores the solenoid, so an unlock is never confirmed (and is reported as jammed).
    public func setJammed(compartment name: String, jammed: Bool) throws(SimulationError) {
        let compartment = try lines(of: name)
        latches[compartment.name]?.jammed = jammed
    }

    /// Sets the lock-feedback switch directly, as a lock released by hand or a broken switch would.
    public func setLockFeedback(compartment name: String, locked: Bool) async throws(SimulationError) {
        let compartment = try lines(of: name)
        guard let feedback = compartment.feedback else { throw .noLockFeedback(compartment: compartment.name) }
        latches[compartment.name]?.force(engaged: locked)
        try await drive(feedback, active: locked)
    }

    public func setEmergency(active: Bool) async throws(SimulationError) {
        guard let emergencyLine else { throw .noEmergencyInput }
        try await drive(emergencyLine, active: active)
    }

    public var hasEmergencyInput: Bool { emergencyLine != nil }

    public func isWiegandReader(_ name: String) -> Bool { wiegandLines[name] != nil }

    /// Sends a card on a Wiegand reader's lines the way the reader would: one pulse per bit, D0 for 0 and D1
    /// for 1, a couple of milliseconds apart, then a pause that ends the frame. Cards presented at once are
    /// sent one after the other, as a reader reads one card at a time. Returns when the frame is complete.
    public func sendWiegand(reader name: String, frame: WiegandFrame) async throws(SimulationError) {
        guard let (d0, d1) = wiegandLines[name] else {
            throw .unknownReader(name, known: wiegandLines.keys.sorted())
        }
        let previous = wiegandQueue[name]
        let send = Task { () async -> SimulationError? in
            await previous?.value
            var steps: [SimulatedInputStep] = []
            for bit in WiegandDecoder.encode(frame) {
                let line = bit ? d1 : d0
                for active in [true, false] {
                    steps.append(SimulatedInputStep(
                        chip: line.address.chip, line: line.address.line,
                        level: .driving(LineLevel(isActive: active), activeLow: line.activeLow)))
                }
            }
            do throws(GPIOError) {
                // Half a bit interval between the edges of a pulse and the next pulse's edge.
                try await gpio.playInputs(steps, spacing: Self.wiegandBitInterval / 2)
            } catch {
                return .gpio(error)
            }
            // The edges are stamped into the future: wait for the frame to end, then the pause between cards.
            try? await Task.sleep(for: Self.wiegandBitInterval / 2 * steps.count + Self.wiegandFramePause)
            return nil
        }
        wiegandQueue[name] = Task { _ = await send.value }
        if let error = await send.value { throw error }
    }

    /// Every line of the simulated chips with its job on this site and its level.
    public func lineLevels() async -> [SimulatedLineLevel] {
        let snapshot = await gpio.snapshot()
        var byAddress: [LineAddress: SimulatedLineSnapshot] = [:]
        for line in snapshot { byAddress[LineAddress(chip: line.chip, offset: line.offset)] = line }
        return uses.compactMap { use -> SimulatedLineLevel? in
            guard case .offset(let offset) = use.config.address.line,
                  let line = byAddress[LineAddress(chip: use.config.address.chip, offset: offset)] else { return nil }
            let logical = line.logical ?? line.electrical.logical(activeLow: use.reference.activeLow)
            return SimulatedLineLevel(
                line: use.reference.boardLine ?? use.reference.written, chip: line.chip, offset: Int(line.offset),
                role: use.role, owner: use.owner, direction: use.role.isOutput ? "output" : "input",
                requested: line.direction != nil, active: logical.isActive, electrical: line.electrical)
        }
    }

    // MARK: GPIOBackend

    public func requestOutput(_ config: LineConfig, initial: LineLevel, consumer: String) async throws(GPIOError)
        -> any GPIOOutputLine
    {
        let line = try await gpio.requestOutput(config, initial: initial, consumer: consumer)
        await lockLineChanged(config.address, level: initial)
        return ObservedOutputLine(line: line, requested: config.address, board: self)
    }

    public func requestInput(_ config: LineConfig, consumer: String) async throws(GPIOError) -> any GPIOInputLine {
        try await gpio.requestInput(config, consumer: consumer)
    }

    fileprivate func lockLineChanged(_ address: LineAddress, level: LineLevel) async {
        guard let name = lockOwners[address], let compartment = compartments.first(where: { $0.name == name }),
              let engaged = latches[name]?.lockLine(energized: level.isActive), let feedback = compartment.feedback
        else { return }
        try? await drive(feedback, active: engaged)
    }

    // MARK: Helpers

    private func lines(of name: String) throws(SimulationError) -> CompartmentLines {
        let wanted = SiteConfiguration.normalizedName(name)
        guard let found = compartments.first(where: { SiteConfiguration.normalizedName($0.name) == wanted }) else {
            throw .unknownCompartment(name, known: compartments.map(\.name))
        }
        return found
    }

    /// Sets an input line to a logical level, honouring its active-low setting (also before it is requested).
    private func drive(_ line: LineConfig, active: Bool) async throws(SimulationError) {
        let level = ElectricalLevel.driving(LineLevel(isActive: active), activeLow: line.activeLow)
        do {
            try await gpio.setInput(chip: line.address.chip, line: line.address.line, level: level)
        } catch {
            throw .gpio(error)
        }
    }
}

/// An output line whose every change the simulated locker sees (the lock solenoid moves the latch).
private struct ObservedOutputLine: GPIOOutputLine {
    let line: any GPIOOutputLine
    let requested: LineAddress
    let board: SimulatedLockerBoard

    var address: LineAddress { line.address }

    func set(_ level: LineLevel) async throws(GPIOError) {
        try await line.set(level)
        await board.lockLineChanged(requested, level: level)
    }

    func release() async { await line.release() }
}

/// One line of the simulated board as the simulation API shows it.
public struct SimulatedLineLevel: Sendable, Codable, Equatable {
    /// The board's name for the line (`RELAY1`), or the raw `chip:offset` the site file used.
    public var line: String
    public var chip: String
    public var offset: Int
    public var role: LineUse.Role
    /// The compartment or reader it belongs to.
    public var owner: String
    public var direction: String
    /// Whether the daemon holds the line (false after it released it on stop).
    public var requested: Bool
    /// Logical level: relay on, lock energized, door closed, bolt engaged, alarm active.
    public var active: Bool
    public var electrical: ElectricalLevel
}
