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
