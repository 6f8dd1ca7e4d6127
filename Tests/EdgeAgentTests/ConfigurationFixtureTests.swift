import Foundation
import Testing
@testable import EdgeAgent

/// Shared fixtures for the configuration suites: the profile names MeterBus ships, the
/// repository folders, and a small valid site to break one way at a time.
enum ConfigurationFixtures {
    static let knownProfiles: Set<String> = [
        "eastron-sdm630", "eastron-sdm120", "eastron-sdm72", "abb-b23", "carlo-gavazzi-em24",
        "sunspec-inverter", "phoenix-ev-charge-control",
    ]

    /// The package root: the first folder above this file that holds `boards/`.
    static let repositoryRoot: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("boards").path) { return folder }
            folder.deleteLastPathComponent()
        }
        fatalError("no boards/ folder above \(#filePath)")
    }()

    static var boardsFolder: URL { repositoryRoot.appendingPathComponent("boards") }
    static var brokenConfigsFolder: URL { repositoryRoot.appendingPathComponent("Tests/EndToEnd/broken-configs") }

    /// Two compartments on the simulator board, one charger, a TCP bus and a grid meter.
    static let validSite = """
        station:
          identity: TEST-01
        board: simulator
        buses:
          - name: field
            tcp: {host: 127.0.0.1, port: 1502}
        compartments:
          - name: A1
            connectorId: 1
            lockLine: LOCK1
            doorSensorLine: DOOR1
            relayLine: RELAY1
            maxPowerWatts: 500
          - name: A2
            connectorId: 2
            lockLine: LOCK2
            doorSensorLine: DOOR2
            relayLine: RELAY2
            meter: {bus: field, unit: 12, profile: eastron-sdm120}
            maxPowerWatts: 500
        chargers:
          - connectorId: 3
            control: {bus: field, unit: 1, profile: phoenix-ev-charge-control}
            maxCurrentAmps: 16
        siteMeters:
          grid: {bus: field, unit: 100, profile: eastron-sdm630}
        balancing:
          mode: dynamic
          gridLimitAmpsPerPhase: 32

        """

    static func load(_ yaml: String, overrides: ConfigurationOverrides = .none) throws(ConfigurationError) -> SiteConfiguration {
        try SiteConfigurationLoader.load(
            yaml: yaml, source: "test.yaml", baseFolder: nil, overrides: overrides, knownProfiles: knownProfiles)
    }

    /// The problems of a site that must not load; records an issue if it loads.
    static func problems(_ yaml: String, overrides: ConfigurationOverrides = .none,
                         sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigurationProblem] {
        do {
            _ = try load(yaml, overrides: overrides)
            Issue.record("expected the site to be rejected", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.problems
        }
    }

    /// `validSite` with one text replaced; records an issue if the text is not there.
    static func site(replacing old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(validSite.contains(old), "fixture does not contain \(old)", sourceLocation: sourceLocation)
        return validSite.replacingOccurrences(of: old, with: new)
    }
}

@Suite("Configuration fixtures")
struct ConfigurationFixtureTests {
    @Test("the base fixture is a valid site, so each broken variant tests exactly one rule")
    func validFixtureLoads() throws {
        let site = try ConfigurationFixtures.load(ConfigurationFixtures.validSite)
        #expect(site.compartments.map(\.name) == ["A1", "A2"])
        #expect(site.chargers.first?.name == "charger-3")
        #expect(site.bus(named: "field") != nil)
        #expect(site.bus(named: "sim-modbus") != nil, "the simulator board's own bus is inherited")
    }
}
