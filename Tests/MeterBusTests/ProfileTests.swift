import Foundation
import Testing
@testable import MeterBus

@Suite("Device profiles")
struct ProfileTests {
    static let required = ["eastron-sdm630", "eastron-sdm120", "eastron-sdm72", "abb-b23",
                           "carlo-gavazzi-em24", "sunspec-inverter", "phoenix-ev-charge-control"]

    @Test("every shipped profile parses and validates")
    func shipped() throws {
        let catalog = try ProfileCatalog.shipped()
        #expect(Set(catalog.names).isSuperset(of: Self.required))
        for name in Self.required {
            let profile = try catalog.profile(named: name)
            #expect(!profile.values.isEmpty)
            #expect(!profile.source.isEmpty, "\(name) documents its source")
            #expect(catalog.origins[name] == "shipped")
        }
    }

    @Test("YAML fields map onto the profile")
    func fields() throws {
        let profile = try ProfileParser.parse(yaml: """
            name: test-meter
            manufacturer: ACME
            model: M1
            unitId: 7
            maxRegistersPerRequest: 40
            maxGap: 2
            defaults: { function: holding, type: int32, wordOrder: low-first, byteOrder: little }
            values:
              - { name: power, address: 0x10, scale: 0.1, unit: W, measurand: Power.Active.Import, phase: L2 }
              - { name: energy, address: 20, type: uint64, function: input, wordOrder: high-first, unavailable: [-1], unit: kWh, optional: true }
              - { name: setpoint, address: 30, type: uint16, writable: true, min: 6, max: 32 }
            """, origin: "test")
        #expect(profile.defaultUnitId == 7)
        #expect(profile.limits == .init(maxRegistersPerRequest: 40, maxGap: 2))
        let power = try #require(profile.value(named: "power"))
        #expect(power.function == .holding)
        #expect(power.location == .address(16))
        #expect(power.layout == ValueLayout(type: .int32, wordOrder: .lowFirst, byteOrder: .little, scale: 0.1))
        #expect(power.measurand == .powerActiveImport)
        #expect(power.phase == .l2)
        let energy = try #require(profile.value(named: "energy"))
        #expect(energy.function == .input)
        #expect(energy.layout.wordOrder == .highFirst)
        #expect(energy.layout.sentinels == [UInt64.max])
        #expect(energy.isOptional)
        let setpoint = try #require(profile.value(named: "setpoint"))
        #expect(setpoint.isWritable)
        #expect(setpoint.writeRange == 6...32)
    }

    @Test("validation names each problem", arguments: [
        ("values: []", "missing (required)"),
        ("name: Bad Name\nmanufacturer: a\nmodel: b\nvalues: [{ name: x, address: 1, type: int16 }]", "lowercase letters"),
        (base + "  - { name: x, address: 1, type: int24 }", "'int24' is not one of"),
        (base + "  - { name: x, address: 1 }", "type: missing"),
        (base + "  - { name: x, type: int16 }", "address: missing"),
        (base + "  - { name: x, address: 70000, type: int16 }", "outside 0...65535"),
        (base + "  - { name: x, address: 1, type: int16, measurand: Power }", "'Power' is not one of"),
        (base + "  - { name: x, address: 1, type: int16, adress: 2 }", "adress: unknown key"),
        (base + "  - { name: x, address: 1, type: int16 }\n  - { name: x, address: 2, type: int16 }", "defined twice"),
        (base + "  - { name: x, address: 1, type: int16, scaleFactor: sf }", "scaleFactor 'sf' is not a value"),
        (base + "  - { name: x, address: 1, type: int16, scaleFactor: sf }\n  - { name: sf, address: 2, type: uint32 }", "must be an int16 value"),
        (base + "  - { name: x, address: 1, type: int16, writable: true }", "input registers cannot be written"),
        (base + "  - { name: x, model: 103, offset: 2, type: int16 }", "needs a top-level 'sunspec' block"),
        (base + "  - { name: x, address: 1, model: 103, offset: 2, type: int16 }", "not a mix"),
        (base + "  - { name: x, address: 1, type: int16, min: 5 }", "give both or neither"),
        (base + "  - { name: x, address: 1, type: int16, scale: 0 }", "must not be zero"),
        ("name: [oops", "not valid YAML"),
    ])
    func validation(yaml: String, fragment: String) {
        do {
            _ = try ProfileParser.parse(yaml: yaml, origin: "/etc/edge-agent/profiles/test.yaml")
            Issue.record("expected a validation error containing \(fragment)")
        } catch {
            #expect(error.origin == "/etc/edge-agent/profiles/test.yaml")
            #expect(error.description.contains(fragment), "\(error.description)")
        }
    }

    static let base = "name: t\nmanufacturer: a\nmodel: b\nvalues:\n"

    @Test("all problems of a file are reported together")
    func collectsAll() {
        do {
            _ = try ProfileParser.parse(yaml: Self.base + "  - { name: a, address: 1, type: nope }\n  - { name: b, address: -1, type: int16 }", origin: "f")
            Issue.record("expected failure")
        } catch {
            #expect(error.problems.count == 2)
        }
    }

    @Test("folder profiles merge with shipped ones, override by name, and fail with file names")
    func catalogFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try (Self.base + "  - { name: x, address: 1, type: int16 }").write(to: folder.appendingPathComponent("t.yaml"), atomically: true, encoding: .utf8)
        try "ignored".write(to: folder.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)
        let override = ShippedProfiles.yaml["eastron-sdm120"]!.replacingOccurrences(of: "maxGap: 20", with: "maxGap: 0")
        try override.write(to: folder.appendingPathComponent("sdm120.yml"), atomically: true, encoding: .utf8)
        let catalog = try ProfileCatalog(directory: folder.path)
        #expect(catalog.names.contains("t"))
        #expect(try catalog.profile(named: "eastron-sdm120").limits.maxGap == 0)
        #expect(catalog.origins["t"] == folder.appendingPathComponent("t.yaml").path)
        #expect(throws: ProfileCatalogError.unknownProfile("nope", known: catalog.names)) { try catalog.profile(named: "nope") }

        let broken = folder.appendingPathComponent("broken.yaml")
        try (Self.base + "  - { name: x, address: 1 }").write(to: broken, atomically: true, encoding: .utf8)
        do {
            _ = try ProfileCatalog(directory: folder.path)
            Issue.record("expected failure")
        } catch let .invalidProfiles(errors) {
            #expect(errors.map(\.origin) == [broken.path])
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: ProfileCatalogError.self) { try ProfileCatalog(directory: folder.appendingPathComponent("missing").path) }
    }
}
