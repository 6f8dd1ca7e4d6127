import Foundation
import Testing
@testable import SMSAuth

/// Test double: answers the AT dialect the way a SIM800/Quectel-class modem does, from
/// memory, with SIM storage and a record of what was sent.
actor ScriptedModem {
    private let output: AsyncStream<[UInt8]>.Continuation
    private var buffer: [UInt8] = []
    private var awaitingPDU = false
    private var nextIndex = 1
    private var messageReference = 0
    var pinState: String
    private(set) var stored: [Int: String] = [:]
    private(set) var commands: [String] = []
    private(set) var sentPDUs: [String] = []

    init(output: AsyncStream<[UInt8]>.Continuation, pinState: String = "READY", stored: [String] = []) {
        self.output = output
        self.pinState = pinState
        for pdu in stored {
            self.stored[nextIndex] = pdu
            nextIndex += 1
        }
    }

    /// A message arrives from the network: store it and announce it.
    func receiveFromNetwork(_ pduHex: String) {
        let index = nextIndex
        nextIndex += 1
        stored[index] = pduHex
        reply("+CMTI: \"SM\",\(index)")
    }

    func hangUp() { output.finish() }

    func written(_ bytes: [UInt8]) {
        buffer += bytes
        while true {
            if awaitingPDU {
                guard let end = buffer.firstIndex(of: 0x1A) else { return }
                sentPDUs.append(String(decoding: buffer[..<end], as: UTF8.self))
                buffer.removeSubrange(...end)
                awaitingPDU = false
                messageReference += 1
                reply("+CMGS: \(messageReference)", "", "OK")
            } else {
                guard let end = buffer.firstIndex(of: 0x0D) else { return }
                let command = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...end)
                commands.append(command)
                answer(command)
            }
        }
    }

    private func answer(_ command: String) {
        switch command {
        case "ATE0", "AT+CMEE=2", "AT+CMGF=0", "AT+CNMI=2,1,0,0,0": reply("OK")
        case "AT+CPIN?": reply("+CPIN: \(pinState)", "", "OK")
        case "AT+CPIN=\"1234\"": pinState = "READY"; reply("OK")
        case "AT+CPMS=\"SM\",\"SM\",\"SM\"": reply("+CPMS: \(stored.count),30,\(stored.count),30,\(stored.count),30", "", "OK")
        case "AT+CMGL=4":
            let lines = stored.keys.sorted().flatMap { ["+CMGL: \($0),0,,\(stored[$0]!.count / 2 - 1)", stored[$0]!] }
            reply(lines + ["", "OK"])
        case let read where read.hasPrefix("AT+CMGR="):
            if let index = Int(read.dropFirst(8)), let pdu = stored[index] {
                reply("+CMGR: 0,,\(pdu.count / 2 - 1)", pdu, "", "OK")
            } else {
                reply("+CMS ERROR: invalid memory index")
            }
        case let delete where delete.hasPrefix("AT+CMGD="):
            stored[Int(delete.dropFirst(8)) ?? -1] = nil
            reply("OK")
        case let send where send.hasPrefix("AT+CMGS="):
            awaitingPDU = true
            output.yield(Array("\r\n> ".utf8))
        default:
            reply("ERROR")
        }
    }

    private func reply(_ lines: String...) { reply(lines) }

    private func reply(_ lines: [String]) {
        output.yield(Array(lines.map { "\r\n" + $0 }.joined().appending("\r\n").utf8))
    }
}

struct ScriptedModemTransport: ModemTransport {
    let modem: ScriptedModem
    let incoming: AsyncStream<[UInt8]>

    static func make(pinState: String = "READY", stored: [String] = []) -> ScriptedModemTransport {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        return ScriptedModemTransport(modem: ScriptedModem(output: continuation, pinState: pinState, stored: stored), incoming: stream)
    }

    func write(_ bytes: [UInt8]) async throws { await modem.written(bytes) }
}

@Suite("GSM modem over a scripted AT modem", .timeLimit(.minutes(1)))
struct GSMModemTests {
    let hello = "07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37"

    @Test("start-up sequence, then a send in PDU mode")
    func startAndSend() async throws {
        let transport = ScriptedModemTransport.make(pinState: "SIM PIN")
        let modem = GSMModem(transport: transport, configuration: .init(simPIN: "1234"))
        let running = Task { try await modem.run() }
        try await modem.send("hellohello", to: #require(E164Number(digits: "46708251358")))
        let commands = await transport.modem.commands
        #expect(Array(commands.prefix(8)) == ["ATE0", "AT+CMEE=2", "AT+CPIN?", "AT+CPIN=\"1234\"", "AT+CPIN?", "AT+CMGF=0", "AT+CNMI=2,1,0,0,0", "AT+CPMS=\"SM\",\"SM\",\"SM\""])
        #expect(commands.last == "AT+CMGS=23")
        #expect(await transport.modem.sentPDUs == ["0011000B916407281553F80000A70AE8329BFD4697D9EC37"])
        await transport.modem.hangUp()
        await #expect(throws: GSMModem.ModemError.closed) { try await running.value }
    }

    @Test("messages stored while away and new ones announced by +CMTI arrive, joined, and are deleted")
    func receive() async throws {
        let transport = ScriptedModemTransport.make(stored: [hello])
        let modem = GSMModem(transport: transport)
        let running = Task { try await modem.run() }
        var messages = modem.incoming.makeAsyncIterator()
        let first = await messages.next()
        #expect(first?.text == "hellohello")

        let long = String(repeating: "Fach A3 bitte öffnen. ", count: 9)
        let parts = try SMSSubmitEncoder().encode(text: long, to: .international(digits: "491701234567"), reference: 9)
        for part in parts.reversed() {
            await transport.modem.receiveFromNetwork(try asDeliver(part.hex))
        }
        let second = await messages.next()
        #expect(second?.text == long)
        #expect(second?.sender == .international(digits: "491701234567"))

        // Commands run in order, so after this send every delete has been answered.
        try await modem.send("ok", to: #require(E164Number(digits: "491701234567")))
        #expect(await transport.modem.stored.isEmpty)
        await transport.modem.hangUp()
        _ = try? await running.value
    }

    @Test("a locked SIM stops start-up with a clear error, and sends fail")
    func pukLocked() async throws {
        let transport = ScriptedModemTransport.make(pinState: "SIM PUK")
        let modem = GSMModem(transport: transport)
        await #expect(throws: GSMModem.ModemError.initialization(.simPUKRequired)) { try await modem.run() }
        await #expect(throws: GSMModem.ModemError.initialization(.simPUKRequired)) {
            try await modem.send("x", to: #require(E164Number(digits: "491701234567")))
        }
    }

    /// The SMS-DELIVER a recipient gets for one of our SMS-SUBMIT PDUs.
    private func asDeliver(_ submitHex: String) throws -> String {
        let bytes = try PDUHex.decode(submitHex)
        let addressEnd = 5 + (Int(bytes[3]) + 1) / 2
        let userData = bytes[(addressEnd + 3)...]
        let deliver: [UInt8] = [0x00, bytes[1] & 0x40] + bytes[3..<addressEnd] + [bytes[addressEnd], bytes[addressEnd + 1]]
            + [0x52, 0x01, 0x11, 0x12, 0x23, 0x34, 0x00] + userData
        return PDUHex.encode(deliver)
    }
}
