/// A keypad entry (a receipt PIN or a compartment number). Its description never shows the
/// characters, so it cannot leak a PIN into a log.
public struct KeypadEntry: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    public init(_ text: String) { self.text = text }

    public var description: String { "<keypad entry, \(text.count) characters>" }
}

/// Why a read was dropped.
public enum ReaderRejection: Error, Sendable, Hashable, CustomStringConvertible {
    case wiegand(WiegandRejection)
    case uid(UIDParseError)
    case lineTooLong(bytes: Int)
    case keypadTimedOut(characters: Int)

    public var description: String {
        switch self {
        case .wiegand(let reason): "Wiegand frame rejected: \(reason)"
        case .uid(let reason): "card UID rejected: \(reason)"
        case .lineTooLong(let count): "reader line of \(count) bytes discarded (no line end); check the reader's baud rate"
        case .keypadTimedOut(let count): "keypad entry abandoned after \(count) keys (timed out)"
        }
    }
}

/// What a reader saw. Which compartment a reader belongs to is the daemon's configuration.
public struct ReaderEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case cardPresented(IdTag)
        case keypadEntry(KeypadEntry)
        case rejected(ReaderRejection)
    }

    public var readerID: String
    public var kind: Kind
    public var at: MonotonicInstant

    public init(readerID: String, kind: Kind, at: MonotonicInstant) {
        self.readerID = readerID
        self.kind = kind
        self.at = at
    }
}
