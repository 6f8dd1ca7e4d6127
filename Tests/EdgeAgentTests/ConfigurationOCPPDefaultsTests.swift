import Foundation
import OCPP
import Testing
@testable import EdgeAgent

@Suite("Configuration: OCPP key defaults")
struct ConfigurationOCPPDefaultsTests {
    @Test("ocppDefaults are read as text, whatever YAML type they were written in")
    func values() throws {
        let site = try ConfigurationFixtures.load(ConfigurationFixtures.validSite + """
            ocppDefaults:
              AllowOfflineTxForUnknownId: true
              HeartbeatInterval: 600

            """)
        #expect(site.ocppDefaults == ["AllowOfflineTxForUnknownId": "true", "HeartbeatInterval": "600"])
    }

    @Test("an unknown key, a read-only key and a bad value are reported with their path", arguments: [
        ("  AllowOfflineTxForUnkownId: true\n", "ocppDefaults.AllowOfflineTxForUnkownId", "did you mean 'AllowOfflineTxForUnknownId'?"),
        ("  NumberOfConnectors: 3\n", "ocppDefaults.NumberOfConnectors", "ChangeConfiguration"),
        ("  HeartbeatInterval: often\n", "ocppDefaults.HeartbeatInterval", "ChangeConfiguration"),
    ])
    func badDefaults(line: String, path: String, message: String) {
        let problems = ConfigurationFixtures.problems(ConfigurationFixtures.validSite + "ocppDefaults:\n" + line)
        #expect(problems.map(\.path) == [path], "\(problems)")
        #expect(problems.first?.message.contains(message) == true, "\(problems)")
    }

    @Test("the site file's defaults apply until a central system has set the key; the stored value wins")
    func storedValueWins() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        let defaults = ["AllowOfflineTxForUnknownId": "true", "HeartbeatInterval": "600"]
        #expect(UplinkSetup.storedValues(store: store, siteDefaults: defaults, logger: quietLogger) == defaults)
        try store.setOCPPConfigurationValue("900", forKey: "HeartbeatInterval")
        #expect(UplinkSetup.storedValues(store: store, siteDefaults: defaults, logger: quietLogger)
            == ["AllowOfflineTxForUnknownId": "true", "HeartbeatInterval": "900"])
    }

    @Test("the embedded simulated site accepts an unknown card while offline, so make run can start a session")
    func simulatorAcceptsUnknownCardsOffline() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = try simulatedSite(stateFolder: folder)
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        let authorizer = AuthorizationSetup.makeAuthorizer(configuration: configuration, store: store, logger: quietLogger)
        let outcome = await authorizer.authorize(idTag: "0BADCAFE")
        #expect(outcome.isAccepted)
        #expect(outcome.source == .offlinePolicy)
    }
}
