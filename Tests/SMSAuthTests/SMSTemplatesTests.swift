import Testing
@testable import SMSAuth

@Suite("Message templates and formatting")
struct SMSTemplatesTests {
    let templates = SMSTemplates.builtIn
    let pin = ReceiptPIN(digits: "482913")!
    let price = PriceQuote(perKWh: Money(minorUnits: 35), sessionFee: Money(minorUnits: 150))

    @Test("confirmation in German and English")
    func confirmation() {
        let message = SMSMessage.confirmation(compartment: "A3", price: price, pin: pin)
        #expect(templates.render(message, in: .de) == "Fach A3 ist verriegelt und lädt. Preis: 0,35 EUR/kWh + 1,50 EUR pro Ladevorgang. Ihre PIN: 482913. Zum Beenden A3 erneut senden oder PIN am Tastenfeld eingeben.")
        #expect(templates.render(message, in: .en) == "Locker A3 is locked and charging. Price: EUR 0.35/kWh + EUR 1.50 per session. Your PIN: 482913. To finish, text A3 again or enter the PIN at the keypad.")
    }

    @Test("receipt formats duration, energy and amount per language")
    func receipt() {
        let message = SMSMessage.receipt(compartment: "B12", duration: 3900, energyWh: 1254, amount: Money(minorUnits: 194), reference: "T-1042")
        #expect(templates.render(message, in: .de) == "Fach B12 ist offen. Dauer 1 Std. 05 Min., 1,25 kWh, Betrag 1,94 EUR. Beleg T-1042. Danke!")
        #expect(templates.render(message, in: .en) == "Locker B12 is open. Time 1 h 05 min, 1.25 kWh, total EUR 1.94. Receipt T-1042. Thank you!")
    }

    @Test("every message kind renders in both languages with no placeholder left over")
    func allKinds() {
        let messages: [SMSMessage] = [
            .confirmation(compartment: "A3", price: PriceQuote(), pin: pin),
            .receipt(compartment: "A3", duration: 60, energyWh: 5, amount: Money(minorUnits: 0), reference: "1"),
            .chargeComplete(compartment: "A3", energyWh: 800, duration: 1800),
            .status(compartment: "A3", duration: 600, energyWh: 100, amount: Money(minorUnits: 10)),
            .statusIdle(example: "A3"), .help(example: "A3"), .notUnderstood(example: "A3"),
            .unknownCompartment(compartment: "Z9", example: "A3"), .missingCompartment(example: "A3"),
            .compartmentBusy(compartment: "A3"), .outOfService(compartment: "A3"),
            .authorizationRefused(compartment: "A3"), .noActiveSession(compartment: "A3"), .closeDoorFirst(compartment: "A3"),
            .rateLimited(retryAfter: 12),
            .alertDoorForced(site: "Bahnhof", compartment: "A3"), .alertLockJammed(site: "Bahnhof", compartment: "A3"),
            .alertUplinkDown(site: "Bahnhof", downFor: 7200), .alertModemFailure(site: "Bahnhof", detail: "no SIM"),
        ]
        #expect(Set(messages.map(\.key)) == Set(SMSTemplateKey.allCases))
        for language in SMSLanguage.allCases {
            for message in messages {
                let text = templates.render(message, in: language)
                #expect(!text.isEmpty)
                #expect(!text.contains("{") && !text.contains("}"), "\(message.key) \(language)")
                #expect(SMSSegmenter.alphabet(for: text) == .gsm7, "\(message.key) \(language) should stay 7-bit")
            }
        }
    }

    @Test("built-in driver replies fit one SMS with typical values")
    func singleSMS() {
        for language in SMSLanguage.allCases {
            for message: SMSMessage in [.help(example: "A3"), .notUnderstood(example: "A3"), .receipt(compartment: "A3", duration: 3900, energyWh: 1254, amount: Money(minorUnits: 194), reference: "T-1042")] {
                #expect(SMSSegmenter.segments(for: templates.render(message, in: language)).count == 1, "\(message.key) \(language)")
            }
        }
    }

    @Test("rate-limit notice never says zero minutes")
    func retryAtLeastAMinute() {
        #expect(templates.render(.rateLimited(retryAfter: 5), in: .en) == "Too many messages. Please try again in 1 min.")
    }

    @Test("overrides are validated when loaded")
    func overrides() throws {
        let custom = try templates.overriding([.en: [.compartmentBusy: "Sorry, {compartment} is taken."]])
        #expect(custom.render(.compartmentBusy(compartment: "A3"), in: .en) == "Sorry, A3 is taken.")
        #expect(custom.render(.compartmentBusy(compartment: "A3"), in: .de) == "Fach A3 ist belegt. Bitte ein freies Fach wählen.")
        #expect(throws: SMSTemplateError.unknownPlaceholder(key: .compartmentBusy, language: .en, placeholder: "pin")) {
            try templates.overriding([.en: [.compartmentBusy: "{pin}"]])
        }
        #expect(throws: SMSTemplateError.missingPlaceholder(key: .confirmation, language: .de, placeholder: "pin")) {
            try templates.overriding([.de: [.confirmation: "Fach {compartment} lädt."]])
        }
        #expect(throws: SMSTemplateError.unbalancedBraces(key: .help, language: .de)) {
            try templates.overriding([.de: [.help: "Hilfe {example"]])
        }
    }

    @Test("values are inserted once, not re-scanned")
    func noReinterpretation() {
        #expect(templates.render(.compartmentBusy(compartment: "{pin}"), in: .en) == "Locker {pin} is in use. Please choose a free one.")
    }

    @Test("number formats", arguments: [
        (SMSLanguage.de, 150, "1,50 EUR"), (.en, 150, "EUR 1.50"), (.de, 5, "0,05 EUR"), (.en, 123_456, "EUR 1234.56"),
    ])
    func money(language: SMSLanguage, cents: Int, text: String) {
        #expect(SMSFormat.money(Money(minorUnits: cents), language) == text)
    }

    @Test("energy and duration formats")
    func energyAndDuration() {
        #expect(SMSFormat.energy(wattHours: 1254, .de) == "1,25 kWh")
        #expect(SMSFormat.energy(wattHours: 1255, .en) == "1.26 kWh")
        #expect(SMSFormat.duration(seconds: 59, .en) == "0 min")
        #expect(SMSFormat.duration(seconds: 2700, .de) == "45 Min.")
        #expect(SMSFormat.price(PriceQuote(), .de) == "kostenlos")
        #expect(SMSFormat.price(PriceQuote(perHour: Money(minorUnits: 100)), .en) == "EUR 1.00/h")
    }
}
