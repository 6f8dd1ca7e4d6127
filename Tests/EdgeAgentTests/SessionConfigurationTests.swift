import Foundation
import Testing
@testable import EdgeAgent

@Suite("Session configuration")
struct SessionConfigurationTests {
    func load(_ block: String) throws(ConfigurationError) -> SiteConfiguration {
        try SiteConfigurationLoader.load(
            yaml: EmbeddedSimulatorSite.siteYAML + "\n" + block, source: "test", baseFolder: nil, overrides: .none,
            knownProfiles: ConfigurationFixtures.knownProfiles)
    }

    @Test func withoutASessionsBlockTransactionsResumeAfterARestart() throws {
        let site = try SiteConfigurationLoader.load(
            path: nil, overrides: .none, knownProfiles: ConfigurationFixtures.knownProfiles)
        let settings = SessionSettings(configuration: site)
        #expect(settings.restartTransactions == .resume)
        #expect(settings.defaultConnectionTimeOut == 60 && settings.keepFreeUnlocked)
    }

    @Test func theSessionsBlockIsRead() throws {
        let site = try load("""
            sessions:
              restartTransactions: stopAndRestart
              connectionTimeOutSeconds: 30
              maxOccupancySeconds: 3600
              chargeCompleteBelowWatts: 5
              keepFreeCompartmentsUnlocked: false
            """)
        let settings = SessionSettings(configuration: site)
        #expect(settings.restartTransactions == .stopAndRestart)
        #expect(settings.defaultConnectionTimeOut == 30 && settings.maxOccupancy == 3600)
        #expect(settings.chargeCompleteBelowWatts == 5 && !settings.keepFreeUnlocked)
    }

    @Test func anUnknownRestartPolicyOrKeyIsAProblem() {
        #expect(throws: ConfigurationError.self) { try load("sessions:\n  restartTransactions: sometimes\n") }
        #expect(throws: ConfigurationError.self) { try load("sessions:\n  connectionTimeout: 30\n") }
    }
}

@Suite("Session configuration: ranges")
struct SessionConfigurationRangeTests {
    /// The problems of the simulated site with this `sessions:` block.
    func problems(_ block: String) -> [ConfigurationProblem] {
        do {
            _ = try SiteConfigurationLoader.load(
                yaml: EmbeddedSimulatorSite.siteYAML + "\nsessions:\n" + block, source: "test", baseFolder: nil,
                overrides: .none, knownProfiles: ConfigurationFixtures.knownProfiles)
            return []
        } catch {
            return error.problems
        }
    }

    func message(_ key: String, _ value: String) -> String? {
        problems("  \(key): \(value)\n").first { $0.path == "sessions.\(key)" }?.message
    }

    @Test(arguments: [
        ("connectionTimeOutSeconds", "-5", "negative"), ("connectionTimeOutSeconds", "0", "too short"),
        ("connectionTimeOutSeconds", "100000", "too long"),
        ("meterValueSampleIntervalSeconds", "-1", "negative"), ("meterValueSampleIntervalSeconds", "90000", "too long"),
        ("clockAlignedDataIntervalSeconds", "-900", "negative"), ("clockAlignedDataIntervalSeconds", "86401", "too long"),
        ("lockConfirmSeconds", "0", "too short"), ("lockConfirmSeconds", "0.1", "too short"), ("lockConfirmSeconds", "600", "too long"),
        ("chargeCompleteAfterSeconds", "0", "too short"), ("chargeCompleteAfterSeconds", "-3", "negative"),
        ("maxOccupancySeconds", "0", "too short"), ("maxOccupancySeconds", "-60", "negative"),
        ("maxOccupancySeconds", "99999999", "too long"),
        ("chargeCompleteBelowWatts", "0", "out of range"), ("chargeCompleteBelowWatts", "-5", "out of range"),
        ("chargeCompleteBelowWatts", "5000", "out of range"),
        ("maxEnergyWh", "0", "out of range"), ("maxEnergyWh", "-10", "out of range"), ("maxEnergyWh", "5000000", "out of range"),
        ("maxCost", "0", "out of range"), ("maxCost", "-2", "out of range"), ("maxCost", "1000000", "out of range"),
    ])
    func outOfRangeValuesAreProblemsAtTheirKey(key: String, value: String, says: String) throws {
        let text = try #require(message(key, value), "no problem for \(key): \(value)")
        #expect(text.contains(says), "\(key): \(value) -> \(text)")
    }

    @Test func zeroMeansNoneWhereItIsDocumentedSo() {
        #expect(message("meterValueSampleIntervalSeconds", "0") == nil)
        #expect(message("clockAlignedDataIntervalSeconds", "0") == nil)
    }

    @Test func sensibleValuesPass() {
        #expect(problems("""
              connectionTimeOutSeconds: 90
              meterValueSampleIntervalSeconds: 60
              clockAlignedDataIntervalSeconds: 900
              lockConfirmSeconds: 2.5
              chargeCompleteBelowWatts: 5
              chargeCompleteAfterSeconds: 300
              maxOccupancySeconds: 43200
              maxEnergyWh: 2000
              maxCost: 15.50
            """).isEmpty)
    }

    @Test func aMessageSaysWhatToWrite() throws {
        let text = try #require(message("lockConfirmSeconds", "0"))
        #expect(text == "the lock confirmation time 0 s is too short; use 0.5-60 s")
        let energy = try #require(message("maxEnergyWh", "-10"))
        #expect(energy == "energy limit -10 Wh is out of range; use 1-1000000 Wh")
    }

    @Test func theCostLimitIsReadExactlyAndNeedsATariff() throws {
        let site = try SiteConfigurationLoader.load(
            yaml: EmbeddedSimulatorSite.siteYAML + "\nsessions:\n  maxCost: 12.35\n", source: "test", baseFolder: nil,
            overrides: .none, knownProfiles: ConfigurationFixtures.knownProfiles)
        #expect(SessionSettings(configuration: site).maxCost == Decimal(string: "12.35")!)
        let withoutTariffs = EmbeddedSimulatorSite.siteYAML.components(separatedBy: "\ntariffs:")[0]
        #expect(throws: ConfigurationError.self) {
            try SiteConfigurationLoader.load(
                yaml: withoutTariffs + "\nsessions:\n  maxCost: 10\n", source: "test", baseFolder: nil,
                overrides: .none, knownProfiles: ConfigurationFixtures.knownProfiles)
        }
    }
}
