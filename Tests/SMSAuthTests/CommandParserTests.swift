import Testing
@testable import SMSAuth

@Suite("SMS command parsing")
struct CommandParserTests {
    let parser: SMSCommandParser

    init() throws {
        parser = SMSCommandParser(directory: try CompartmentDirectory(names: ["A3", "A4", "B12", "Info 1"]), defaultLanguage: .de)
    }

    @Test("the compartment name alone is a toggle, tolerant of case, spaces and punctuation",
          arguments: ["A3", "a3", "A 3", "a-3", " a3 ", "A.3", "a3!", "Fach A3", "Locker A3", "FachA3", "fach a-3", "👍 A3"])
    func nameAlone(text: String) {
        #expect(parser.parse(text).command == .toggle(compartment: "A3"))
    }

    @Test("keywords in German and English, before or after the name", arguments: [
        ("start A3", SMSCommand.start(compartment: "A3"), SMSLanguage.de, false),
        ("Starten a3", .start(compartment: "A3"), .de, true),
        ("charge locker a 3", .start(compartment: "A3"), .en, true),
        ("stop a3", .stop(compartment: "A3"), .en, true),
        ("STOPP A3", .stop(compartment: "A3"), .de, true),
        ("ende A3", .stop(compartment: "A3"), .de, true),
        ("Beenden Fach B12", .stop(compartment: "B12"), .de, true),
        ("finish b-12", .stop(compartment: "B12"), .en, true),
        ("A3 stop", .stop(compartment: "A3"), .en, true),
        ("öffnen A3", .stop(compartment: "A3"), .de, true),
        ("stopA3", .stop(compartment: "A3"), .en, true),
        ("status", .status(compartment: nil), .de, false),
        ("Status A4", .status(compartment: "A4"), .de, false),
        ("state", .status(compartment: nil), .en, true),
        ("hilfe", .help, .de, true),
        ("HELP", .help, .en, true),
        ("info", .help, .de, false),
        ("?", .help, .de, false),
    ])
    func keywords(text: String, command: SMSCommand, language: SMSLanguage, detected: Bool) {
        let parsed = parser.parse(text)
        #expect(parsed.command == command)
        #expect(parsed.language == language)
        #expect(parsed.languageDetected == detected)
    }

    @Test("the reply language follows filler words when there is no keyword")
    func fillerLanguage() {
        #expect(parser.parse("Locker A3").language == .en)
        #expect(parser.parse("Fach A3").language == .de)
        #expect(parser.parse("A3").language == .de)
        let english = SMSCommandParser(directory: parser.directory, defaultLanguage: .en)
        #expect(english.parse("A3").language == .en)
    }

    @Test("a configured name that looks like a keyword is still a compartment")
    func nameBeatsKeyword() {
        #expect(parser.parse("info 1").command == .toggle(compartment: "Info 1"))
        #expect(parser.parse("info").command == .help)
    }

    @Test("junk gets a specific not-understood reason", arguments: [
        ("", NotUnderstood.empty),
        ("   \n ", .empty),
        ("🔋⚡️", .unrecognized),
        ("Hallo, wie funktioniert das hier?", .unrecognized),
        ("danke", .unrecognized),
        ("C7", .unknownCompartment("C7")),
        ("start Z9", .unknownCompartment("Z9")),
        ("stop xyz", .unknownCompartment("XYZ")),
        ("start", .missingCompartment(intent: .start)),
        ("ende", .missingCompartment(intent: .stop)),
        ("Fach", .unrecognized),
    ])
    func notUnderstood(text: String, reason: NotUnderstood) {
        #expect(parser.parse(text).command == .unknown(reason))
    }

    @Test("very long texts are not parsed")
    func tooLong() {
        let text = "A3 " + String(repeating: "x", count: 300)
        #expect(parser.parse(text).command == .unknown(.tooLong(characters: 303, limit: 160)))
    }

    @Test("names that differ only in punctuation are refused at configuration time")
    func ambiguousDirectory() {
        #expect(throws: CompartmentDirectory.ConfigurationError.ambiguousNames("A3", "a-3")) {
            try CompartmentDirectory(names: ["A3", "a-3"])
        }
        #expect(throws: CompartmentDirectory.ConfigurationError.emptyName(position: 1)) {
            try CompartmentDirectory(names: ["A3", "--"])
        }
    }
}
