import Logging

/// A card reader or keypad on a device file (a serial port or /dev/input/eventN): the thin
/// shell that opens the device, feeds its bytes to a pure decoder and emits `ReaderEvent`s.
public actor DeviceReader {
    public enum Device: Sendable, Hashable {
        case serial(path: String, settings: SerialSettings)
        /// `grab` takes exclusive access so a keyboard-wedge reader does not type into a console.
        case inputDevice(path: String, grab: Bool)
    }

    public nonisolated let id: String
    public nonisolated let device: Device
    /// Every read and entry. Finishes when the reader stops.
    public nonisolated let events: AsyncStream<ReaderEvent>
    private let continuation: AsyncStream<ReaderEvent>.Continuation
    private var decoder: any ReaderByteDecoder
    private let clock: any MonotonicClock
    private let logger: Logger
    private var file: DeviceFile?
    private var readTask: Task<Void, Never>?
    private var timerTask: Task<Void, Never>?

    public init(id: String, device: Device, decoder: any ReaderByteDecoder,
                clock: any MonotonicClock = SystemMonotonicClock(), logger: Logger = Logger(label: "lockerio.reader")) {
        self.id = id
        self.device = device
        self.decoder = decoder
        self.clock = clock
        var logger = logger
        logger[metadataKey: "reader"] = "\(id)"
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: ReaderEvent.self, bufferingPolicy: .bufferingNewest(256))
    }

    /// A serial RFID reader sending one UID per line.
    public static func serialCardReader(id: String, path: String, settings: SerialSettings = .init(),
                                        format: UIDTextFormat = .hex) -> DeviceReader {
        DeviceReader(id: id, device: .serial(path: path, settings: settings), decoder: SerialCardDecoder(format: format))
    }

    /// A keyboard-wedge RFID reader (USB HID) on /dev/input/eventN.
    public static func inputDeviceCardReader(id: String, path: String, format: UIDTextFormat = .decimal,
                                             grab: Bool = true) -> DeviceReader {
        DeviceReader(id: id, device: .inputDevice(path: path, grab: grab), decoder: InputDeviceCardDecoder(format: format))
    }

    /// A keypad sending ASCII characters on a serial line.
    public static func serialKeypad(id: String, path: String, settings: SerialSettings = .init(),
                                    keypad: KeypadAssembler.Settings = .init()) -> DeviceReader {
        DeviceReader(id: id, device: .serial(path: path, settings: settings), decoder: SerialKeypadDecoder(settings: keypad))
    }

    /// A keypad on /dev/input/eventN.
    public static func inputDeviceKeypad(id: String, path: String, keypad: KeypadAssembler.Settings = .init(),
                                         grab: Bool = true) -> DeviceReader {
        DeviceReader(id: id, device: .inputDevice(path: path, grab: grab), decoder: InputDeviceKeypadDecoder(settings: keypad))
    }

    public func start() throws(ReaderError) {
        guard file == nil else { return }
        let file: DeviceFile
        switch device {
        case let .serial(path, settings): file = try DeviceFile.openSerial(path: path, settings: settings, logger: logger)
        case let .inputDevice(path, grab): file = try DeviceFile.openInputDevice(path: path, grab: grab, logger: logger)
        }
        self.file = file
        logger.info("reader started", metadata: ["device": "\(device)"])
        let chunks = file.chunks
        readTask = Task { [weak self] in
            for await chunk in chunks { await self?.received(chunk) }
        }
    }

    public func stop() async {
        readTask?.cancel()
        timerTask?.cancel()
        await file?.close()
        file = nil
        continuation.finish()
    }

    private func received(_ bytes: [UInt8]) {
        let now = clock.now()
        emit(decoder.feed(bytes, at: now), at: now)
        scheduleTimer()
    }

    private func emit(_ kinds: [ReaderEvent.Kind], at time: MonotonicInstant) {
        for kind in kinds {
            switch kind {
            case .cardPresented(let idTag): logger.info("card presented", metadata: ["idTag": "\(idTag)"])
            case .keypadEntry(let entry): logger.info("keypad entry", metadata: ["entry": "\(entry)"])
            case .rejected(let reason): logger.warning("read rejected", metadata: ["reason": "\(reason)"])
            }
            continuation.yield(ReaderEvent(readerID: id, kind: kind, at: time))
        }
    }

    private func scheduleTimer() {
        timerTask?.cancel()
        guard let deadline = decoder.nextDeadline else { return }
        let clock = clock
        timerTask = Task { [weak self] in
            do { try await clock.sleep(until: deadline) } catch { return }
            await self?.timerFired()
        }
    }

    private func timerFired() {
        let now = clock.now()
        emit(decoder.advance(to: now), at: now)
        scheduleTimer()
    }
}
