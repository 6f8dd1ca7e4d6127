import Foundation
import Logging
import MeterBus

/// The meters of a simulated site served by a real Modbus TCP server (MeterBus's `ModbusSimulator`) at their
/// unit ids with their own profiles, moved by `SiteSimulation`: compartment meters count energy while their
/// relay is on, PV follows a day curve, the grid meter sees the loads plus a base load minus PV.
/// Values set through the API (or `--set`) stay pinned over the dynamics until cleared.
public actor SimulatedMeterSite {
    /// One simulated device: where it sits and what it draws while switched on.
    public struct Device: Sendable, Hashable {
        public var metered: MeteredDevice
        public var profile: DeviceProfile
        /// The load behind a compartment or charger meter while its relay is on.
        public var loadWatts: Double
    }

    /// What `GET /v1/simulation/meters` shows of one device.
    public struct DeviceState: Sendable, Codable, Equatable {
        public var name: String
        public var role: MeteredDevice.Role
        public var unit: Int
        public var profile: String
        public var fault: String?
        /// Values set by hand that the dynamics do not overwrite.
        public var pinned: [String: Double]
        public var relayOn: Bool?
    }

    public nonisolated let simulator: ModbusSimulator
    public nonisolated let devices: [Device]
    /// Always-on consumption of the building behind the grid meter.
    public private(set) var baseLoadWatts: Double
    var dynamics: SiteSimulation
    /// The cars at the simulated chargers, by unit (Chargers/SimulatedCharger.swift).
    var cars: [Int: SimulatedCar] = [:]
    private var pinned: [Int: [String: Double]] = [:]
    private var faults: [Int: String] = [:]
    private let logger: Logger
    /// SiteSimulation keys consumers by unit; the base load is a consumer no meter measures.
    private static let baseLoadKey = -1

    public init(devices: [Device], host: String, port: Int, start: Date, pvPeakWatts: Double = 4000,
                baseLoadWatts: Double = 300, logger: Logger) throws(SimulatorError) {
        simulator = ModbusSimulator(host: host, port: port, logger: logger)
        self.devices = devices
        self.baseLoadWatts = baseLoadWatts
        self.logger = logger
        var dynamics = SiteSimulation(
            start: start, gridUnit: devices.first { $0.metered.role == .grid }?.metered.unit,
            pvUnit: devices.first { $0.metered.role == .pv }?.metered.unit, pvPeakWatts: pvPeakWatts)
        dynamics.setLoad(unit: Self.baseLoadKey, watts: baseLoadWatts)
        for device in devices {
            try simulator.addDevice(unit: device.metered.unit, profile: device.profile)
            // Mains frequency is not part of the dynamics; it stays at its nominal value unless pinned.
            try? simulator.set(unit: device.metered.unit, .frequency, to: 50)
            switch device.metered.role {
            case .compartment, .charger:
                dynamics.setLoad(unit: device.metered.unit, watts: device.loadWatts)
                dynamics.setRelay(unit: device.metered.unit, on: device.metered.role == .charger)
            case .grid, .pv:
                break
            }
        }
        self.dynamics = dynamics
    }

    /// The simulated devices on one bus of a site: every compartment meter, charger, grid and PV meter there.
    /// A compartment draws its `maxPowerWatts` while its relay is on; chargers draw nothing (no car plugged in).
    public static func devices(of configuration: SiteConfiguration, bus: String, catalog: ProfileCatalog) -> [Device] {
        MeteredDevice.all(in: configuration).filter { $0.bus == bus }.compactMap { metered in
            guard let profile = catalog.profiles[metered.profile] else { return nil }
            let load = configuration.compartments.first { $0.name == metered.name && metered.role == .compartment }?
                .maxPowerWatts ?? 0
            return Device(metered: metered, profile: profile, loadWatts: load)
        }
    }

    /// The bus the daemon serves on a simulated board: the board's first Modbus TCP bus (as the site may have
    /// overridden it, e.g. with another port).
    public static func simulatedBus(of configuration: SiteConfiguration) -> (name: String, host: String, port: Int)? {
        guard configuration.isSimulated else { return nil }
        for boardBus in configuration.board.buses {
            if case let .tcp(tcp)? = configuration.bus(named: boardBus.name)?.transport {
                return (boardBus.name, tcp.host, tcp.port)
            }
        }
        return nil
    }

    /// Binds the Modbus TCP server; returns the port.
    @discardableResult
    public func start(at time: Date) throws(SimulatorError) -> Int {
        let port = try simulator.start()
        step(at: time, relays: [:])
        return port
    }

    public func stop() { simulator.stop() }

    /// Advances the site to `time` with each compartment relay as given (compartment name -> on; absent = off),
    /// then writes every meter's values into the server.
    public func step(at time: Date, relays: [String: Bool]) {
        for device in devices where device.metered.role == .compartment {
            dynamics.setRelay(unit: device.metered.unit, on: relays[device.metered.name] ?? false)
        }
        dynamics.advance(to: time)
        driveChargers()
        for device in devices {
            let unit = device.metered.unit
            try? simulator.apply(dynamics.measurements(for: unit), unit: unit)
            showChargerState(unit: unit)
            for (name, value) in pinned[unit] ?? [:] { try? simulator.set(unit: unit, name, to: value) }
        }
    }

    /// Pins values of the device at `unit` (by profile value name or OCPP measurand name); nil unpins.
    public func set(unit: Int, values: [String: Double?]) throws(SimulatorError) {
        guard let device = devices.first(where: { $0.metered.unit == unit }) else { throw .unknownUnit(unit) }
        var resolved: [(String, Double?)] = []
        for (key, value) in values {
            guard let name = Self.valueName(key, in: device.profile) else { throw .unknownValue(key, unit: unit) }
            resolved.append((name, value))
        }
        for (name, value) in resolved {
            if let value {
                pinned[unit, default: [:]][name] = value
                try simulator.set(unit: unit, name, to: value)
            } else {
                pinned[unit]?[name] = nil
            }
        }
        step(at: dynamics.time, relays: currentRelays())
    }

    /// Makes the device at `unit` silent, answer with an exception, or send garbage; nil clears it.
    public func setFault(unit: Int, fault name: String?) throws(SimulatorError) {
        let fault: SimulatorFault?
        switch name {
        case nil: fault = nil
        case "silent": fault = .silent
        case "exception": fault = .exception(.serverDeviceFailure)
        case "garbage": fault = .garbage
        default: throw .unknownValue("fault \(name ?? "")", unit: unit)
        }
        try simulator.setFault(fault, unit: unit)
        faults[unit] = name
        logger.notice("simulated meter fault", metadata: ["unit": "\(unit)", "fault": "\(name ?? "none")"])
    }

    public static let faultNames = ["silent", "exception", "garbage"]

    /// The building behind the grid meter, as `GET/POST /v1/simulation/site` shows and sets it.
    public struct BuildingState: Sendable, Codable, Equatable {
        public var buildingLoadWatts: Double
        public var pvPeakWatts: Double
        /// PV production now.
        public var pvWatts: Double
    }

    /// Sets the building's always-on load and the PV peak (nil keeps a value), e.g. to leave room for only some
    /// compartments, and writes the meters at once.
    public func setBuilding(loadWatts: Double?, pvPeakWatts: Double?) -> BuildingState {
        if let pvPeakWatts { dynamics.pvPeakWatts = max(0, pvPeakWatts) }
        if let loadWatts { baseLoadWatts = max(0, loadWatts) }
        dynamics.setLoad(unit: Self.baseLoadKey, watts: baseLoadWatts)
        step(at: dynamics.time, relays: currentRelays())
        return building()
    }

    public func building() -> BuildingState {
        BuildingState(buildingLoadWatts: baseLoadWatts, pvPeakWatts: dynamics.pvPeakWatts, pvWatts: dynamics.pv.loadWatts)
    }

    public func states() -> [DeviceState] {
        devices.map { device in
            let unit = device.metered.unit
            return DeviceState(
                name: device.metered.name, role: device.metered.role, unit: unit, profile: device.profile.name,
                fault: faults[unit], pinned: pinned[unit] ?? [:],
                relayOn: device.metered.role == .compartment ? dynamics.consumers[unit]?.relayOn : nil)
        }
    }

    private func currentRelays() -> [String: Bool] {
        var relays: [String: Bool] = [:]
        for device in devices where device.metered.role == .compartment {
            relays[device.metered.name] = dynamics.consumers[device.metered.unit]?.relayOn ?? false
        }
        return relays
    }

    /// A profile value name, or the value feeding an OCPP measurand (`Power.Active.Import`, `Voltage.L1-N`).
    static func valueName(_ key: String, in profile: DeviceProfile) -> String? {
        if profile.value(named: key) != nil { return key }
        return profile.values.first { value in
            guard let measurand = value.measurand else { return false }
            let full = measurand.rawValue + (value.phase.map { ".\($0.rawValue)" } ?? "")
            return full == key
        }?.name
    }
}
