import Foundation
import LockerIO
import Logging
import SMSAuth
import Testing
@testable import EdgeAgent

@Suite("SMS settings in the site file")
struct SMSSettingsTests {
    static let fullSection = """
        sms:
          shortCode: "+4915100000000"
          language: en
          countryCode: "+49"
          idTag: {rule: plain-digits}
          acceptAnyMobileSender: true
          blockList: ["+49900*", "0170 9999999"]
          pinLength: 8
          rateLimits: {perSenderBurst: 2, perSenderRefillSeconds: 30}
          keypadLockout: {freeAttempts: 5, lockoutSeconds: 10}
          alerts: {numbers: ["+4915199999999"], uplinkDownAfterSeconds: 120}
          templates:
            de:
              receipt: "Fach {compartment} offen, {amount}. Beleg {reference}"
          transports:
            - kind: simulated-modem
              commandTimeoutSeconds: 2
            - kind: modem
              device: /dev/ttyUSB2
              powerLine: gpiochip0:21
              powerOffSeconds: 1.5
            - kind: http-gateway
              url: https://sms.example.com/send
              secretFile: /etc/edge-agent/webhook-secret
              signature: twilio
              publicURL: https://locker.example.com/v1/sms/inbound

        """

    @Test("every key is read into the site's SMS settings")
    func fullSectionIsRead() throws {
        let site = try ConfigurationFixtures.load(ConfigurationFixtures.validSite + Self.fullSection)
        let sms = try #require(site.sms)
        #expect(sms.shortCode == "+4915100000000")
        let settings = sms.settings
        #expect(settings.language == .en && settings.countryCode == "49" && settings.idTagRule == .plainDigits)
        #expect(settings.acceptAnyMobileSender && settings.blockList == ["+49900*", "0170 9999999"] && settings.pinLength == 8)
        #expect(settings.perSenderBurst == 2 && settings.perSenderRefillSeconds == 30 && settings.perSiteBurst == 30)
        #expect(settings.keypadFreeAttempts == 5 && settings.keypadLockoutSeconds == 10)
        #expect(settings.alertNumbers == ["+4915199999999"] && settings.alertUplinkDownAfterSeconds == 120)
        let templates = try settings.resolvedTemplates()
        #expect(templates.template(.receipt, .de) == "Fach {compartment} offen, {amount}. Beleg {reference}")
        #expect(templates.template(.receipt, .en) == SMSTemplates.builtIn.template(.receipt, .en))
        #expect(sms.transports.map(\.kind) == [.simulatedModem, .modem, .httpGateway])
        #expect(sms.transports[0].options.commandTimeoutSeconds == 2 && sms.transports[0].baud == 115_200)
        let power = try #require(sms.transports[1].options.powerLine)
        #expect(power.chip == "gpiochip0" && power.offset == 21 && sms.transports[1].options.powerOffSeconds == 1.5)
        #expect(sms.transports[2].options.signature == .twilio)
        #expect(sms.transports[2].options.publicURL == "https://locker.example.com/v1/sms/inbound")
    }

    @Test("defaults: German, keyed hash, 6-digit PINs, no alerts")
    func defaults() throws {
        let site = try ConfigurationFixtures.load(ConfigurationFixtures.validSite + """
            sms:
              transports: [{kind: central-system}]

            """)
        let settings = try #require(site.sms).settings
        #expect(settings == SMSSettings())
        #expect(settings.language == .de && settings.idTagRule == .keyedHash && settings.pinLength == 6)
        #expect(!settings.acceptAnyMobileSender && settings.alertNumbers.isEmpty)
    }

    @Test("wrong values are reported with their paths")
    func problems() {
        let broken = ConfigurationFixtures.validSite + """
            sms:
              pinLength: 3
              blockList: ["hello"]
              idTag: {prefix: "SMS-TAG-TOO-LONG"}
              templates:
                de:
                  confirmation: "Fach {compartment} lädt"
                  receipt: "Fach {fach}"
              alerts: {numbers: ["ops"]}
              transports:
                - kind: http-gateway
                  url: https://sms.example.com/send
                  signature: twilio

            """
        let paths = Set(ConfigurationFixtures.problems(broken).map(\.path))
        #expect(paths.isSuperset(of: [
            "sms.pinLength", "sms.blockList[0]", "sms.idTag.prefix", "sms.templates.de.confirmation", "sms.templates.de.receipt",
            "sms.alerts.numbers[0]", "sms.transports[0].publicURL",
        ]), "\(paths)")
    }

    @Test("the webhook verifier accepts the gateway's signature and refuses anything else")
    func webhookVerifier() {
        let body = Array(#"{"from": "+491701234567", "text": "A3"}"#.utf8)
        let verifier = SMSWebhookVerifier(scheme: .hmacSHA256, secret: Array("webhook-secret-0123456789".utf8), publicURL: nil)
        let good = GatewaySignature.hmacSHA256Hex(body: body, secret: verifier.secret)
        #expect(verifier.verify(body: body) { $0 == "X-Signature" ? good : nil })
        #expect(!verifier.verify(body: body) { _ in nil })
        #expect(!verifier.verify(body: body + [0x0A]) { $0 == "X-Signature" ? good : nil })
        let empty = SMSWebhookVerifier(scheme: .hmacSHA256, secret: [], publicURL: nil)
        #expect(!empty.verify(body: body) { _ in GatewaySignature.hmacSHA256Hex(body: body, secret: []) })
    }

    @Test("a keypad line is a phone's text: '+49...: text'")
    func consoleLines() {
        #expect(SimulatedModemConsole.parse("+491701234567: Fach A3")! == ("+491701234567", "Fach A3"))
        #expect(SimulatedModemConsole.parse("no colon") == nil)
    }
}

@Suite("Modem power line")
struct ModemPowerLineTests {
    @Test("held powered, switched off and on again by a power cycle")
    func cycle() async throws {
        let gpio = SimulatedGPIO()
        let config = LineConfig(address: LineAddress(chip: "gpiochip0", line: .offset(21)), activeLow: false)
        let line = try await ModemPowerLine(backend: gpio, line: config, offTime: .milliseconds(300), logger: Logger(label: "test"))
        #expect(try await gpio.outputLevel(chip: "gpiochip0", line: .offset(21)) == .active)
        let cycling = Task { await line.cycle() }
        var sawOff = false
        for _ in 0..<500 where !sawOff {
            sawOff = try await gpio.outputLevel(chip: "gpiochip0", line: .offset(21)) == .inactive
            if !sawOff { try await Task.sleep(for: .milliseconds(5)) }
        }
        await cycling.value
        #expect(sawOff)
        #expect(try await gpio.outputLevel(chip: "gpiochip0", line: .offset(21)) == .active)
    }
}

@Suite("SMS gateway: recent texts")
struct SMSGatewayRecentTests {
    @Test func numbersAreMaskedAndTheListIsBoundedNewestFirst() async {
        #expect(SMSGateway.maskedNumber("+491701234567") == "+49********67")
        #expect(SMSGateway.maskedNumber("12345") == "*****")
        let gateway = SMSGateway()
        for i in 0..<(SMSGateway.recentLimit + 5) {
            await gateway.inject(from: "+4917012345\(String(format: "%02d", i))", text: "A\(i)", via: "test")
        }
        let recent = await gateway.recent()
        #expect(recent.count == SMSGateway.recentLimit)
        #expect(recent.first?.number == "+49********54" && recent.first?.direction == .inbound)
        #expect(recent.allSatisfy { !$0.number.contains("0123") })
    }
}
