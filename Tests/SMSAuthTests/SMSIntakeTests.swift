import Foundation
import Testing
@testable import SMSAuth

@Suite("Incoming SMS intake")
struct SMSIntakeTests {
    func makeIntake() throws -> SMSIntake {
        SMSIntake(
            senderPolicy: try SenderPolicy(blockList: ["+491710000000"], countryCode: "49"),
            parser: SMSCommandParser(directory: try CompartmentDirectory(names: ["A3", "A4"])),
            idTagRule: .plainDigits,
            rateLimits: RateLimitPolicy(perSenderBurst: 1, perSenderRefill: 120, perSiteBurst: 10, perSiteRefill: 1)
        )
    }

    @Test("a driver's text becomes a command with the sender's idTag")
    func command() throws {
        var intake = try makeIntake()
        let outcome = intake.receive(sender: "0170 1234567", text: "Locker a3", at: Date(timeIntervalSince1970: 0))
        let number = try #require(E164Number(digits: "491701234567"))
        #expect(outcome == .command(InboundCommand(
            sender: number, idTag: "491701234567",
            parsed: ParsedSMS(command: .toggle(compartment: "A3"), language: .en, languageDetected: true)
        )))
    }

    @Test("automated and blocked senders are dropped before anything else")
    func ignored() throws {
        var intake = try makeIntake()
        let now = Date(timeIntervalSince1970: 0)
        #expect(intake.receive(sender: "Telekom", text: "A3", at: now) == .ignored(.alphanumericSender("Telekom")))
        #expect(intake.receive(sender: "+491710000000", text: "A3", at: now) == .ignored(.blocked(E164Number(digits: "491710000000")!)))
    }

    @Test("over the limit: one notice in the text's language, then silence")
    func rateLimited() throws {
        var intake = try makeIntake()
        let now = Date(timeIntervalSince1970: 0)
        let number = try #require(E164Number(digits: "491701234567"))
        _ = intake.receive(sender: "+491701234567", text: "A3", at: now)
        #expect(intake.receive(sender: "+491701234567", text: "stop A3", at: now) == .rateLimited(sender: number, reply: "Too many messages. Please try again in 2 min."))
        #expect(intake.receive(sender: "+491701234567", text: "stop A3", at: now) == .rateLimited(sender: number, reply: nil))
    }
}
