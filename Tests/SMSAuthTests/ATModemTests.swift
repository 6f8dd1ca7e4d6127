import Testing
@testable import SMSAuth

@Suite("AT response parsing")
struct ATResponseTests {
    @Test("final results and errors", arguments: [
        ("OK", ATLine.ok),
        ("ERROR", .error),
        ("+CME ERROR: SIM PIN required", .cmeError(ATErrorDetail("SIM PIN required"))),
        ("+CMS ERROR: 330", .cmsError(ATErrorDetail("330"))),
        ("> ", .prompt),
    ])
    func finals(raw: String, line: ATLine) {
        #expect(ATLine.parse(raw) == line)
    }

    @Test("information lines", arguments: [
        ("+CMTI: \"SM\",3", ATLine.newMessage(storage: "SM", index: 3)),
        ("+CMGL: 1,0,,23", .listedMessage(index: 1, status: 0, length: 23)),
        ("+CMGL: 2,1,\"Alice, home\",40", .listedMessage(index: 2, status: 1, length: 40)),
        ("+CMGR: 0,,23", .readMessage(status: 0, length: 23)),
        ("+CMGS: 12", .messageSent(reference: 12)),
        ("+CSQ: 21,99", .signalQuality(rssi: 21, bitErrorRate: 99)),
        ("+CREG: 0,1", .registration(mode: 0, status: .registeredHome)),
        ("+CREG: 2,5,\"00C3\",\"0010ABCD\"", .registration(mode: 2, status: .registeredRoaming)),
        ("+CREG: 1", .registration(mode: nil, status: .registeredHome)),
        ("+CREG: 1,\"00C3\",\"0010ABCD\"", .registration(mode: nil, status: .registeredHome)),
        ("+CPIN: SIM PIN", .pinState("SIM PIN")),
        ("+CPIN: READY", .pinState("READY")),
        ("+CPMS: 3,30,3,30,3,30", .text("+CPMS: 3,30,3,30,3,30")),
        ("0791947106004034040C9194", .text("0791947106004034040C9194")),
    ])
    func information(raw: String, line: ATLine) {
        #expect(ATLine.parse(raw) == line)
    }

    @Test("numeric and verbose error details")
    func errorDetail() {
        guard case .cmsError(let detail) = ATLine.parse("+CMS ERROR: 330") else {
            Issue.record("expected +CMS ERROR")
            return
        }
        #expect(detail.code == 330)
        guard case .cmeError(let verbose) = ATLine.parse("+CME ERROR: SIM not inserted") else {
            Issue.record("expected +CME ERROR")
            return
        }
        #expect(verbose.code == nil)
        #expect(verbose.text == "SIM not inserted")
    }

    @Test("line splitter handles split chunks, blank lines and the bare prompt")
    func splitter() {
        var splitter = ATLineSplitter()
        #expect(splitter.feed(Array("\r\n+CSQ: 2".utf8)) == [])
        #expect(splitter.feed(Array("1,99\r\n\r\nOK\r\n".utf8)) == ["+CSQ: 21,99", "OK"])
        #expect(splitter.feed(Array("\r\n> ".utf8)) == [">"])
    }

    @Test("message listing pairs headers with PDU lines")
    func listing() {
        let lines = ["+CMGL: 1,0,,23", "07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37", "+CMGL: 4,1,,10", "0011"].map(ATLine.parse)
        let entries = ATMessageListing.entries(lines)
        #expect(entries.map(\.index) == [1, 4])
        #expect(entries[0].pduHex.hasPrefix("0791"))
    }
}

@Suite("AT modem session and start-up sequence")
struct ModemSessionTests {
    @Test("one command at a time; lines go to the command in flight")
    func queueing() {
        var session = ModemSession()
        #expect(session.enqueue(.signalQuality) == [.write(Array("AT+CSQ\r".utf8))])
        #expect(session.enqueue(.registration) == [])
        #expect(session.receive(line: "+CSQ: 21,99") == [])
        let outputs = session.receive(line: "OK")
        #expect(outputs == [
            .completed(.signalQuality, .ok([.signalQuality(rssi: 21, bitErrorRate: 99)])),
            .write(Array("AT+CREG?\r".utf8)),
        ])
        #expect(session.receive(line: "+CREG: 0,1") == [])
        #expect(session.receive(line: "OK") == [.completed(.registration, .ok([.registration(mode: 0, status: .registeredHome)]))])
    }

    @Test("unsolicited +CMTI and +CREG are separated from the answer; echo is dropped")
    func unsolicited() {
        var session = ModemSession()
        _ = session.enqueue(.signalQuality)
        #expect(session.receive(line: "AT+CSQ") == [])
        #expect(session.receive(line: "+CMTI: \"SM\",5") == [.unsolicited(.newMessage(storage: "SM", index: 5))])
        #expect(session.receive(line: "+CREG: 5") == [.unsolicited(.registration(mode: nil, status: .registeredRoaming))])
        #expect(session.receive(line: "OK") == [.completed(.signalQuality, .ok([]))])
        #expect(session.receive(line: "+CMTI: \"SM\",6") == [.unsolicited(.newMessage(storage: "SM", index: 6))])
    }

    @Test("send: AT+CMGS=<len>, PDU and Ctrl-Z after the prompt, +CMGS reference on OK")
    func sendSequence() throws {
        let pdu = try SMSSubmitEncoder(validityPeriod: 0xAA).encode(text: "hellohello", to: .international(digits: "46708251358"), reference: 0)[0]
        var session = ModemSession()
        #expect(session.enqueue(.send(pdu)) == [.write(Array("AT+CMGS=23\r".utf8))])
        #expect(session.receive(line: ">") == [.write(Array("0011000B916407281553F80000AA0AE8329BFD4697D9EC37".utf8) + [0x1A])])
        #expect(session.receive(line: ">") == []) // a second prompt does not resend
        #expect(session.receive(line: "+CMGS: 17") == [])
        #expect(session.receive(line: "OK") == [.completed(.send(pdu), .ok([.messageSent(reference: 17)]))])
    }

    @Test("errors, timeout and reset complete the command with a specific failure")
    func failures() {
        var session = ModemSession()
        _ = session.enqueue(.pduMode)
        #expect(session.receive(line: "+CMS ERROR: 330") == [.completed(.pduMode, .failed(.messageService(ATErrorDetail("330"))))])
        let send = ATCommand("AT+CMGS=5", pduAfterPrompt: "00")
        _ = session.enqueue(send)
        _ = session.enqueue(.signalQuality)
        #expect(session.timeout() == [.write([0x1B]), .completed(send, .failed(.timeout)), .write(Array("AT+CSQ\r".utf8))])
        _ = session.enqueue(.registration)
        #expect(session.reset() == [.completed(.signalQuality, .failed(.cancelled)), .completed(.registration, .failed(.cancelled))])
        #expect(session.pendingCommand == nil)
    }

    @Test("start-up without SIM PIN")
    func initReady() {
        var initializer = ModemInitializer(simPIN: nil)
        #expect(initializer.next(after: nil) == .send(.echoOff))
        #expect(initializer.next(after: .ok([])) == .send(.verboseErrors))
        #expect(initializer.next(after: .ok([])) == .send(.pinStatus))
        #expect(initializer.next(after: .ok([.pinState("READY")])) == .send(.pduMode))
        #expect(initializer.next(after: .ok([])) == .send(.newMessageIndications))
        #expect(initializer.next(after: .ok([])) == .send(.simStorage))
        #expect(initializer.next(after: .ok([.text("+CPMS: 0,30,0,30,0,30")])) == .ready)
    }

    @Test("start-up enters the SIM PIN once, and never retries a rejected PIN")
    func initWithPIN() {
        var initializer = ModemInitializer(simPIN: "1234")
        _ = initializer.next(after: nil)
        _ = initializer.next(after: .ok([]))
        _ = initializer.next(after: .ok([]))
        let entry = initializer.next(after: .ok([.pinState("SIM PIN")]))
        #expect(entry == .send(.enterPIN("1234")))
        if case .send(let command) = entry {
            #expect(command.sensitive)
            #expect(!command.description.contains("1234"))
        }
        #expect(initializer.next(after: .ok([])) == .send(.pinStatus))
        #expect(initializer.next(after: .ok([.pinState("SIM PIN")])) == .failed(.simPINRejected))

        var wrong = ModemInitializer(simPIN: "0000")
        _ = wrong.next(after: nil)
        _ = wrong.next(after: .ok([]))
        _ = wrong.next(after: .ok([]))
        _ = wrong.next(after: .ok([.pinState("SIM PIN")]))
        #expect(wrong.next(after: .failed(.equipment(ATErrorDetail("incorrect password")))) == .failed(.simPINRejected))
    }

    @Test("start-up failures name the cause", arguments: [
        (ATResult.ok([.pinState("SIM PIN")]), ModemInitError.simPINRequired),
        (.ok([.pinState("SIM PUK")]), .simPUKRequired),
        (.failed(.equipment(ATErrorDetail("SIM not inserted"))), .simMissing),
        (.failed(.equipment(ATErrorDetail("10"))), .simMissing),
    ])
    func initFailures(pinAnswer: ATResult, error: ModemInitError) {
        var initializer = ModemInitializer(simPIN: nil)
        _ = initializer.next(after: nil)
        _ = initializer.next(after: .ok([]))
        _ = initializer.next(after: .ok([]))
        #expect(initializer.next(after: pinAnswer) == .failed(error))
    }

    @Test("no answer to ATE0 means a wiring or power problem")
    func initNoResponse() {
        var initializer = ModemInitializer(simPIN: nil)
        _ = initializer.next(after: nil)
        #expect(initializer.next(after: .failed(.timeout)) == .failed(.noResponse))
    }
}
