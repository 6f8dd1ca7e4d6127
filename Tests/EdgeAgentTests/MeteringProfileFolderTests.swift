import Foundation
import Testing
@testable import EdgeAgent

/// check-config and the daemon validate profile names against the shipped profiles plus `profilesFolder`.
@Suite("Metering profile folder")
struct MeteringProfileFolderTests {
    static let customProfile = """
        name: acme-m1
        manufacturer: ACME
        model: M1
        defaults: {function: input, type: float32}
        values:
          - {name: power, address: 0, unit: W, measurand: Power.Active.Import}
        """

    /// A site file in `folder` using the simulator board, with A1's meter on `profile`.
    static func writeSite(in folder: String, profile: String, profilesFolder: String?) throws -> String {
        var yaml = EmbeddedSimulatorSite.siteYAML.replacingOccurrences(
            of: "meter: {bus: sim-modbus, unit: 11, profile: eastron-sdm120}",
            with: "meter: {bus: sim-modbus, unit: 11, profile: \(profile)}")
        if let profilesFolder { yaml += "profilesFolder: \(profilesFolder)\n" }
        let path = folder + "/site.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a profile from the site's folder (relative to the site file) is known")
    func folderProfileIsKnown() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/profiles", withIntermediateDirectories: true)
        try Self.customProfile.write(toFile: folder + "/profiles/acme.yaml", atomically: true, encoding: .utf8)
        let path = try Self.writeSite(in: folder, profile: "acme-m1", profilesFolder: "profiles")
        let site = try SiteConfigurationLoader.loadSite(path: path, overrides: .none)
        #expect(site.profilesFolder == folder + "/profiles")
        #expect(SiteProfiles.catalog(for: site).profiles["acme-m1"] != nil)
    }

    @Test("without the folder, the same name is unknown and the shipped list is offered")
    func unknownWithoutFolder() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try Self.writeSite(in: folder, profile: "acme-m1", profilesFolder: nil)
        let error = try #require(throws: ConfigurationError.self) {
            try SiteConfigurationLoader.loadSite(path: path, overrides: .none)
        }
        let problem = try #require(error.problems.first { $0.path == "compartments[0].meter.profile" })
        #expect(problem.message.contains("eastron-sdm120"))
    }

    @Test("an invalid profile file is reported with its file and problem; valid names still resolve")
    func invalidProfileFile() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let profiles = folder + "/profiles"
        try FileManager.default.createDirectory(atPath: profiles, withIntermediateDirectories: true)
        try Self.customProfile.write(toFile: profiles + "/acme.yaml", atomically: true, encoding: .utf8)
        try "name: broken-meter\nmanufacturer: X\nmodel: Y\nvalues:\n  - {name: p, address: 0, type: float99}\n"
            .write(toFile: profiles + "/broken.yaml", atomically: true, encoding: .utf8)
        let path = try Self.writeSite(in: folder, profile: "acme-m1", profilesFolder: profiles)
        let error = try #require(throws: ConfigurationError.self) {
            try SiteConfigurationLoader.loadSite(path: path, overrides: .none)
        }
        #expect(error.problems.count == 1)
        let problem = try #require(error.problems.first)
        #expect(problem.path == "profilesFolder")
        #expect(problem.message.contains(profiles + "/broken.yaml"))
        #expect(problem.message.contains("float99"))
    }

    @Test("a profile folder that does not exist is a problem naming it")
    func missingFolder() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try Self.writeSite(in: folder, profile: "eastron-sdm120", profilesFolder: "nowhere")
        let error = try #require(throws: ConfigurationError.self) {
            try SiteConfigurationLoader.loadSite(path: path, overrides: .none)
        }
        #expect(error.problems.map(\.path) == ["profilesFolder"])
        #expect(error.problems.first?.message.contains(folder + "/nowhere") == true)
    }
}
