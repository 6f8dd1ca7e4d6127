/// Turns a reader's raw bytes into reader events, with injected time. Pure.
public protocol ReaderByteDecoder: Sendable {
    mutating func feed(_ bytes: [UInt8], at time: MonotonicInstant) -> [ReaderEvent.Kind]
    /// When `advance(to:)` has something to do (a keypad entry timing out).
    var nextDeadline: MonotonicInstant? { get }
    mutating func advance(to time: MonotonicInstant) -> [ReaderEvent.Kind]
}

extension ReaderByteDecoder {
    public var nextDeadline: MonotonicInstant? { nil }
    public mutating func advance(to time: MonotonicInstant) -> [ReaderEvent.Kind] { [] }
}

/// A serial RFID reader: one ASCII UID per line.
public struct SerialCardDecoder: ReaderByteDecoder {
    private var parser: SerialUIDParser

    public init(format: UIDTextFormat = .hex) { parser = SerialUIDParser(format: format) }

    public mutating func feed(_ bytes: [UInt8], at time: MonotonicInstant) -> [ReaderEvent.Kind] {
        parser.feed(bytes).map { result in
            switch result {
            case .success(let idTag): .cardPresented(idTag)
            case .failure(let rejection): .rejected(rejection)
            }
        }
    }
}

/// A keypad on a serial line sending one ASCII character per key.
public struct SerialKeypadDecoder: ReaderByteDecoder {
    private var assembler: KeypadAssembler

    public init(settings: KeypadAssembler.Settings = .init()) { assembler = KeypadAssembler(settings: settings) }

    public mutating func feed(_ bytes: [UInt8], at time: MonotonicInstant) -> [ReaderEvent.Kind] {
        bytes.compactMap(Self.key).flatMap { assembler.key($0, at: time).map(Self.kind) }
    }

    public var nextDeadline: MonotonicInstant? { assembler.nextDeadline }

    public mutating func advance(to time: MonotonicInstant) -> [ReaderEvent.Kind] {
        assembler.advance(to: time).map { [Self.kind($0)] } ?? []
    }

    static func key(_ byte: UInt8) -> ReaderKey? {
        switch byte {
        case 0x0D, 0x0A: .enter
        case 0x08, 0x7F: .backspace
        case 0x1B: .escape
        case 0x21..<0x7F: .character(Character(Unicode.Scalar(byte)).uppercased().first!)
        default: nil
        }
    }

    static func kind(_ outcome: KeypadAssembler.Outcome) -> ReaderEvent.Kind {
        switch outcome {
        case .entry(let entry): .keypadEntry(entry)
        case .timedOut(let count): .rejected(.keypadTimedOut(characters: count))
        }
    }
}

/// A keyboard-wedge RFID reader on /dev/input/eventN: key presses, Enter ends a UID.
public struct InputDeviceCardDecoder: ReaderByteDecoder {
    private var parser: InputEventParser
    private var assembler: KeyboardUIDAssembler

    public init(format: UIDTextFormat = .decimal, layout: InputEventLayout = .native) {
        parser = InputEventParser(layout: layout)
        assembler = KeyboardUIDAssembler(format: format)
    }

    public mutating func feed(_ bytes: [UInt8], at time: MonotonicInstant) -> [ReaderEvent.Kind] {
        parser.feed(bytes).filter(\.isKeyPress).compactMap { ReaderKey(linuxKeyCode: $0.code) }.compactMap { key in
            assembler.key(key).map { result in
                switch result {
                case .success(let idTag): .cardPresented(idTag)
                case .failure(let rejection): .rejected(rejection)
                }
            }
        }
    }
}

/// A keypad on /dev/input/eventN.
public struct InputDeviceKeypadDecoder: ReaderByteDecoder {
    private var parser: InputEventParser
    private var assembler: KeypadAssembler

    public init(settings: KeypadAssembler.Settings = .init(), layout: InputEventLayout = .native) {
        parser = InputEventParser(layout: layout)
        assembler = KeypadAssembler(settings: settings)
    }

    public mutating func feed(_ bytes: [UInt8], at time: MonotonicInstant) -> [ReaderEvent.Kind] {
        parser.feed(bytes).filter(\.isKeyPress).compactMap { ReaderKey(linuxKeyCode: $0.code) }.flatMap {
            assembler.key($0, at: time).map(SerialKeypadDecoder.kind)
        }
    }

    public var nextDeadline: MonotonicInstant? { assembler.nextDeadline }

    public mutating func advance(to time: MonotonicInstant) -> [ReaderEvent.Kind] {
        assembler.advance(to: time).map { [SerialKeypadDecoder.kind($0)] } ?? []
    }
}
