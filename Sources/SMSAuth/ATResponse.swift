import Foundation

// Parsing of GSM modem responses (3GPP TS 27.005 / 27.007), one line at a time.

/// Network registration state from +CREG.
public enum RegistrationStatus: Int, Sendable, Equatable {
    case notRegistered = 0, registeredHome = 1, searching = 2, denied = 3, unknown = 4, registeredRoaming = 5

    public var isRegistered: Bool { self == .registeredHome || self == .registeredRoaming }
}

/// A +CME ERROR / +CMS ERROR payload: numeric with AT+CMEE=1, text with AT+CMEE=2.
public struct ATErrorDetail: Sendable, Equatable, CustomStringConvertible {
    public let code: Int?
    public let text: String

    init(_ payload: String) {
        let trimmed = payload.trimmingCharacters(in: .whitespaces)
        code = Int(trimmed)
        text = trimmed
    }

    public var description: String { text }
}

/// One line from the modem.
public enum ATLine: Sendable, Equatable {
    case ok
    case error
    case cmeError(ATErrorDetail)
    case cmsError(ATErrorDetail)
    /// "> " after AT+CMGS: the modem waits for the PDU and Ctrl-Z.
    case prompt
    /// +CMTI: "SM",3 — a new message was stored.
    case newMessage(storage: String, index: Int)
    /// +CMGL: <index>,<stat>,[<alpha>],<length> — followed by the PDU line.
    case listedMessage(index: Int, status: Int, length: Int)
    /// +CMGR: <stat>,[<alpha>],<length> — followed by the PDU line.
    case readMessage(status: Int, length: Int)
    /// +CMGS: <mr> — a message left the modem with this reference.
    case messageSent(reference: Int)
    /// +CSQ: <rssi>,<ber>; rssi 99 means unknown.
    case signalQuality(rssi: Int, bitErrorRate: Int)
    /// +CREG: [<n>,]<stat>[,<lac>,<ci>]; `mode` is nil in the unsolicited form.
    case registration(mode: Int?, status: RegistrationStatus)
    /// +CPIN: READY / SIM PIN / SIM PUK ...
    case pinState(String)
    /// Anything else: PDU hex lines, +CPMS, echoes, banners.
    case text(String)

    /// True for lines that end a command.
    public var isFinalResult: Bool {
        switch self {
        case .ok, .error, .cmeError, .cmsError: true
        default: false
        }
    }

    public static func parse(_ raw: String) -> ATLine {
        let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        switch line {
        case "OK": return .ok
        case "ERROR": return .error
        case ">": return .prompt
        default: break
        }
        guard line.hasPrefix("+"), let colon = line.firstIndex(of: ":") else { return .text(line) }
        let name = String(line[..<colon])
        let payload = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        let fields = splitFields(payload)
        let numbers = fields.map { Int($0) }
        switch name {
        case "+CME ERROR": return .cmeError(ATErrorDetail(payload))
        case "+CMS ERROR": return .cmsError(ATErrorDetail(payload))
        case "+CMTI":
            if fields.count == 2, let index = numbers[1] { return .newMessage(storage: unquote(fields[0]), index: index) }
        case "+CMGL":
            if fields.count >= 3, let index = numbers[0], let status = numbers[1], let length = numbers.last ?? nil {
                return .listedMessage(index: index, status: status, length: length)
            }
        case "+CMGR":
            if fields.count >= 2, let status = numbers[0], let length = numbers.last ?? nil {
                return .readMessage(status: status, length: length)
            }
        case "+CMGS":
            if let reference = numbers.first ?? nil { return .messageSent(reference: reference) }
        case "+CSQ":
            if fields.count == 2, let rssi = numbers[0], let ber = numbers[1] { return .signalQuality(rssi: rssi, bitErrorRate: ber) }
        case "+CREG":
            return parseRegistration(fields) ?? .text(line)
        case "+CPIN":
            return .pinState(unquote(payload))
        default:
            break
        }
        return .text(line)
    }

    /// Query answer "+CREG: 0,1[,lac,ci]" has the mode first; the unsolicited form
    /// "+CREG: 1[,\"lac\",\"ci\"]" starts with the status, and its second field is quoted.
    private static func parseRegistration(_ fields: [String]) -> ATLine? {
        guard let first = Int(fields.first ?? "") else { return nil }
        if fields.count >= 2, !fields[1].hasPrefix("\""), let second = Int(fields[1]) {
            return RegistrationStatus(rawValue: second).map { .registration(mode: first, status: $0) }
        }
        return RegistrationStatus(rawValue: first).map { .registration(mode: nil, status: $0) }
    }

    /// Splits at commas outside quotes.
    static func splitFields(_ payload: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        for character in payload {
            if character == "\"" { quoted.toggle() }
            if character == ",", !quoted {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }

    static func unquote(_ field: String) -> String {
        field.count >= 2 && field.hasPrefix("\"") && field.hasSuffix("\"") ? String(field.dropFirst().dropLast()) : field
    }
}

/// Splits the modem's byte stream into lines. The "> " prompt has no line end, so it is
/// recognized on its own.
public struct ATLineSplitter: Sendable {
    private var buffer: [UInt8] = []
    /// Guards against a modem that never sends a line end.
    public let maxLineLength: Int

    public init(maxLineLength: Int = 4096) {
        self.maxLineLength = maxLineLength
    }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == 0x0D || byte == 0x0A {
                if !buffer.isEmpty { lines.append(String(decoding: buffer, as: UTF8.self)) }
                buffer.removeAll(keepingCapacity: true)
            } else {
                buffer.append(byte)
                if buffer.count >= maxLineLength {
                    lines.append(String(decoding: buffer, as: UTF8.self))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
        }
        if buffer == [0x3E, 0x20] || buffer == [0x3E] {
            lines.append(">")
            buffer.removeAll(keepingCapacity: true)
        }
        return lines
    }
}
