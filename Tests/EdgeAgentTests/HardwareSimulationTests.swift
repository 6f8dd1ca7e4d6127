import Foundation
import Hummingbird
import HummingbirdTesting
import LockerIO
import Testing
@testable import EdgeAgent

@Suite("Hardware simulation and operator routes")
struct HardwareSimulationTests {
    struct Harness {
        var site: SiteController
        var hardware: SiteHardware
        var store: SiteStore
        var router: Router<BasicRequestContext>
    }

    /// The simulated site with its hardware started and followed, and the daemon's router over it.
    static func withSite(realBoard: Bool = false, _ body: (Harness) async throws -> Void) async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var configuration = try simulatedSite(stateFolder: folder)
        var backend: (any GPIOBackend)?
        if realBoard {
            configuration.board.isSimulated = false
            backend = SimulatedGPIO(chips: HardwareLayout.simulatedChips(board: configuration.board))
        }
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        let now = Date()
        let runStart = try store.beginRun(at: now, version: "test")
        let hardware = SiteHardware(configuration: configuration, backend: backend, logger: quietLogger)
        try await hardware.start()
        let site = SiteController(
            configuration: configuration, store: store, runStart: runStart, startedAt: now, logger: quietLogger,
            hardware: hardware)
        await site.followHardware()
        let router = LocalAPI.router(
            site: site, token: APIToken(value: "test-token", origin: .configuration), version: "test", startedAt: now)
        do {
            try await body(Harness(site: site, hardware: hardware, store: store, router: router))
        } catch {
            await hardware.stop()
            throw error
        }
        await hardware.stop()
    }

    static let auth: HTTPFields = [.authorization: "Bearer test-token", .contentType: "application/json"]

    static func errorMessage(_ response: TestResponse) throws -> String {
        try JSONDecoder().decode(APIErrorBody.self, from: Data(buffer: response.body)).error
    }

    /// Polls until `condition` holds (the hardware debounces inputs for 30 ms), for at most 5 s.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<250 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test("a card at the simulated Wiegand reader arrives on the reader stream with its normalized idTag")
    func cardThroughWiegand() async throws {
        try await Self.withSite { harness in
            let tag = try await harness.hardware.presentCard(reader: "front", card: .uid("1193046", format: .decimal))
            #expect(tag.value == "123456")
            let seen = try await Self.eventually {
                await harness.site.recentEvents(limit: 10).contains { $0.kind == "cardPresented" && $0.idTag == "123456" }
            }
            #expect(seen)
            let event = try #require(await harness.site.recentEvents(limit: 10).first { $0.kind == "cardPresented" })
            #expect(event.reader == "front")
            #expect(event.compartment == nil, "the front reader serves the whole locker")
        }
    }

    @Test("keypad entries are reported by length only, never by their characters")
    func keypadEntry() async throws {
        try await Self.withSite { harness in
            try await harness.hardware.typeKeys(reader: "front", keys: "4711#")
            let seen = try await Self.eventually {
                await harness.site.recentEvents(limit: 10).contains { $0.kind == "keypadEntry" && $0.characters == 4 }
            }
            #expect(seen)
            let encoded = String(decoding: try JSONEncoder().encode(await harness.site.recentEvents(limit: 10)), as: UTF8.self)
            #expect(!encoded.contains("4711"))
        }
    }

    @Test("cards become the Wiegand frame a reader would send", arguments: [
        ("123456", WiegandFrame.wiegand26(facility: 0x12, card: 0x3456)),
        ("AB", WiegandFrame.wiegand26(facility: 0, card: 0xAB)),
        ("04A2B3C4", WiegandFrame.wiegand34(data: 0x04A2_B3C4)),
    ])
    func wiegandFrames(idTag: String, frame: WiegandFrame) throws {
        let tag = try SimulatedCard.idTag(idTag).normalized()
        #expect(try SimulatedCard.wiegandFrame(for: tag) == frame)
        #expect(frame.idTag == tag)
    }

    @Test("a card longer than 32 bits cannot be sent on Wiegand; a malformed card is refused")
    func cardErrors() throws {
        let long = try SimulatedCard.idTag("04A2B3C4D5E6F7").normalized()
        #expect(long.value == "04A2B3C4D5E6F7")
        #expect(throws: SimulationError.cardTooLongForWiegand(idTag: long.value)) {
            try SimulatedCard.wiegandFrame(for: long)
        }
        #expect(throws: SimulationError.self) { try SimulatedCard.uid("12x4", format: .decimal).normalized() }
    }

    @Test("a lock pulse releases the simulated latch unless it is jammed; it catches again once the door has opened and shut")
    func latch() {
        var latch = SimulatedLatch()
        #expect(latch.lockLine(energized: true) == false)
        #expect(latch.lockLine(energized: false) == nil, "the door has not opened yet: the latch stays released")
        #expect(latch.door(closed: false) == nil)
        #expect(latch.door(closed: true) == true)
        // Opened and shut while the solenoid is still pulled: the bolt catches when the pulse ends.
        #expect(latch.lockLine(energized: true) == false)
        #expect(latch.door(closed: false) == nil)
        #expect(latch.door(closed: true) == nil)
        #expect(latch.lockLine(energized: false) == true)
        latch.jammed = true
        #expect(latch.lockLine(energized: true) == nil)
        #expect(latch.engaged)
    }

    @Test("keys are digits, letters and symbols; newline is Enter; control characters are refused")
    func keys() throws {
        #expect(try SimulatedKeypad.keys(in: "12#") == [.character("1"), .character("2"), .character("#")])
        #expect(try SimulatedKeypad.keys(in: "9\n") == [.character("9"), .enter])
        #expect(throws: SimulationError.self) { try SimulatedKeypad.keys(in: "") }
        #expect(throws: SimulationError.self) { try SimulatedKeypad.keys(in: "1\u{7}") }
    }

    @Test("operator unlock writes the audit record, unlocks, and answers with the feedback's confirmation")
    func operatorUnlock() async throws {
        try await Self.withSite { harness in
            let app = Application(router: harness.router)
            let store = harness.store
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/v1/compartments/b2/unlock", method: .post, headers: Self.auth,
                    body: ByteBuffer(string: #"{"reason": "driver locked out"}"#)
                ) { response in
                    #expect(response.status == .ok)
                    let result = try JSONDecoder().decode(UnlockResult.self, from: Data(buffer: response.body))
                    #expect(result.compartment == "B2")
                    #expect(result.outcome == .unlocked)
                    #expect(result.confirmedBy == "feedback")
                    #expect(result.lock == "unlocked")
                }
                let records = try store.auditRecords()
                #expect(records.count == 1)
                #expect(records.first?.actor == "operator:local-api")
                #expect(records.first?.action == "unlock")
                #expect(records.first?.target == "B2")
                #expect(records.first?.reason == "driver locked out")
            }
        }
    }

    @Test("unlock without a reason is 400, an unknown compartment 404, and neither touches lock or audit log")
    func unlockRefusals() async throws {
        try await Self.withSite { harness in
            let app = Application(router: harness.router)
            try await app.test(.router) { client in
                for body in [#"{"reason": "  "}"#, "{}", "not json", ""] {
                    try await client.execute(
                        uri: "/v1/compartments/A1/unlock", method: .post, headers: Self.auth, body: ByteBuffer(string: body)
                    ) { response in
                        #expect(response.status == .badRequest, "body \(body)")
                        let message = try Self.errorMessage(response)
                        #expect(message.contains("reason"), "body \(body)")
                    }
                }
                try await client.execute(
                    uri: "/v1/compartments/Z9/unlock", method: .post, headers: Self.auth,
                    body: ByteBuffer(string: #"{"reason": "x"}"#)
                ) { response in
                    #expect(response.status == .notFound)
                    let message = try Self.errorMessage(response)
                        #expect(message.contains("no compartment named 'Z9'"))
                }
            }
            #expect(try harness.store.auditRecords().isEmpty)
            #expect(await harness.hardware.compartment(named: "A1")?.status?.lock == .locked)
        }
    }

    @Test("the emergency input unlocks everything, switches relays off, and is audited when raised and released")
    func emergency() async throws {
        try await Self.withSite { harness in
            let board = try #require(harness.hardware.simulation)
            try await board.setEmergency(active: true)
            let allUnlocked = try await Self.eventually {
                let compartments = await harness.site.status().compartments
                return compartments.allSatisfy { $0.emergency && $0.lock == "unlocked" && $0.relay == "off" }
            }
            #expect(allUnlocked)
            try await board.setEmergency(active: false)
            let audited = try await Self.eventually { try harness.store.auditRecords().count == 2 }
            #expect(audited)
            let records = try harness.store.auditRecords()
            #expect(records.allSatisfy { $0.actor == "emergency-input" && $0.action == "emergency" })
            #expect(records.last?.reason?.contains("active") == true)
            #expect(records.first?.reason?.contains("released") == true)
        }
    }

    @Test("a door forced open shows as the fault forcedOpen and the status Faulted")
    func forcedDoor() async throws {
        try await Self.withSite { harness in
            let board = try #require(harness.hardware.simulation)
            try await board.setDoor(compartment: "A4", open: true)
            let faulted = try await Self.eventually {
                await harness.site.status().compartments.first { $0.name == "A4" }?.fault == "forcedOpen"
            }
            #expect(faulted)
            let a4 = try #require(await harness.site.status().compartments.first { $0.name == "A4" })
            #expect(a4.status == "Faulted")
            #expect(a4.door == "open")
        }
    }

    @Test("on a real board every simulation route answers 404")
    func simulationOnlyOnTheSimulator() async throws {
        try await Self.withSite(realBoard: true) { harness in
            #expect(harness.hardware.simulation == nil)
            let app = Application(router: harness.router)
            try await app.test(.router) { client in
                let routes: [(String, HTTPRequest.Method, String)] = [
                    ("/v1/simulation/lines", .get, ""),
                    ("/v1/simulation/compartments/A1/door", .post, #"{"state": "open"}"#),
                    ("/v1/simulation/compartments/A1/lock", .post, #"{"jammed": true}"#),
                    ("/v1/simulation/readers/front/card", .post, #"{"idTag": "123456"}"#),
                    ("/v1/simulation/readers/front/keys", .post, #"{"keys": "1#"}"#),
                    ("/v1/simulation/emergency", .post, #"{"active": true}"#),
                ]
                for (uri, method, body) in routes {
                    try await client.execute(uri: uri, method: method, headers: Self.auth, body: ByteBuffer(string: body)) { response in
                        #expect(response.status == .notFound, "\(uri)")
                        let message = try Self.errorMessage(response)
                        #expect(message.contains("only on the simulated board"), "\(uri)")
                    }
                }
            }
        }
    }
}
