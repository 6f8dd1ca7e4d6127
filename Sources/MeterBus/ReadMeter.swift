import Foundation
import Logging

/// The pieces behind `edge-agent read-meter --bus URL --unit N --profile NAME [--json]`.
public enum ReadMeter {
    /// Opens the bus, probes the device, reads every value once and closes the bus.
    public static func readOnce(
        bus configuration: BusConfiguration, unit: Int, profile: DeviceProfile,
        logger: Logger = Logger(label: "meterbus.read-meter")
    ) async throws(MeterError) -> MeterReading {
        let bus = ModbusBus(configuration: configuration, logger: logger)
        let device = MeterDevice(id: "\(configuration) unit \(unit)", bus: bus, unit: unit, profile: profile, logger: logger)
        do {
            let reading = try await device.read()
            await bus.close()
            return reading
        } catch {
            await bus.close()
            throw error
        }
    }

    /// Same, from the command line's strings. Errors are user-facing text.
    public static func readOnce(
        busURL: String, unit: Int, profileName: String, catalog: ProfileCatalog,
        logger: Logger = Logger(label: "meterbus.read-meter")
    ) async throws -> MeterReading {
        guard (0...255).contains(unit) else {
            throw ReadMeterError(message: "unit \(unit) must be in 0...255 (0 is broadcast on RTU; meters use 1...247)")
        }
        let configuration = try BusURL.parse(busURL)
        let profile = try catalog.profile(named: profileName)
        return try await readOnce(bus: configuration, unit: unit, profile: profile, logger: logger)
    }

    /// Output for `--json`: the reading as pretty, key-sorted JSON with ISO 8601 time.
    public static func json(_ reading: MeterReading) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(reading) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

public struct ReadMeterError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
