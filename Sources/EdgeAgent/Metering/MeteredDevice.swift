import Foundation
import MeterBus

/// One device the site reads: a compartment's meter, a charger's controller, the grid meter or the PV inverter.
public struct MeteredDevice: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        case compartment, charger, grid, pv
    }

    public var role: Role
    /// The compartment or charger name, or `grid` / `pv`.
    public var name: String
    /// The connector the device meters (compartments and chargers).
    public var connectorId: Int?
    public var bus: String
    public var unit: Int
    public var profile: String

    /// Every device the site file names, in a stable order (compartments, chargers, grid, PV).
    public static func all(in configuration: SiteConfiguration) -> [MeteredDevice] {
        var devices: [MeteredDevice] = []
        for compartment in configuration.compartments {
            guard let meter = compartment.meter else { continue }
            devices.append(.init(role: .compartment, name: compartment.name, connectorId: compartment.connectorId,
                                 bus: meter.bus, unit: meter.unit, profile: meter.profile))
        }
        for charger in configuration.chargers {
            devices.append(.init(role: .charger, name: charger.name, connectorId: charger.connectorId,
                                 bus: charger.control.bus, unit: charger.control.unit, profile: charger.control.profile))
        }
        if let grid = configuration.siteMeters.grid {
            devices.append(.init(role: .grid, name: "grid", bus: grid.bus, unit: grid.unit, profile: grid.profile))
        }
        if let pv = configuration.siteMeters.pv {
            devices.append(.init(role: .pv, name: "pv", bus: pv.bus, unit: pv.unit, profile: pv.profile))
        }
        return devices
    }
}

extension SiteBusConfiguration {
    /// The link MeterBus opens for this bus.
    public var meterBusConfiguration: BusConfiguration {
        let link: BusConfiguration.Link
        switch transport {
        case let .tcp(tcp):
            link = .tcp(host: tcp.host, port: tcp.port)
        case let .rtu(rtu):
            let parity: SerialSettings.Parity = switch rtu.parity {
            case .none: .none
            case .even: .even
            case .odd: .odd
            }
            link = .rtu(SerialSettings(device: rtu.device, baud: rtu.baud, parity: parity,
                                       dataBits: rtu.dataBits, stopBits: rtu.stopBits))
        }
        return BusConfiguration(link: link, responseTimeout: .milliseconds(responseTimeoutMilliseconds))
    }
}
