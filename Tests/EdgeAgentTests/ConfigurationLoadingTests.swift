import Foundation
import Testing
@testable import EdgeAgent

@Suite("Reporting every problem at once")
struct ConfigurationMultipleProblemsTests {
    static let brokenThreeWays = ConfigurationFixtures.validSite
        .replacingOccurrences(of: "lockLine: LOCK2", with: "lockLine: LOCK1")
        .replacingOccurrences(of: "connectorId: 3", with: "connectorId: 2")
        .replacingOccurrences(of: "profile: eastron-sdm630", with: "profile: sdm630")
        .replacingOccurrences(of: "  identity: TEST-01", with: "  identity: TEST-01\n  colour: blue")

    @Test("several problems in one file are all reported, each with its path")
    func allProblemsReported() {
        let problems = ConfigurationFixtures.problems(Self.brokenThreeWays)
        #expect(Set(problems.map(\.path)) == [
            "station.colour", "compartments[1].lockLine", "chargers[0].connectorId", "siteMeters.grid.profile",
        ], "\(problems)")
    }

    @Test("the error lists its source and one problem per line")
    func errorDescriptionListsEveryProblem() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try ConfigurationFixtures.load(Self.brokenThreeWays)
        }
        let lines = error.description.split(separator: "\n")
        #expect(lines.first == "test.yaml: invalid site configuration, 4 problems:")
        #expect(lines.count == 5)
        for problem in error.problems {
            #expect(lines.contains { $0.contains(problem.description) })
        }
        #expect(error.problems.allSatisfy { $0.line != nil })
    }

    @Test("a problem reads as path: message")
    func problemDescription() {
        let problem = ConfigurationProblem(path: "compartments[3].lockLine", message: "missing required value")
        #expect(problem.description == "compartments[3].lockLine: missing required value")
    }
}

@Suite("Command-line overrides")
struct ConfigurationOverridesTests {
    @Test("each override replaces the file's value")
    func overridesApply() throws {
        let overrides = ConfigurationOverrides(
            stateDirectory: "/tmp/edge-state", centralSystemURL: "ws://10.0.0.5:9000/ocpp",
            apiListen: "127.0.0.1:18080", logLevel: "debug")
        let site = try SiteConfigurationLoader.load(
            path: nil, overrides: overrides, knownProfiles: ConfigurationFixtures.knownProfiles)
        #expect(site.storage.folder == "/tmp/edge-state")
        #expect(site.centralSystem?.url == "ws://10.0.0.5:9000/ocpp")
        #expect(site.centralSystem?.securityProfile == 0)
        #expect(site.api.host == "127.0.0.1")
        #expect(site.api.port == 18080)
        #expect(site.logging.level == "debug")
    }

    @Test("--central-url adds a central system to a site without one")
    func centralURLCreatesCentralSystem() throws {
        #expect(try ConfigurationFixtures.load(ConfigurationFixtures.validSite).centralSystem == nil)
        let site = try ConfigurationFixtures.load(
            ConfigurationFixtures.validSite, overrides: ConfigurationOverrides(centralSystemURL: "ws://127.0.0.1:9000/ocpp"))
        #expect(site.centralSystem == CentralSystemConfiguration(url: "ws://127.0.0.1:9000/ocpp"))
    }

    @Test("--api-listen accepts an IPv6 address in brackets")
    func ipv6Listen() throws {
        let site = try ConfigurationFixtures.load(ConfigurationFixtures.validSite, overrides: ConfigurationOverrides(apiListen: "[::1]:9090"))
        #expect(site.api.host == "::1")
        #expect(site.api.port == 9090)
        #expect(site.api.listen == "[::1]:9090")
    }

    @Test("overrides are validated like file values")
    func badOverridesReported() {
        let problems = ConfigurationFixtures.problems(
            ConfigurationFixtures.validSite,
            overrides: ConfigurationOverrides(centralSystemURL: "http://csms", apiListen: "localhost", logLevel: "loud"))
        #expect(problems.contains { $0.path == "api.listen" && $0.message.contains("(from --api-listen) 'localhost' is not a listen address") })
        #expect(problems.contains { $0.path == "logging.level" && $0.message.contains("'loud' is not a log level") })
        #expect(problems.contains { $0.path == "centralSystem.url" && $0.message.contains("is not a WebSocket URL") })
    }

    @Test("an override can fix what the file got wrong, because validation comes after")
    func overrideFixesFile() throws {
        let yaml = ConfigurationFixtures.site(replacing: "board: simulator", with: "board: simulator\nlogging: {level: verbose}")
        let site = try ConfigurationFixtures.load(yaml, overrides: ConfigurationOverrides(logLevel: "warning"))
        #expect(site.logging.level == "warning")
    }
}

@Suite("Reading site files")
struct ConfigurationFileReadingTests {
    @Test("a YAML syntax error reports its line and column")
    func syntaxErrorHasLine() {
        let yaml = "station:\n  identity: TEST-01\nboard: simulator\ncompartments:\n  - name: A1\n   connectorId: 1\n"
        let problems = ConfigurationFixtures.problems(yaml)
        #expect(problems.count == 1)
        #expect(problems.first?.path == "yaml")
        #expect(problems.first?.message.contains("YAML syntax error at line 6, column") == true, "\(problems)")
        #expect(problems.first?.line == 6)
    }

    @Test("an unterminated quote is a syntax error, not a crash")
    func unterminatedQuote() {
        let problems = ConfigurationFixtures.problems("station:\n  identity: \"TEST-01\nboard: simulator\n")
        #expect(problems.first?.message.contains("YAML syntax error at line") == true)
    }

    @Test("an empty file says where to start")
    func emptyFile() {
        let problems = ConfigurationFixtures.problems("# nothing yet\n")
        #expect(problems.map(\.description) == ["file: the site file is empty; start from boards/<board>/site.yaml"])
    }

    @Test("a file that is not a mapping is reported, not crashed on")
    func notAMapping() {
        let problems = ConfigurationFixtures.problems("- just\n- a list\n")
        #expect(problems.first?.message.contains("expected a mapping") == true)
    }

    @Test("a missing file names the path")
    func missingFile() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try SiteConfigurationLoader.load(path: "/nonexistent/site.yaml", overrides: .none, knownProfiles: [])
        }
        #expect(error.source == "/nonexistent/site.yaml")
        #expect(error.problems.first?.message.contains("cannot read /nonexistent/site.yaml") == true)
    }

    @Test("a board given as a path is loaded from that file, relative to the site file")
    func boardByPath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edge-agent-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("hw"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            name: bench
            lines:
              L1: {chip: gpiochip1, offset: 3}
              L2: {chip: gpiochip1, offset: 4}
              L3: {chip: gpiochip1, offset: 5, activeLow: true}
            """.write(to: folder.appendingPathComponent("hw/board.yaml"), atomically: true, encoding: .utf8)
        try """
            station: {identity: BENCH-1}
            board: hw/board.yaml
            compartments:
              - {name: X, connectorId: 1, lockLine: L1, doorSensorLine: L3, relayLine: L2, maxPowerWatts: 100}
            storage: {folder: state}
            """.write(to: folder.appendingPathComponent("site.yaml"), atomically: true, encoding: .utf8)
        let site = try SiteConfigurationLoader.load(
            path: folder.appendingPathComponent("site.yaml").path, overrides: .none, knownProfiles: [])
        #expect(site.board.name == "bench")
        #expect(!site.isSimulated)
        #expect(site.compartments[0].doorSensorLine.activeLow)
        #expect(site.compartments[0].relayLine.displayName == "L2 (gpiochip1:4)")
        #expect(site.storage.folder == folder.path + "/state")
    }

    @Test("problems in a board file are reported with the board file named")
    func boardFileProblems() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edge-agent-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "name: bench\nlines:\n  L1: {chip: gpiochip1, ofset: 3}\n"
            .write(to: folder.appendingPathComponent("board.yaml"), atomically: true, encoding: .utf8)
        try "station: {identity: B}\nboard: ./board.yaml\ncompartments: []\nchargers: []\n"
            .write(to: folder.appendingPathComponent("site.yaml"), atomically: true, encoding: .utf8)
        let error = try #require(throws: ConfigurationError.self) {
            try SiteConfigurationLoader.load(path: folder.appendingPathComponent("site.yaml").path, overrides: .none, knownProfiles: [])
        }
        let problem = try #require(error.problems.first { $0.path == "board.lines.L1.ofset" })
        #expect(problem.message.contains("did you mean 'offset'?"))
        #expect(problem.message.contains("(in board file \(folder.path)/board.yaml)"))
        #expect(problem.line == 3)
    }
}

@Suite("Broken config files for the end-to-end tests")
struct ConfigurationBrokenFilesTests {
    static let files: [String] = {
        let folder = ConfigurationFixtures.brokenConfigsFolder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test("the set covers the rules the end-to-end test relies on")
    func setIsComplete() {
        for name in ["duplicate-gpio-line", "unknown-key", "missing-bus", "unknown-profile", "duplicate-compartment-name",
                     "duplicate-connector", "out-of-range-baud", "bad-yaml"] {
            #expect(Self.files.contains(name + ".yaml"), "missing \(name).yaml")
        }
    }

    @Test("each file fails with exactly one problem, containing its `# expect:` text", arguments: files)
    func brokenFileFails(name: String) throws {
        let path = ConfigurationFixtures.brokenConfigsFolder.appendingPathComponent(name).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let firstLine = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        #expect(firstLine.hasPrefix("# expect: "))
        let expected = String(firstLine.dropFirst("# expect: ".count))
        let error = try #require(throws: ConfigurationError.self) {
            try SiteConfigurationLoader.load(path: path, overrides: .none, knownProfiles: ConfigurationFixtures.knownProfiles)
        }
        #expect(error.problems.count == 1, "\(error)")
        #expect(error.description.contains(expected), "\(error)")
    }
}
