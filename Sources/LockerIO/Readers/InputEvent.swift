/// One `struct input_event` as the kernel writes it to /dev/input/eventN.
public struct InputEvent: Sendable, Hashable {
    public static let keyEventType: UInt16 = 0x01  // EV_KEY

    public var seconds: Int64
    public var microseconds: Int64
    public var type: UInt16
    public var code: UInt16
    public var value: Int32

    public init(seconds: Int64, microseconds: Int64, type: UInt16, code: UInt16, value: Int32) {
        self.seconds = seconds
        self.microseconds = microseconds
        self.type = type
        self.code = code
        self.value = value
    }

    /// A key going down (value 1). Releases (0) and auto-repeats (2) are not.
    public var isKeyPress: Bool { type == Self.keyEventType && value == 1 }
}

/// The byte layout of `struct input_event`, which depends on the size of `struct timeval`.
public enum InputEventLayout: Sendable, Hashable {
    /// 64-bit kernels and user space (x86_64, aarch64): timeval is two 8-byte longs; 24 bytes.
    case lp64
    /// 32-bit ARM (armhf Raspberry Pi OS): timeval is two 4-byte longs; 16 bytes.
    case ilp32

    /// The layout of the running process, which is the one the kernel uses towards it.
    public static var native: InputEventLayout { MemoryLayout<Int>.size == 8 ? .lp64 : .ilp32 }

    public var size: Int { self == .lp64 ? 24 : 16 }
    private var timeFieldSize: Int { self == .lp64 ? 8 : 4 }

    /// Decodes one event from exactly `size` bytes (little-endian, as on every supported board).
    public func decode(_ bytes: some Collection<UInt8>) -> InputEvent? {
        let raw = Array(bytes)
        guard raw.count == size else { return nil }
        let field = timeFieldSize
        func little(_ offset: Int, _ count: Int) -> UInt64 {
            (0..<count).reduce(UInt64(0)) { $0 | UInt64(raw[offset + $1]) << (8 * UInt64($1)) }
        }
        func signed(_ offset: Int, _ count: Int) -> Int64 {
            let value = little(offset, count)
            let shift = UInt64(64 - 8 * count)
            return Int64(bitPattern: value << shift) >> Int64(shift)
        }
        return InputEvent(
            seconds: signed(0, field), microseconds: signed(field, field),
            type: UInt16(little(2 * field, 2)), code: UInt16(little(2 * field + 2, 2)),
            value: Int32(truncatingIfNeeded: signed(2 * field + 4, 4)))
    }
}

/// Splits a byte stream from an input device into events; keeps partial events for the next read.
public struct InputEventParser: Sendable, Hashable {
    public let layout: InputEventLayout
    private var pending: [UInt8] = []

    public init(layout: InputEventLayout = .native) { self.layout = layout }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [InputEvent] {
        pending.append(contentsOf: bytes)
        let whole = pending.count / layout.size * layout.size
        let events = stride(from: 0, to: whole, by: layout.size).compactMap {
            layout.decode(pending[$0..<($0 + layout.size)])
        }
        pending.removeFirst(whole)
        return events
    }
}

/// A key as readers and keypads use them.
public enum ReaderKey: Sendable, Hashable {
    case character(Character)
    case enter
    case backspace
    case escape

    /// The key for a Linux key code (linux/input-event-codes.h), or `nil` for keys readers do
    /// not use (shift, function keys, ...). Letters come out upper-case.
    public init?(linuxKeyCode code: UInt16) {
        if let character = Self.characters[code] {
            self = .character(character)
            return
        }
        switch code {
        case 28, 96: self = .enter  // KEY_ENTER, KEY_KPENTER
        case 14: self = .backspace  // KEY_BACKSPACE
        case 1: self = .escape  // KEY_ESC
        default: return nil
        }
    }

    /// Key codes of digits, letters and keypad symbols.
    private static let characters: [UInt16: Character] = {
        var map: [UInt16: Character] = [:]
        for (offset, digit) in "1234567890".enumerated() { map[UInt16(2 + offset)] = digit }  // KEY_1...KEY_0
        for (start, row) in [(16, "QWERTYUIOP"), (30, "ASDFGHJKL"), (44, "ZXCVBNM")] {
            for (offset, letter) in row.enumerated() { map[UInt16(start + offset)] = letter }
        }
        // Numeric keypad: KEY_KP7 = 71 ... KEY_KP0 = 82.
        let keypad: [UInt16: Character] = [
            71: "7", 72: "8", 73: "9", 75: "4", 76: "5", 77: "6", 79: "1", 80: "2", 81: "3", 82: "0",
            55: "*", 98: "/", 74: "-", 78: "+", 83: ".",
        ]
        map.merge(keypad) { $1 }
        map[12] = "-"  // KEY_MINUS
        map[52] = "."  // KEY_DOT
        // Keypads wired as keyboards often send shift+3 for '#'; KEY_NUMERIC_POUND/STAR exist too.
        map[0x20b] = "#"  // KEY_NUMERIC_POUND
        map[0x20a] = "*"  // KEY_NUMERIC_STAR
        return map
    }()
}

/// Assembles card UIDs from a keyboard-wedge reader's key presses: characters until Enter.
public struct KeyboardUIDAssembler: Sendable, Hashable {
    public let format: UIDTextFormat
    private var text = ""

    public init(format: UIDTextFormat = .decimal) { self.format = format }

    public mutating func key(_ key: ReaderKey) -> Result<IdTag, ReaderRejection>? {
        switch key {
        case .character(let character):
            if text.count < SerialUIDParser.maximumLineLength { text.append(character) }
            return nil
        case .enter:
            defer { text = "" }
            guard !text.isEmpty else { return nil }
            do { return .success(try IdTag(uid: text, format: format)) }
            catch { return .failure(.uid(error)) }
        case .backspace, .escape:
            text = ""
            return nil
        }
    }
}
