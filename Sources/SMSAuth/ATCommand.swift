/// A command for the modem. `sensitive` commands (the SIM PIN) are never logged.
public struct ATCommand: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    /// For AT+CMGS: the PDU hex to send after the "> " prompt, followed by Ctrl-Z.
    public let pduAfterPrompt: String?
    public let sensitive: Bool

    public init(_ text: String, pduAfterPrompt: String? = nil, sensitive: Bool = false) {
        self.text = text
        self.pduAfterPrompt = pduAfterPrompt
        self.sensitive = sensitive
    }

    /// The bytes to write: command and carriage return.
    public var bytes: [UInt8] { Array((text + "\r").utf8) }

    public var description: String { sensitive ? "AT+CPIN=<redacted>" : text }

    public static let echoOff = ATCommand("ATE0")
    public static let verboseErrors = ATCommand("AT+CMEE=2")
    public static let pinStatus = ATCommand("AT+CPIN?")
    public static let pduMode = ATCommand("AT+CMGF=0")
    /// Store incoming SMS and announce them with +CMTI (mode 2, mt 1).
    public static let newMessageIndications = ATCommand("AT+CNMI=2,1,0,0,0")
    public static let simStorage = ATCommand("AT+CPMS=\"SM\",\"SM\",\"SM\"")
    public static let signalQuality = ATCommand("AT+CSQ")
    public static let registration = ATCommand("AT+CREG?")
    /// All stored messages (PDU mode status 4 = all).
    public static let listAllMessages = ATCommand("AT+CMGL=4")

    public static func enterPIN(_ pin: String) -> ATCommand {
        ATCommand("AT+CPIN=\"\(pin)\"", sensitive: true)
    }

    public static func readMessage(index: Int) -> ATCommand { ATCommand("AT+CMGR=\(index)") }
    public static func deleteMessage(index: Int) -> ATCommand { ATCommand("AT+CMGD=\(index)") }

    public static func send(_ pdu: SubmitPDU) -> ATCommand {
        ATCommand("AT+CMGS=\(pdu.tpduLength)", pduAfterPrompt: pdu.hex)
    }
}

/// How a command ended.
public enum ATResult: Sendable, Equatable {
    /// OK, with the information lines that came before it.
    case ok([ATLine])
    case failed(ATFailure)
}

public enum ATFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case error
    case equipment(ATErrorDetail)
    case messageService(ATErrorDetail)
    /// No final result in time; the shell decides the time and reports it.
    case timeout
    /// The session was reset (modem restarted, port reopened) with the command in flight.
    case cancelled

    public var description: String {
        switch self {
        case .error: "modem answered ERROR"
        case .equipment(let detail): "modem error (+CME): \(detail)"
        case .messageService(let detail): "SMS service error (+CMS): \(detail)"
        case .timeout: "modem did not answer in time; check the serial port and the modem's power"
        case .cancelled: "command cancelled because the modem session was reset"
        }
    }
}

/// Stored messages from the lines of an AT+CMGL (or AT+CMGR) answer: each header line is
/// followed by the PDU hex.
public enum ATMessageListing {
    public struct Entry: Sendable, Equatable {
        /// Storage index, nil for AT+CMGR where the caller knows it.
        public let index: Int?
        public let status: Int
        public let pduHex: String
    }

    public static func entries(_ lines: [ATLine]) -> [Entry] {
        var entries: [Entry] = []
        var pending: (index: Int?, status: Int)?
        for line in lines {
            switch line {
            case .listedMessage(let index, let status, _): pending = (index, status)
            case .readMessage(let status, _): pending = (nil, status)
            case .text(let hex):
                if let header = pending {
                    entries.append(Entry(index: header.index, status: header.status, pduHex: hex))
                    pending = nil
                }
            default: pending = nil
            }
        }
        return entries
    }
}
