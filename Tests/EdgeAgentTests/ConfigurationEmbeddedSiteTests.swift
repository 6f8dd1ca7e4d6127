import Foundation
import Testing
@testable import EdgeAgent

@Suite("Embedded simulator site")
struct ConfigurationEmbeddedSiteTests {
    @Test("loads with no path and no problems")
    func embeddedSiteLoads() throws {
        let site = try SiteConfigurationLoader.load(
            path: nil, overrides: .none, knownProfiles: ConfigurationFixtures.knownProfiles)
        #expect(site.isSimulated)
        #expect(site.board.name == "simulator")
        #expect(site.compartments.count == 12)
        #expect(site.compartments.map(\.name) == ["A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3", "B4", "B5", "B6"])
        #expect(site.compartments.map(\.connectorId) == Array(1...12))
        #expect(site.chargers.count == 2)
        #expect(site.chargers.allSatisfy { $0.control.profile == "phoenix-ev-charge-control" })
        #expect(site.siteMeters.grid?.profile == "eastron-sdm630")
        #expect(site.siteMeters.pv?.profile == "sunspec-inverter")
        #expect(site.api.listen == "127.0.0.1:8080")
        #expect(site.storage.folder == "./.state")
        #expect(site.logging.level == "info")
    }

    @Test("lines resolve to the simulated chip, each line used once")
    func embeddedLinesResolve() throws {
        let site = try SiteConfigurationLoader.load(
            path: nil, overrides: .none, knownProfiles: ConfigurationFixtures.knownProfiles)
        let first = try #require(site.compartments.first)
        #expect(first.lockLine == GPIOLineReference(written: "LOCK1", boardLine: "LOCK1", chip: "sim0", offset: 0, activeLow: false))
        #expect(first.doorSensorLine.offset == 1)
        let offsets = site.compartments.flatMap { [$0.lockLine, $0.doorSensorLine, $0.relayLine] }.compactMap(\.offset)
        #expect(Set(offsets).count == offsets.count)
    }

    @Test("an unknown profile in the embedded site is reported, so the profile list is really checked")
    func embeddedSiteChecksProfiles() {
        #expect(throws: ConfigurationError.self) {
            try SiteConfigurationLoader.load(path: nil, overrides: .none, knownProfiles: ["eastron-sdm630"])
        }
    }

    @Test("the compiled-in board and site are byte-identical to boards/simulator")
    func embeddedMatchesFiles() throws {
        let folder = ConfigurationFixtures.boardsFolder.appendingPathComponent("simulator")
        let board = try Data(contentsOf: folder.appendingPathComponent("board.yaml"))
        let site = try Data(contentsOf: folder.appendingPathComponent("site.yaml"))
        #expect(Data(EmbeddedSimulatorSite.boardYAML.utf8) == board, "boards/simulator/board.yaml and EmbeddedSimulatorSite.boardYAML differ")
        #expect(Data(EmbeddedSimulatorSite.siteYAML.utf8) == site, "boards/simulator/site.yaml and EmbeddedSimulatorSite.siteYAML differ")
    }
}

@Suite("Board example sites")
struct ConfigurationBoardSitesTests {
    static let siteFiles: [String] = {
        let boards = ConfigurationFixtures.boardsFolder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: boards.path)) ?? []
        return names.sorted().map { boards.appendingPathComponent($0).appendingPathComponent("site.yaml").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }()

    @Test("there are example sites for the simulator and at least two real boards")
    func exampleSitesExist() {
        #expect(Self.siteFiles.count >= 3)
        #expect(Self.siteFiles.contains { $0.hasSuffix("boards/raspberry-pi-rs485/site.yaml") })
    }

    @Test("every boards/*/site.yaml loads with zero problems", arguments: siteFiles)
    func exampleSiteLoads(path: String) throws {
        do {
            let site = try SiteConfigurationLoader.load(
                path: path, overrides: .none, knownProfiles: ConfigurationFixtures.knownProfiles)
            let folderName = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
            #expect(site.board.name == folderName)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("real board sites resolve lines and ports from their board file")
    func realBoardResolution() throws {
        let folder = ConfigurationFixtures.boardsFolder
        let iono = try SiteConfigurationLoader.load(
            path: folder.appendingPathComponent("iono-pi/site.yaml").path, overrides: .none,
            knownProfiles: ConfigurationFixtures.knownProfiles)
        #expect(!iono.isSimulated)
        #expect(iono.compartments[0].relayLine.chip == "gpiochip0")
        #expect(iono.compartments[0].relayLine.offset == 17)
        #expect(iono.rfidReaders.first?.data0Line?.offset == 4)
        guard case let .rtu(rtu)? = iono.bus(named: "meters")?.transport else {
            Issue.record("meters is not an RTU bus")
            return
        }
        #expect(rtu.device.hasPrefix("/dev/serial/by-id/"))
        #expect(rtu.boardPort == "RS485")
        #expect(rtu.parity == .even)
        #expect(iono.storage.folder == "/var/lib/edge-agent")

        let pi = try SiteConfigurationLoader.load(
            path: folder.appendingPathComponent("raspberry-pi-rs485/site.yaml").path, overrides: .none,
            knownProfiles: ConfigurationFixtures.knownProfiles)
        #expect(pi.compartments[0].lockLine.lineName == "GPIO17")
        #expect(pi.compartments[0].lockLine.chip == nil)
        #expect(pi.centralSystem?.securityProfile == 2)
    }

    @Test("relative paths in a site file resolve against the site file's folder")
    func relativePathsResolveAgainstSiteFolder() throws {
        let folder = ConfigurationFixtures.boardsFolder.appendingPathComponent("iono-pi").path
        let site = try SiteConfigurationLoader.load(
            path: folder + "/site.yaml", overrides: .none, knownProfiles: ConfigurationFixtures.knownProfiles)
        #expect(site.api.tokenFile == folder + "/secrets/api-token")
        #expect(site.centralSystem?.clientCertificate == folder + "/certs/station.pem")
        #expect(site.sms?.transports.first?.tokenFile == folder + "/secrets/sms-gateway-token")
    }
}
