import Testing
@testable import EdgeAgent

/// One way to break the valid fixture, and the problem it must produce.
struct BrokenSiteCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let old: String
    let new: String
    let path: String
    let message: String

    var testDescription: String { rule }

    static let all: [BrokenSiteCase] = [
        .init(rule: "unknown key suggests the closest known key",
              old: "    lockLine: LOCK2", new: "    lockLien: LOCK2",
              path: "compartments[1].lockLien", message: "unknown key 'lockLien'; did you mean 'lockLine'?"),
        .init(rule: "unknown top-level key",
              old: "board: simulator", new: "board: simulator\nbalancin: {}",
              path: "balancin", message: "did you mean 'balancing'?"),
        .init(rule: "missing required value",
              old: "    relayLine: RELAY2\n", new: "",
              path: "compartments[1].relayLine", message: "missing required value; add `relayLine:"),
        .init(rule: "wrong type: text where a number belongs",
              old: "connectorId: 2", new: "connectorId: two",
              path: "compartments[1].connectorId", message: "expected a whole number, found 'two'"),
        .init(rule: "wrong type: a list where a mapping belongs",
              old: "  identity: TEST-01", new: "  identity: [a, b]",
              path: "station.identity", message: "expected text, found a list"),
        .init(rule: "duplicate key",
              old: "    maxPowerWatts: 500\n  - name: A2", new: "    maxPowerWatts: 500\n    maxPowerWatts: 600\n  - name: A2",
              path: "compartments[0].maxPowerWatts", message: "appears twice"),
        .init(rule: "a GPIO line used twice",
              old: "relayLine: RELAY2", new: "relayLine: LOCK1",
              path: "compartments[1].relayLine", message: "GPIO line LOCK1 (sim0:0) is already used by compartments[0].lockLine"),
        .init(rule: "a board line and the same raw line are one line",
              old: "relayLine: RELAY2", new: "relayLine: sim0:2",
              path: "compartments[1].relayLine", message: "is already used by compartments[0].relayLine"),
        .init(rule: "a line the board does not have",
              old: "lockLine: LOCK2", new: "lockLine: LOCK99",
              path: "compartments[1].lockLine", message: "'LOCK99' is not a line of board 'simulator'"),
        .init(rule: "an input line cannot drive a lock",
              old: "lockLine: LOCK2", new: "lockLine: DOOR3",
              path: "compartments[1].lockLine", message: "is an input on board 'simulator', but a lock line needs an output"),
        .init(rule: "compartment names compare case- and space-insensitively",
              old: "- name: A2", new: "- name: a 1",
              path: "compartments[1].name", message: "compartment name 'a 1' is already used by compartments[0]"),
        .init(rule: "a charger cannot share a compartment's connector id",
              old: "connectorId: 3", new: "connectorId: 1",
              path: "chargers[0].connectorId", message: "connector id 1 is already used by compartments[0]"),
        .init(rule: "connector ids start at 1",
              old: "connectorId: 1", new: "connectorId: 0",
              path: "compartments[0].connectorId", message: "connector ids start at 1"),
        .init(rule: "a bus that does not exist",
              old: "{bus: field, unit: 12", new: "{bus: feild, unit: 12",
              path: "compartments[1].meter.bus", message: "bus 'feild' does not exist; known buses: sim-modbus, field"),
        .init(rule: "a profile that does not exist",
              old: "profile: eastron-sdm120", new: "profile: eastron-sdm12O",
              path: "compartments[1].meter.profile", message: "profile 'eastron-sdm12O' does not exist; did you mean 'eastron-sdm120'?"),
        .init(rule: "unit id out of range",
              old: "unit: 100", new: "unit: 248",
              path: "siteMeters.grid.unit", message: "Modbus unit id 248 is out of range 1-247"),
        .init(rule: "two devices on one bus address",
              old: "unit: 100", new: "unit: 12",
              path: "siteMeters.grid.unit", message: "unit 12 on bus 'field' is already used by compartments[1].meter"),
        .init(rule: "TCP port out of range",
              old: "port: 1502}", new: "port: 70000}",
              path: "buses[0].tcp.port", message: "port 70000 is out of range 1-65535"),
        .init(rule: "baud rate out of range",
              old: "    tcp: {host: 127.0.0.1, port: 1502}", new: "    rtu: {device: /dev/ttyUSB0, baud: 9601}",
              path: "buses[0].rtu.baud", message: "baud 9601 is not supported"),
        .init(rule: "parity must be none, even or odd",
              old: "    tcp: {host: 127.0.0.1, port: 1502}", new: "    rtu: {device: /dev/ttyUSB0, parity: space}",
              path: "buses[0].rtu.parity", message: "'space' is not one of: none, even, odd"),
        .init(rule: "stop bits 1 or 2",
              old: "    tcp: {host: 127.0.0.1, port: 1502}", new: "    rtu: {device: /dev/ttyUSB0, stopBits: 3}",
              path: "buses[0].rtu.stopBits", message: "stop bits 3 is out of range"),
        .init(rule: "a board serial port that does not exist",
              old: "    tcp: {host: 127.0.0.1, port: 1502}", new: "    rtu: {port: RS485}",
              path: "buses[0].rtu.port", message: "'RS485' is not a serial port of board 'simulator'"),
        .init(rule: "a bus is rtu or tcp",
              old: "    tcp: {host: 127.0.0.1, port: 1502}", new: "    responseTimeoutMilliseconds: 500",
              path: "buses[0]", message: "a bus needs `rtu:"),
        .init(rule: "security profile out of range",
              old: "board: simulator", new: "board: simulator\ncentralSystem: {url: wss://csms.example.com/ocpp, securityProfile: 4}",
              path: "centralSystem.securityProfile", message: "security profile 4 is out of range 0-3"),
        .init(rule: "security profile 2 needs TLS",
              old: "board: simulator", new: "board: simulator\ncentralSystem: {url: ws://csms.example.com/ocpp, securityProfile: 2, passwordFile: pw}",
              path: "centralSystem.url", message: "needs TLS; use a wss:// URL"),
        .init(rule: "security profile 3 needs a client certificate",
              old: "board: simulator", new: "board: simulator\ncentralSystem: {url: wss://csms.example.com/ocpp, securityProfile: 3, clientKey: k.pem}",
              path: "centralSystem.clientCertificate", message: "needs a client certificate"),
        .init(rule: "amps out of range",
              old: "maxCurrentAmps: 16", new: "maxCurrentAmps: 120",
              path: "chargers[0].maxCurrentAmps", message: "current (A) 120.0 is out of range 6.0-80.0"),
        .init(rule: "phases 1 or 3",
              old: "maxCurrentAmps: 16", new: "maxCurrentAmps: 16\n    phases: 2",
              path: "chargers[0].phases", message: "phases 2 is out of range; use 1 or 3"),
        .init(rule: "interval out of range",
              old: "gridLimitAmpsPerPhase: 32", new: "gridLimitAmpsPerPhase: 32\n  controlIntervalSeconds: 0",
              path: "balancing.controlIntervalSeconds", message: "control interval (s) 0 is out of range 1-60"),
        .init(rule: "safe limit above the grid limit",
              old: "gridLimitAmpsPerPhase: 32", new: "gridLimitAmpsPerPhase: 32\n  safeLimitAmpsPerPhase: 40",
              path: "balancing.safeLimitAmpsPerPhase", message: "must be between 0 and the grid limit"),
        .init(rule: "unknown balancing mode suggests the closest",
              old: "mode: dynamic", new: "mode: dynamik",
              path: "balancing.mode", message: "did you mean 'dynamic'?"),
        .init(rule: "dynamic balancing needs a grid meter",
              old: "  grid: {bus: field, unit: 100, profile: eastron-sdm630}", new: "  grid:",
              path: "balancing.mode", message: "dynamic balancing measures the grid connection"),
        .init(rule: "an RFID reader on a compartment that does not exist",
              old: "board: simulator", new: "board: simulator\nrfidReaders: [{kind: wiegand, data0Line: WIEGAND-D0, data1Line: WIEGAND-D1, compartment: C9}]",
              path: "rfidReaders[0].compartment", message: "compartment 'C9' does not exist"),
        .init(rule: "a Wiegand reader on a line a compartment uses",
              old: "board: simulator", new: "board: simulator\nrfidReaders: [{kind: wiegand, data0Line: DOOR1, data1Line: WIEGAND-D1}]",
              path: "rfidReaders[0].data0Line", message: "is already used by compartments[0].doorSensorLine"),
        .init(rule: "token and tokenFile exclude each other",
              old: "board: simulator", new: "board: simulator\napi: {listen: 0.0.0.0:8080, token: abcdefghijklmnop, tokenFile: t}",
              path: "api.token", message: "give either `token` or `tokenFile`, not both"),
        .init(rule: "a log level that does not exist",
              old: "board: simulator", new: "board: simulator\nlogging: {level: verbose}",
              path: "logging.level", message: "'verbose' is not a log level"),
        .init(rule: "a modem without a device",
              old: "board: simulator", new: "board: simulator\nsms: {transports: [{kind: modem}]}",
              path: "sms.transports[0].device", message: "a modem needs its serial port"),
        .init(rule: "a board that does not exist",
              old: "board: simulator", new: "board: no-such-board",
              path: "board", message: "board 'no-such-board' cannot be found"),
    ]
}

@Suite("Site validation rules")
struct ConfigurationValidationTests {
    @Test("each broken site reports its problem at its path", arguments: BrokenSiteCase.all)
    func brokenSiteReportsProblem(_ broken: BrokenSiteCase) {
        let problems = ConfigurationFixtures.problems(ConfigurationFixtures.site(replacing: broken.old, with: broken.new))
        let atPath = problems.filter { $0.path == broken.path }
        #expect(atPath.contains { $0.message.contains(broken.message) },
                "expected \(broken.path): …\(broken.message)… in:\n\(problems.map(\.description).joined(separator: "\n"))")
    }

    @Test("problems found while reading point at their line in the file")
    func problemsCarryLines() {
        let problems = ConfigurationFixtures.problems(ConfigurationFixtures.site(replacing: "connectorId: 2", with: "connectorId: two"))
        let lines = ConfigurationFixtures.validSite.split(separator: "\n", omittingEmptySubsequences: false)
        let expected = lines.firstIndex { $0.contains("connectorId: 2") }.map { $0 + 1 }
        #expect(problems.first?.line == expected)
    }

    @Test("a semantic problem points at the line of its key")
    func semanticProblemsCarryLines() {
        let problems = ConfigurationFixtures.problems(ConfigurationFixtures.site(replacing: "relayLine: RELAY2", with: "relayLine: LOCK1"))
        let lines = ConfigurationFixtures.validSite.split(separator: "\n", omittingEmptySubsequences: false)
        let expected = lines.firstIndex { $0.contains("relayLine: RELAY2") }.map { $0 + 1 }
        #expect(problems.count == 1)
        #expect(problems.first?.line == expected)
    }

    static let singleMistakes: [(String, String)] = [
        ("connectorId: 1", "connectorId: one"),                                  // no "connector id 0" follow-up
        ("    lockLine: LOCK2", "    lockLien: LOCK2"),                          // the typo, not also "lockLine missing"
        ("    tcp: {host: 127.0.0.1, port: 1502}", "    responseTimeoutMilliseconds: 500"), // not "bus does not exist" thrice
        ("station:\n  identity: TEST-01", "station: TEST-01"),                   // not also "identity is empty"
        ("lockLine: LOCK1", "lockLine: [LOCK1]"),                                // not also a line problem
        ("    tcp: {host: 127.0.0.1, port: 1502}", "    rtu: 5"),                  // a bus of the wrong shape still exists
    ]

    @Test("one mistake gives one problem, not a cascade", arguments: singleMistakes.indices)
    func noCascade(index: Int) {
        let (old, new) = Self.singleMistakes[index]
        let problems = ConfigurationFixtures.problems(ConfigurationFixtures.site(replacing: old, with: new))
        #expect(problems.count == 1, "\(problems)")
    }

    @Test("compartments are found by name the way drivers type them")
    func compartmentLookupIsNormalized() throws {
        let site = try ConfigurationFixtures.load(ConfigurationFixtures.validSite)
        #expect(site.compartment(named: " a 2")?.connectorId == 2)
        #expect(site.compartment(named: "A3") == nil)
    }
}
