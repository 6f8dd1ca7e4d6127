import Logging
import LockerIO

/// Why the site's hardware could not start; the daemon prints it and exits non-zero.
public enum SiteHardwareError: Error, Sendable, Equatable, CustomStringConvertible {
    case simulator(SimulationError)
    case compartment(name: String, GPIOError)
    case emergencyInput(line: String, GPIOError)
    case reader(name: String, ReaderError)

    public var description: String {
        switch self {
        case .simulator(let error): "the simulated board could not be prepared: \(error)"
        case let .compartment(name, error): "compartment \(name): \(error)"
        case let .emergencyInput(line, error): "emergency input \(line): \(error)"
        case let .reader(name, error): "RFID reader \(name): \(error)"
        }
    }
}

/// A card as the simulation API presents it: the idTag it should produce, or the UID as a reader prints it.
public enum SimulatedCard: Sendable, Equatable {
    case idTag(String)
    case uid(String, format: UIDTextFormat)

    /// The normalized idTag (the one rule every reader follows, see `IdTag`).
    public func normalized() throws(SimulationError) -> IdTag {
        do {
            switch self {
            case .idTag(let text): return try IdTag(uid: text, format: .hex)
            case let .uid(text, format): return try IdTag(uid: text, format: format)
            }
        } catch {
            throw .invalidCard(error.description)
        }
    }

    /// The Wiegand frame a reader sends for this card: 26 bits up to 3 bytes, 34 bits for 4.
    static func wiegandFrame(for tag: IdTag) throws(SimulationError) -> WiegandFrame {
        var bytes: [UInt8] = []
        var digits = Array(tag.value)
        if digits.count % 2 == 1 { digits.insert("0", at: 0) }
        for index in stride(from: 0, to: digits.count, by: 2) {
            bytes.append(UInt8(String(digits[index...index + 1]), radix: 16) ?? 0)
        }
        switch bytes.count {
        case ...3:
            let padded = Array(repeating: UInt8(0), count: 3 - bytes.count) + bytes
            return .wiegand26(facility: padded[0], card: UInt16(padded[1]) << 8 | UInt16(padded[2]))
        case 4:
            return .wiegand34(data: bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        default:
            throw .cardTooLongForWiegand(idTag: tag.value)
        }
    }
}

/// The site's hardware assembled from its configuration: one `CompartmentHardware` per compartment, the
/// optional emergency input, and the RFID readers, all on one GPIO backend (libgpiod on a board, the
/// simulated locker on the simulator board).
///
/// `start()` puts every output in its safe state and reads the doors and locks before anything acts; a line
/// that cannot be requested stops start-up with LockerIO's message. `stop()` switches relays off and releases
/// every line.
public actor SiteHardware {
    public nonisolated let configuration: SiteConfiguration
    /// The simulated locker, only on the simulator board.
    public nonisolated let simulation: SimulatedLockerBoard?
    /// One per compartment, in site-file order.
    public nonisolated let compartments: [CompartmentHardware]
    public nonisolated let emergency: EmergencyInput?
    /// Every card, keypad entry and rejected read of every reader, in arrival order. Finishes on `stop()`.
    public nonisolated let readerEvents: AsyncStream<ReaderEvent>
    private let readerContinuation: AsyncStream<ReaderEvent>.Continuation
    private let wiegandReaders: [WiegandReader]
    private let deviceReaders: [DeviceReader]
    private let keypads: [String: SimulatedKeypad]
    private let logger: Logger
    private var forwarders: [Task<Void, Never>] = []
    private var running = false

    /// - Parameter backend: the GPIO backend to use instead of the board's own (tests); nil picks the
    ///   simulated locker on the simulator board and libgpiod everywhere else.
    public init(configuration: SiteConfiguration, backend: (any GPIOBackend)? = nil,
                logger: Logger = Logger(label: "edge-agent.hardware")) {
        self.configuration = configuration
        self.logger = logger
        let simulation = backend == nil && configuration.isSimulated ? SimulatedLockerBoard(configuration: configuration) : nil
        self.simulation = simulation
        let gpio: any GPIOBackend = backend ?? simulation ?? LibgpiodBackend(logger: logger)
        compartments = configuration.compartments.map {
            CompartmentHardware(
                config: HardwareLayout.compartmentConfig($0, settings: configuration.compartmentHardware), gpio: gpio,
                logger: logger)
        }
        emergency = configuration.emergencyInputLine.map {
            EmergencyInput(line: HardwareLayout.lineConfig($0), gpio: gpio, logger: logger)
        }
        let (events, continuation) = AsyncStream.makeStream(of: ReaderEvent.self, bufferingPolicy: .bufferingNewest(256))
        readerEvents = events
        readerContinuation = continuation
        var wiegand: [WiegandReader] = []
        var devices: [DeviceReader] = []
        var keypads: [String: SimulatedKeypad] = [:]
        for reader in configuration.rfidReaders {
            switch reader.kind {
            case .wiegand:
                if let d0 = reader.data0Line, let d1 = reader.data1Line {
                    wiegand.append(WiegandReader(
                        id: reader.name, d0: HardwareLayout.lineConfig(d0), d1: HardwareLayout.lineConfig(d1), gpio: gpio,
                        logger: logger))
                }
            case .serial where simulation == nil:
                devices.append(.serialCardReader(
                    id: reader.name, path: reader.device ?? "", settings: SerialSettings(baudRate: reader.baud ?? 9600),
                    format: HardwareLayout.uidFormat(reader.format, default: .hex)))
            case .inputDevice where simulation == nil:
                devices.append(.inputDeviceCardReader(
                    id: reader.name, path: reader.device ?? "", format: HardwareLayout.uidFormat(reader.format, default: .decimal)))
            case .serial, .inputDevice:
                break  // no device file in the simulation: cards are handed to the reader stream directly
            }
            if simulation != nil {
                keypads[reader.name] = SimulatedKeypad(readerID: reader.name) { continuation.yield($0) }
            }
        }
        for keypad in configuration.keypads {
            if simulation != nil {
                keypads[keypad.name] = SimulatedKeypad(readerID: keypad.name) { continuation.yield($0) }
                continue
            }
            let settings = HardwareLayout.keypadSettings(keypad)
            switch keypad.kind {
            case .serial:
                devices.append(.serialKeypad(
                    id: keypad.name, path: keypad.device, settings: SerialSettings(baudRate: keypad.baud ?? 9600),
                    keypad: settings))
            case .inputDevice:
                devices.append(.inputDeviceKeypad(id: keypad.name, path: keypad.device, keypad: settings))
            }
        }
        wiegandReaders = wiegand
        deviceReaders = devices
        self.keypads = keypads
    }

    public nonisolated func compartment(named name: String) -> CompartmentHardware? {
        guard let index = configuration.compartments.firstIndex(where: {
            SiteConfiguration.normalizedName($0.name) == SiteConfiguration.normalizedName(name)
        }) else { return nil }
        return compartments[index]
    }

    // MARK: Start and stop

    /// Outputs to their safe state, inputs read, then watching. On failure everything started so far is
    /// stopped again (its lines released) and the first error is thrown.
    public func start() async throws(SiteHardwareError) {
        guard !running else { return }
        if let simulation {
            do { try await simulation.prepare() } catch { throw .simulator(error) }
        }
        var started: [CompartmentHardware] = []
        do throws(SiteHardwareError) {
            for (compartment, hardware) in zip(configuration.compartments, compartments) {
                do { try await hardware.start() } catch { throw .compartment(name: compartment.name, error) }
                started.append(hardware)
            }
            if let emergency, let line = configuration.emergencyInputLine {
                do { try await emergency.start(driving: compartments) } catch {
                    throw .emergencyInput(line: line.displayName, error)
                }
            }
            for reader in wiegandReaders {
                do { try await reader.start() } catch { throw .reader(name: reader.id, error) }
            }
        } catch {
            for reader in wiegandReaders { await reader.stop() }
            await emergency?.stop()
            for hardware in started { await hardware.stop() }
            readerContinuation.finish()
            throw error
        }
        for reader in deviceReaders {
            // A card reader that is unplugged must not keep the locker from working (SMS, the API, sessions).
            do { try await reader.start() } catch {
                logger.error("RFID reader not started; cards on it are not read until the daemon restarts",
                             metadata: ["reader": "\(reader.id)", "error": "\(error)"])
            }
        }
        let continuation = readerContinuation
        for stream in wiegandReaders.map(\.events) + deviceReaders.map(\.events) {
            forwarders.append(Task {
                for await event in stream { continuation.yield(event) }
            })
        }
        running = true
        logger.info("site hardware started", metadata: [
            "compartments": "\(compartments.count)", "readers": "\(configuration.rfidReaders.count)",
            "emergencyInput": "\(configuration.emergencyInputLine?.displayName ?? "none")",
            "gpio": "\(simulation == nil ? "libgpiod" : "simulated")",
        ])
    }

    /// Readers and the emergency input first, then every compartment: relay off, lock safe, lines released.
    public func stop() async {
        guard running else { return }
        running = false
        for keypad in keypads.values { await keypad.stop() }
        for reader in wiegandReaders { await reader.stop() }
        for reader in deviceReaders { await reader.stop() }
        await emergency?.stop()
        for hardware in compartments { await hardware.stop() }
        forwarders.forEach { $0.cancel() }
        forwarders = []
        readerContinuation.finish()
        logger.info("site hardware stopped; relays off, lines released")
    }

    // MARK: Simulation

    /// Presents a card at a reader of the simulated board: as Wiegand pulses on a Wiegand reader's lines,
    /// else (no device file to write to) straight onto the reader stream. Returns the idTag it should give.
    public func presentCard(reader name: String, card: SimulatedCard) async throws(SimulationError) -> IdTag {
        guard let simulation else { throw .notSimulated }
        let reader = try self.reader(named: name)
        let tag = try card.normalized()
        if await simulation.isWiegandReader(reader.name) {
            try await simulation.sendWiegand(reader: reader.name, frame: try SimulatedCard.wiegandFrame(for: tag))
        } else {
            readerContinuation.yield(ReaderEvent(readerID: reader.name, kind: .cardPresented(tag), at: SystemMonotonicClock().now()))
        }
        return tag
    }

    /// Types keys on the keypad of a reader of the simulated board.
    public func typeKeys(reader name: String, keys text: String) async throws(SimulationError) {
        guard simulation != nil else { throw .notSimulated }
        let reader = try self.reader(named: name)
        let keys = try SimulatedKeypad.keys(in: text)
        await keypads[reader.name]?.type(keys)
    }

    private func reader(named name: String) throws(SimulationError) -> RFIDReaderConfiguration {
        guard let reader = configuration.rfidReaders.first(where: { $0.name == name })
            ?? configuration.rfidReaders.first(where: { $0.name.lowercased() == name.lowercased() })
        else { throw .unknownReader(name, known: configuration.rfidReaders.map(\.name)) }
        return reader
    }
}
