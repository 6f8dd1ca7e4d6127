import Foundation
import Testing
@testable import SMSAuth

/// The simulated modem's engine, alone and behind the real `GSMModem` (the daemon's modem code), connected
/// by an in-memory byte pipe instead of a pseudo-terminal.
@Suite("Simulated GSM modem")
struct SimulatedModemTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func answer(_ engine: inout SimulatedModemEngine, _ command: String) -> String {
        String(decoding: engine.receive(Array((command + "\r").utf8), at: now), as: UTF8.self)
    }

    @Test("answers the start-up commands the daemon sends")
    func startUp() {
        var engine = SimulatedModemEngine()
        #expect(answer(&engine, "ATE0").hasSuffix("\r\nOK\r\n"))
        #expect(answer(&engine, "AT+CPIN?") == "\r\n+CPIN: READY\r\n\r\nOK\r\n")
        #expect(answer(&engine, "AT+CSQ").contains("+CSQ: 21,99"))
        #expect(answer(&engine, "AT+CREG?").contains("+CREG: 0,1"))
        #expect(answer(&engine, "AT+FOO") == "\r\nERROR\r\n")
    }

    @Test("asks for the SIM PIN and refuses SMS commands until it is entered")
    func simPIN() {
        var engine = SimulatedModemEngine(simPIN: "1234")
        _ = answer(&engine, "ATE0")
        #expect(answer(&engine, "AT+CPIN?").contains("SIM PIN"))
        #expect(answer(&engine, "AT+CMGL=4").contains("+CME ERROR"))
        #expect(answer(&engine, "AT+CPIN=\"0000\"").contains("incorrect password"))
        #expect(answer(&engine, "AT+CPIN=\"1234\"").hasSuffix("OK\r\n"))
        #expect(answer(&engine, "AT+CMGL=4").hasSuffix("OK\r\n"))
    }

    @Test("a delivered text is announced, listed, read and deleted")
    func deliverReadDelete() throws {
        var engine = SimulatedModemEngine()
        _ = answer(&engine, "ATE0")
        _ = answer(&engine, "AT+CNMI=2,1,0,0,0")
        let announcement = String(decoding: try engine.deliver(text: "Fach A3", from: "+491701234567", at: now), as: UTF8.self)
        #expect(announcement == "\r\n+CMTI: \"SM\",1\r\n")
        let lines = answer(&engine, "AT+CMGR=1").split(separator: "\r\n").map(String.init)
        #expect(lines.first?.hasPrefix("+CMGR: 0,,") == true)
        let message = try SMSDeliver.decode(hex: lines[1])
        #expect(message.text == "Fach A3" && message.sender == .international(digits: "491701234567"))
        #expect(answer(&engine, "AT+CMGD=1").hasSuffix("OK\r\n"))
        #expect(engine.storedCount == 0)
    }

    @Test("a hung modem answers nothing but keeps incoming texts for later")
    func hung() throws {
        var engine = SimulatedModemEngine()
        _ = answer(&engine, "ATE0")
        _ = answer(&engine, "AT+CNMI=2,1,0,0,0")
        engine.setAnswering(false)
        #expect(answer(&engine, "AT").isEmpty)
        #expect(try engine.deliver(text: "hilfe", from: "+491701234567", at: now).isEmpty)
        engine.setAnswering(true)
        #expect(answer(&engine, "AT+CMGL=4").contains("+CMGL: 1,0,,"))
    }

    @Test("SMS-SUBMIT PDUs decode to what was encoded, concatenation included")
    func submitRoundTrip() throws {
        let text = String(repeating: "Grüße aus dem Schließfach. ", count: 8)
        let pdus = try SMSSubmitEncoder().encode(text: text, to: .international(digits: "491701234567"), reference: 7)
        let parts = try pdus.map { try SMSSubmit.decode(hex: $0.hex) }
        #expect(parts.count == 2)
        #expect(parts.map(\.text).joined() == SMSSegmenter.normalized(text))
        #expect(parts.allSatisfy { $0.destination == .international(digits: "491701234567") && $0.alphabet == .gsm7 })
        #expect(parts.map { $0.concatenation?.sequence } == [1, 2])
    }

    @Test("SMS-DELIVER PDUs decode to what was encoded, alphanumeric senders included")
    func deliverRoundTrip() throws {
        let emoji = "Bitte öffnen 🔋 " + String(repeating: "x", count: 80)
        let pdus = try SMSDeliverEncoder.encode(text: emoji, from: .alphanumeric("Vodafone"), at: now, reference: 3)
        let parts = try pdus.map { try SMSDeliver.decode(hex: $0) }
        #expect(parts.count == 2)
        #expect(parts.map(\.text).joined() == emoji)
        #expect(parts.allSatisfy { $0.sender == .alphanumeric("Vodafone") && $0.timestamp.date == now })
    }

    @Test("the daemon's GSMModem sends long umlaut texts and receives concatenated ones through the simulated modem")
    func gsmModemAgainstEngine() async throws {
        let pipe = EnginePipe()
        let modem = GSMModem(transport: pipe, configuration: .init(commandTimeout: .seconds(5)))
        let running = Task { try await modem.run() }
        defer { running.cancel() }
        try await modem.waitUntilReady()
        let long = "Fach B1 ist offen – Dauer 1 Std. 05 Min., 1,25 kWh, Betrag 2,30 EUR. Grüße vom Betreiberteam: ÄÖÜ äöü ß. Danke!"
        try await modem.send(long, to: E164Number(digits: "491701234567")!)
        let sent = await pipe.sent()
        #expect(sent.count == 1)
        #expect(sent.first?.text == long && sent.first?.to == "+491701234567")
        #expect(sent.first?.alphabet == "ucs2" && (sent.first?.parts ?? 0) >= 2)

        let incoming = String(repeating: "Schließfach A3 bitte öffnen. ", count: 7)
        await pipe.deliver(incoming, from: "+491709876543")
        var iterator = modem.incoming.makeAsyncIterator()
        let received = await iterator.next()
        #expect(received?.text == SMSSegmenter.normalized(incoming))
        #expect(received?.sender == .international(digits: "491709876543"))
        // Read, then deleted from the SIM (right after it was handed on).
        var stored = await pipe.stored()
        for _ in 0..<500 where stored > 0 {
            try await Task.sleep(for: .milliseconds(10))
            stored = await pipe.stored()
        }
        #expect(stored == 0)
    }
}

/// A `ModemTransport` whose far end is a `SimulatedModemEngine` in memory.
actor EnginePipe: ModemTransport {
    private var engine = SimulatedModemEngine()
    nonisolated let incoming: AsyncStream<[UInt8]>
    private let continuation: AsyncStream<[UInt8]>.Continuation

    init() {
        (incoming, continuation) = AsyncStream.makeStream(of: [UInt8].self)
    }

    func write(_ bytes: [UInt8]) async throws {
        let answer = engine.receive(bytes, at: Date())
        if !answer.isEmpty { continuation.yield(answer) }
    }

    func deliver(_ text: String, from sender: String) {
        if let announcement = try? engine.deliver(text: text, from: sender, at: Date()), !announcement.isEmpty {
            continuation.yield(announcement)
        }
    }

    func sent() -> [SimulatedModemEngine.SentMessage] { engine.sent }
    func stored() -> Int { engine.storedCount }
}

@Suite("Gateway webhook signatures")
struct GatewaySignatureTests {
    let secret = Array("webhook-secret-0123456789".utf8)
    let body = Array(#"{"from": "+491701234567", "text": "A3"}"#.utf8)
    // Computed independently with Python's hmac module.
    let expectedHex = "3407d85c38529b9a7f8c085c2945c88373d8ba2ba46d23b6a34d0b7eb082b0c2"

    @Test("HMAC-SHA256 over the body, hex with or without the sha256= prefix, or base64")
    func hmacSHA256() throws {
        #expect(GatewaySignature.hmacSHA256Hex(body: body, secret: secret) == expectedHex)
        #expect(GatewaySignature.verifyHMACSHA256(body: body, presented: expectedHex, secret: secret))
        #expect(GatewaySignature.verifyHMACSHA256(body: body, presented: "sha256=" + expectedHex.uppercased(), secret: secret))
        let base64 = Data(try PDUHex.decode(expectedHex.uppercased())).base64EncodedString()
        #expect(GatewaySignature.verifyHMACSHA256(body: body, presented: base64, secret: secret))
    }

    @Test("a changed body, another secret or junk is refused")
    func hmacRefusals() {
        #expect(!GatewaySignature.verifyHMACSHA256(body: body + [0x20], presented: expectedHex, secret: secret))
        #expect(!GatewaySignature.verifyHMACSHA256(body: body, presented: expectedHex, secret: Array("other-secret-0123".utf8)))
        #expect(!GatewaySignature.verifyHMACSHA256(body: body, presented: "", secret: secret))
        #expect(!GatewaySignature.verifyHMACSHA256(body: body, presented: "zz", secret: secret))
    }

    @Test("Twilio: base64 HMAC-SHA1 of the URL and the sorted form parameters")
    func twilio() {
        let form = Array("MessageSid=SM123&From=%2B491701234567&To=%2B4915100000000&Body=Fach+A3".utf8)
        let parameters = GatewaySignature.formParameters(form)
        #expect(parameters.first { $0.0 == "Body" }?.1 == "Fach A3")
        #expect(parameters.first { $0.0 == "From" }?.1 == "+491701234567")
        let url = "https://locker.example.com/v1/sms/inbound"
        let token = Array("twilio-auth-token".utf8)
        // Computed independently with Python's hmac module.
        #expect(GatewaySignature.twilio(url: url, parameters: parameters, authToken: token) == "6m7to19fyPOQPrIMo0Y9vh/cB8g=")
        #expect(GatewaySignature.verifyTwilio(url: url, parameters: parameters, presented: "6m7to19fyPOQPrIMo0Y9vh/cB8g=", authToken: token))
        #expect(!GatewaySignature.verifyTwilio(url: url + "?x=1", parameters: parameters, presented: "6m7to19fyPOQPrIMo0Y9vh/cB8g=", authToken: token))
    }
}
