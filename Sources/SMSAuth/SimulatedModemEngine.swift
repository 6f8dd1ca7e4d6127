import Foundation

/// A GSM modem's AT dialect, simulated: what the daemon (or any other program) writes to the
/// modem goes in as bytes, the modem's answers come out as bytes. The network side is the
/// other interface: `deliver` puts a phone's text on the SIM (and announces it with +CMTI),
/// `sent` lists what the modem sent, decoded. Pure: no I/O, time passed in.
///
/// Supported: AT, ATE0/ATE1, ATI, AT+CMEE, AT+CPIN (with an optional SIM PIN), AT+CMGF (0 PDU,
/// 1 text), AT+CNMI (+CMTI when mt is 1), AT+CPMS, AT+CSQ, AT+CREG, AT+CMGL, AT+CMGR, AT+CMGD,
/// AT+CMGS in both modes with the "> " prompt, Ctrl-Z and Escape. A modem that is told to stop
/// answering swallows everything (as a hung modem does) but still stores incoming texts.
public struct SimulatedModemEngine: Sendable {
    /// A complete text the modem sent (concatenated parts joined).
    public struct SentMessage: Sendable, Equatable, Codable {
        public let to: String
        public let text: String
        public let parts: Int
        /// "gsm7" or "ucs2".
        public let alphabet: String
        public let at: Date
    }

    private struct StoredMessage: Sendable {
        var pduHex: String
        var sender: String
        var text: String
        var read: Bool
    }

    private struct PartialSubmit: Sendable {
        var parts: [UInt8: SMSSubmit]
        var total: UInt8
    }

    public private(set) var answering = true
    public private(set) var sent: [SentMessage] = []
    public var signalQuality = 21
    public var registration: RegistrationStatus = .registeredHome
    public let simPIN: String?
    /// Messages kept in `sent`.
    public let sentKept: Int
    private var echo = true
    private var textMode = false
    private var announceNewMessages = false
    private var pinEntered = false
    private var storage: [Int: StoredMessage] = [:]
    private let storageCapacity = 30
    private var input: [UInt8] = []
    /// AT+CMGS waiting for its body after the prompt: the PDU length or the text-mode destination.
    private var pendingSend: PendingSend?
    private var messageReference = 0
    private var deliverReference: UInt8 = 0
    private var partialSubmits: [String: PartialSubmit] = [:]

    private enum PendingSend: Sendable {
        case pdu(length: Int)
        case text(destination: String)
    }

    public init(simPIN: String? = nil, sentKept: Int = 200) {
        self.simPIN = simPIN
        self.sentKept = sentKept
    }

    /// Number of texts stored on the simulated SIM.
    public var storedCount: Int { storage.count }

    public mutating func setAnswering(_ answering: Bool) {
        self.answering = answering
        if !answering { input.removeAll() }
    }

    /// Bytes from the host; returns the modem's answer bytes.
    public mutating func receive(_ bytes: some Sequence<UInt8>, at now: Date) -> [UInt8] {
        guard answering else { return [] }
        var output: [UInt8] = []
        for byte in bytes {
            if pendingSend != nil {
                switch byte {
                case 0x1A:
                    let body = String(decoding: input, as: UTF8.self)
                    input.removeAll()
                    output += finishSend(body, at: now)
                case 0x1B:
                    input.removeAll()
                    pendingSend = nil
                    output += Self.line("OK")
                default:
                    if echo { output.append(byte) }
                    input.append(byte)
                }
                continue
            }
            if byte == 0x0D || byte == 0x0A {
                guard !input.isEmpty else { continue }
                let command = String(decoding: input, as: UTF8.self)
                input.removeAll()
                if echo { output += Array((command + "\r").utf8) }
                output += execute(command.trimmingCharacters(in: .whitespaces), at: now)
            } else if input.count < 4096 {
                input.append(byte)
            }
        }
        return output
    }

    /// A phone's text reaches the SIM. Returns the +CMTI lines to write (none while the modem
    /// does not answer or indications are off). Throws when the text cannot be encoded.
    public mutating func deliver(text: String, from sender: String, at now: Date) throws(PDUError) -> [UInt8] {
        let address: PDUAddress
        let digits = sender.hasPrefix("+") ? String(sender.dropFirst()) : sender
        if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            address = sender.hasPrefix("+") ? .international(digits: digits) : .other(digits: digits, typeOfAddress: 0x81)
        } else {
            address = .alphanumeric(sender)
        }
        deliverReference &+= 1
        let pdus = try SMSDeliverEncoder.encode(text: text, from: address, at: now, reference: deliverReference)
        var output: [UInt8] = []
        for pdu in pdus {
            guard let index = (1...storageCapacity).first(where: { storage[$0] == nil }) else {
                throw .messageTooLong(parts: pdus.count) // SIM full: the network keeps it, as a real one would retry
            }
            storage[index] = StoredMessage(pduHex: pdu, sender: address.text, text: text, read: false)
            if announceNewMessages && answering { output += Self.line("+CMTI: \"SM\",\(index)") }
        }
        return output
    }

    // MARK: Commands

    private mutating func execute(_ raw: String, at now: Date) -> [UInt8] {
        let command = raw.uppercased()
        guard command.hasPrefix("AT") else { return Self.line("ERROR") }
        let body = String(raw.dropFirst(2))
        let upper = String(command.dropFirst(2))
        switch upper {
        case "": return Self.line("OK")
        case "E0", "E1":
            echo = upper == "E1"
            return Self.line("OK")
        case "I": return Self.line("EdgeAgent simulated GSM modem") + Self.line("OK")
        case "+CSQ": return Self.line("+CSQ: \(signalQuality),99") + Self.line("OK")
        case "+CREG?": return Self.line("+CREG: 0,\(registration.rawValue)") + Self.line("OK")
        case "+CPIN?":
            let state = simPIN != nil && !pinEntered ? "SIM PIN" : "READY"
            return Self.line("+CPIN: \(state)") + Self.line("OK")
        case "+CMGF?": return Self.line("+CMGF: \(textMode ? 1 : 0)") + Self.line("OK")
        case "+CMGF=0", "+CMGF=1":
            textMode = upper == "+CMGF=1"
            return Self.line("OK")
        default: break
        }
        if upper.hasPrefix("+CMEE=") { return Self.line("OK") }
        if upper.hasPrefix("+CPIN=") {
            let pin = ATLine.unquote(String(body.dropFirst(6)))
            guard let simPIN else { return Self.line("+CME ERROR: operation not allowed") }
            guard pin == simPIN else { return Self.line("+CME ERROR: incorrect password") }
            pinEntered = true
            return Self.line("OK")
        }
        guard simReady else { return Self.line("+CME ERROR: SIM PIN required") }
        if upper.hasPrefix("+CNMI=") {
            let fields = ATLine.splitFields(String(upper.dropFirst(6)))
            announceNewMessages = fields.count >= 2 && fields[1] == "1"
            return Self.line("OK")
        }
        if upper.hasPrefix("+CPMS") {
            return Self.line("+CPMS: \(storage.count),\(storageCapacity),\(storage.count),\(storageCapacity),\(storage.count),\(storageCapacity)")
                + Self.line("OK")
        }
        if upper.hasPrefix("+CMGL") { return list() }
        if upper.hasPrefix("+CMGR="), let index = Int(upper.dropFirst(6)) { return read(index) }
        if upper.hasPrefix("+CMGD="), let index = Int(ATLine.splitFields(String(upper.dropFirst(6))).first ?? "") {
            storage[index] = nil
            return Self.line("OK")
        }
        if upper.hasPrefix("+CMGS=") {
            let argument = String(body.dropFirst(6))
            if textMode {
                pendingSend = .text(destination: ATLine.unquote(argument))
            } else {
                guard let length = Int(argument), length > 0 else { return Self.line("+CMS ERROR: invalid PDU mode parameter") }
                pendingSend = .pdu(length: length)
            }
            return Array("\r\n> ".utf8)
        }
        return Self.line("ERROR")
    }

    private var simReady: Bool { simPIN == nil || pinEntered }

    private mutating func list() -> [UInt8] {
        var output: [UInt8] = []
        for index in storage.keys.sorted() {
            guard let message = storage[index] else { continue }
            output += entryLines(message, header: "+CMGL: \(index),")
            storage[index]?.read = true
        }
        return output + Self.line("OK")
    }

    private mutating func read(_ index: Int) -> [UInt8] {
        guard let message = storage[index] else { return Self.line("+CMS ERROR: invalid memory index") }
        storage[index]?.read = true
        return entryLines(message, header: "+CMGR: ") + Self.line("OK")
    }

    private func entryLines(_ message: StoredMessage, header: String) -> [UInt8] {
        if textMode {
            let status = message.read ? "\"REC READ\"" : "\"REC UNREAD\""
            return Self.line("\(header)\(status),\"\(message.sender)\",,\"\"") + Self.line(message.text)
        }
        let octets = message.pduHex.count / 2 - 1 - (Int(message.pduHex.prefix(2), radix: 16) ?? 0)
        return Self.line("\(header)\(message.read ? 1 : 0),,\(octets)") + Self.line(message.pduHex)
    }

    private mutating func finishSend(_ body: String, at now: Date) -> [UInt8] {
        guard let pending = pendingSend else { return [] }
        pendingSend = nil
        messageReference = (messageReference + 1) % 256
        let reference = Self.line("+CMGS: \(messageReference)") + Self.line("OK")
        switch pending {
        case .text(let destination):
            record(SentMessage(to: destination, text: body, parts: 1, alphabet: "gsm7", at: now))
            return reference
        case .pdu(let length):
            let hex = body.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let submit = try? SMSSubmit.decode(hex: hex),
                  let bytes = try? PDUHex.decode(hex), bytes.count - 1 - Int(bytes[0]) == length else {
                return Self.line("+CMS ERROR: invalid PDU mode parameter")
            }
            collect(submit, at: now)
            return reference
        }
    }

    private mutating func collect(_ submit: SMSSubmit, at now: Date) {
        let alphabet = submit.alphabet == .gsm7 ? "gsm7" : "ucs2"
        guard let info = submit.concatenation, info.total > 1 else {
            record(SentMessage(to: submit.destination.text, text: submit.text, parts: 1, alphabet: alphabet, at: now))
            return
        }
        let key = "\(submit.destination.text)#\(info.reference)"
        var partial = partialSubmits[key] ?? PartialSubmit(parts: [:], total: info.total)
        partial.parts[info.sequence] = submit
        guard partial.parts.count == Int(partial.total) else {
            partialSubmits[key] = partial
            return
        }
        partialSubmits[key] = nil
        let text = partial.parts.keys.sorted().compactMap { partial.parts[$0]?.text }.joined()
        record(SentMessage(to: submit.destination.text, text: text, parts: Int(partial.total), alphabet: alphabet, at: now))
    }

    private mutating func record(_ message: SentMessage) {
        sent.append(message)
        if sent.count > sentKept { sent.removeFirst(sent.count - sentKept) }
    }

    static func line(_ text: String) -> [UInt8] { Array("\r\n\(text)\r\n".utf8) }
}
