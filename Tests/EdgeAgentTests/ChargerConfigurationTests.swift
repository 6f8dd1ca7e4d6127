import Foundation
import Testing
@testable import EdgeAgent

/// The `reader:` key of a charger (docs/configuration.md, `chargers[]`).
@Suite("Charger configuration")
struct ChargerConfigurationTests {
    static let charger = "    maxCurrentAmps: 16\n"
    static let board = "board: simulator\n"

    static func site(reader: String, readers: String) -> String {
        ConfigurationFixtures.site(replacing: board, with: board + "rfidReaders:\n" + readers)
            .replacingOccurrences(of: charger, with: charger + "    reader: \(reader)\n")
    }

    @Test("a charger names its own reader")
    func readerLoads() throws {
        let site = try ConfigurationFixtures.load(Self.site(
            reader: "wallbox", readers: "  - {name: wallbox, kind: serial, device: /dev/ttyUSB3}\n"))
        #expect(site.chargers.first?.reader == "wallbox")
    }

    @Test("a reader that is not among rfidReaders is refused, naming the readers there are")
    func unknownReader() {
        let problems = ConfigurationFixtures.problems(Self.site(
            reader: "wallbx", readers: "  - {name: wallbox, kind: serial, device: /dev/ttyUSB3}\n"))
        #expect(problems.contains { $0.path == "chargers[0].reader" && $0.message.contains("'wallbx' is not one of rfidReaders (wallbox)") },
                "\(problems)")
    }

    @Test("a compartment's reader cannot also be a charger's")
    func compartmentReader() {
        let problems = ConfigurationFixtures.problems(Self.site(
            reader: "door", readers: "  - {name: door, kind: serial, device: /dev/ttyUSB3, compartment: A1}\n"))
        #expect(problems.contains { $0.path == "chargers[0].reader" && $0.message.contains("already sits on compartment 'A1'") },
                "\(problems)")
    }

    @Test("the simulated site has a reader at each wallbox")
    func simulatedSiteReaders() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let site = try simulatedSite(stateFolder: folder)
        #expect(site.chargers.map(\.reader) == ["wallbox-left-reader", "wallbox-right-reader"])
        #expect(Set(site.rfidReaders.map(\.name)).isSuperset(of: ["wallbox-left-reader", "wallbox-right-reader"]))
    }
}
