import ArgumentParser
import EdgeAgent
import Foundation
import Logging
import MeterBus

extension EdgeAgentCommand {
    /// Commissioning: read one Modbus device once through its profile and show every value.
    struct ReadMeter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "read-meter",
            abstract: "Read one Modbus device once and print every value with its unit.",
            discussion: """
                Examples:
                  edge-agent read-meter --bus tcp://192.168.1.50:502 --unit 1 --profile eastron-sdm630
                  edge-agent read-meter --bus "rtu:///dev/ttyUSB0?baud=9600&parity=N" --unit 11 --profile eastron-sdm120 --json
                Exits 0 after a good read, 1 when the bus, unit, profile or device is wrong (the message says which).
                """)

        @Option(help: "The bus: tcp://HOST:PORT or rtu:///dev/ttyUSB0?baud=9600&parity=N.")
        var bus: String

        @Option(help: "Modbus unit (slave) id of the device.")
        var unit: Int

        @Option(help: "Device profile name (see --list-profiles).")
        var profile: String?

        @Option(help: "Folder of extra profile files (YAML), as `profilesFolder` in a site file.")
        var profiles: String?

        @Flag(help: "Print one JSON object of OCPP measurand names to numbers (Wh, W, A, V, Hz).")
        var json = false

        func run() async throws {
            LogSetup.bootstrap(level: .error)
            let catalog: ProfileCatalog
            do {
                catalog = try ProfileCatalog(directory: profiles)
            } catch {
                fail("\(error)")
            }
            guard let profile else {
                fail("--profile is missing; known profiles: \(catalog.names.joined(separator: ", "))")
            }
            let reading: MeterReading
            do {
                reading = try await MeterBus.ReadMeter.readOnce(
                    busURL: bus, unit: unit, profileName: profile, catalog: catalog)
            } catch let MeterError.transport(.busUnavailable(detail, bus)) {
                // The daemon retries a lost bus; a one-shot read says what to check instead.
                fail("cannot open bus \(bus): \(detail); check the address and port (tcp) or the device path, "
                    + "its permissions and that no other program holds it (rtu)")
            } catch {
                fail("\(error)")
            }
            if json {
                print(MeasurandJSON.text(reading))
            } else {
                print("\(reading.profile) at unit \(unit) on \(bus), read \(reading.time.formatted(.iso8601))")
                print(reading.formatted)
            }
        }

        private func fail(_ message: String) -> Never {
            printToStandardError("edge-agent read-meter: \(message)")
            Foundation.exit(1)
        }
    }
}

/// `--json`: measurand (with `.phase` when the value has one) -> number, in OCPP's base units.
enum MeasurandJSON {
    static func object(_ reading: MeterReading) -> [String: Double] {
        var object: [String: Double] = [:]
        for value in reading.values {
            guard let measurand = value.measurand, let number = value.value else { continue }
            let key = measurand.rawValue + (value.phase.map { ".\($0.rawValue)" } ?? "")
            object[key] = number * factor(from: value.unit)
        }
        return object
    }

    /// OCPP reports energy in Wh and power in W; profiles may read kWh and kW.
    static func factor(from unit: String) -> Double {
        switch unit {
        case "kWh", "kW", "kvar", "kVA", "kvarh": 1000
        default: 1
        }
    }

    static func text(_ reading: MeterReading) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(object(reading)) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
