import Foundation
import MeterBus

/// A car at a simulated charger, as an integrator sets it through `POST /v1/simulation/chargers/{connectorId}`.
/// Pure: given what the charge controller was told (enable switch, current setpoint), it says which IEC 61851
/// state the controller reports and how much current the car draws.
public struct SimulatedCar: Sendable, Equatable, Codable {
    public var plugged = false
    /// The car wants to charge (state C once the charger is enabled); false: it stays in B (full, or waiting).
    public var drawing = true
    /// The car's own limit per phase (A); nil: it takes whatever the setpoint offers.
    public var maxCurrentAmps: Double?
    public var phases = 3

    public init(plugged: Bool = false, drawing: Bool = true, maxCurrentAmps: Double? = nil, phases: Int = 3) {
        self.plugged = plugged
        self.drawing = drawing
        self.maxCurrentAmps = maxCurrentAmps
        self.phases = phases
    }

    public func pilot(enabled: Bool) -> ChargerPilotState {
        guard plugged else { return .a }
        return enabled && drawing ? .c : .b
    }

    /// Current per phase the car draws (A).
    public func amps(enabled: Bool, setpointAmps: Double) -> Double {
        guard pilot(enabled: enabled) == .c else { return 0 }
        return max(0, min(setpointAmps, maxCurrentAmps ?? setpointAmps))
    }
}

/// What `GET /v1/simulation/chargers` shows of one simulated charger.
public struct SimulatedChargerState: Sendable, Codable, Equatable {
    public var connectorId: Int
    public var name: String
    public var unit: Int
    public var car: SimulatedCar
    /// What the charge controller holds (as the daemon wrote it) and reports.
    public var enabled: Bool
    public var setpointAmps: Double
    public var pilotState: String
    public var currentAmps: Double
    public var energyWh: Double
}

extension SimulatedMeterSite {
    /// Moves every simulated charger's car: its load follows the charger's enable switch and setpoint.
    func driveChargers() {
        for device in devices where device.metered.role == .charger {
            let unit = device.metered.unit
            let (car, enabled, setpoint) = chargerInputs(unit: unit)
            let amps = car.amps(enabled: enabled, setpointAmps: setpoint)
            dynamics.setLoad(unit: unit, watts: amps * Double(car.phases) * dynamics.nominalVoltage)
        }
    }

    /// The charge controller's state register and per-phase currents (after the site dynamics wrote its meter).
    func showChargerState(unit: Int) {
        guard devices.contains(where: { $0.metered.unit == unit && $0.metered.role == .charger }) else { return }
        let (car, enabled, setpoint) = chargerInputs(unit: unit)
        try? simulator.set(unit: unit, "charging-state", to: car.pilot(enabled: enabled).register)
        let amps = car.amps(enabled: enabled, setpointAmps: setpoint)
        for (phase, name) in ["current-l1", "current-l2", "current-l3"].enumerated() {
            try? simulator.set(unit: unit, name, to: phase < car.phases ? amps : 0)
        }
    }

    private func chargerInputs(unit: Int) -> (SimulatedCar, enabled: Bool, setpoint: Double) {
        let car = cars[unit] ?? SimulatedCar()
        let enabled = ((try? simulator.value(unit: unit, "charging-enabled")) ?? nil).map { $0 != 0 } ?? false
        let setpoint = ((try? simulator.value(unit: unit, "current-setpoint")) ?? nil) ?? 0
        return (car, enabled, setpoint)
    }

    /// Plugs a car in or out at the charger with this connector id, and sets whether it draws.
    public func setCar(
        connectorId: Int, plugged: Bool?, drawing: Bool?, maxCurrentAmps: Double??, phases: Int
    ) throws(SimulatorError) -> SimulatedChargerState {
        guard let device = devices.first(where: { $0.metered.role == .charger && $0.metered.connectorId == connectorId }) else {
            throw .unknownUnit(connectorId)
        }
        let unit = device.metered.unit
        var car = cars[unit] ?? SimulatedCar()
        car.phases = phases
        if let plugged { car.plugged = plugged }
        if let drawing { car.drawing = drawing }
        if let maxCurrentAmps { car.maxCurrentAmps = maxCurrentAmps }
        cars[unit] = car
        step(at: max(Date(), dynamics.time), relays: currentCompartmentRelays())
        return chargerStates().first { $0.unit == unit }!
    }

    private func currentCompartmentRelays() -> [String: Bool] {
        var relays: [String: Bool] = [:]
        for device in devices where device.metered.role == .compartment {
            relays[device.metered.name] = dynamics.consumers[device.metered.unit]?.relayOn ?? false
        }
        return relays
    }

    public func chargerStates() -> [SimulatedChargerState] {
        devices.filter { $0.metered.role == .charger }.map { device in
            let unit = device.metered.unit
            let (car, enabled, setpoint) = chargerInputs(unit: unit)
            return SimulatedChargerState(
                connectorId: device.metered.connectorId ?? 0, name: device.metered.name, unit: unit, car: car,
                enabled: enabled, setpointAmps: setpoint, pilotState: car.pilot(enabled: enabled).rawValue,
                currentAmps: car.amps(enabled: enabled, setpointAmps: setpoint),
                energyWh: dynamics.consumers[unit]?.importedWh ?? 0)
        }
    }
}
