import Foundation
import Logging
import OCPP

/// Building smart charging from the validated site and wiring it to the uplink and the site controller.
public enum SmartChargingSetup {
    /// Phase-to-neutral voltage used to convert between amperes and watts.
    public static let nominalVoltage = 230.0

    /// Every connector's electrics: connector 0 is the grid connection (three phases, its per-phase limit),
    /// a compartment socket draws on one phase up to its maximum power, a charger on its phases up to its maximum.
    public static func electrics(for configuration: SiteConfiguration) -> [Int: ConnectorElectrics] {
        var electrics: [Int: ConnectorElectrics] = [
            0: ConnectorElectrics(voltage: nominalVoltage, phases: 3, maxCurrent: configuration.balancing.gridLimitAmpsPerPhase),
        ]
        for compartment in configuration.compartments {
            electrics[compartment.connectorId] = ConnectorElectrics(
                voltage: nominalVoltage, phases: 1, maxCurrent: compartment.maxPowerWatts / nominalVoltage)
        }
        for charger in configuration.chargers {
            electrics[charger.connectorId] = ConnectorElectrics(
                voltage: nominalVoltage, phases: max(1, charger.phases), maxCurrent: charger.maxCurrentAmps)
        }
        return electrics
    }

    /// Smart charging for a site with a central system: loads the stored profiles, answers the uplink's profile
    /// calls, follows its transactions, and hands the limits in force to the site controller's load balancing.
    public static func start(
        configuration: SiteConfiguration, store: SiteStore, site: SiteController, uplink: OCPPUplink, logger: Logger
    ) async -> SmartCharging {
        let capabilities = await uplink.smartChargingCapabilities()
        let smartCharging = SmartCharging(
            store: store, capabilities: capabilities, electrics: electrics(for: configuration),
            logger: logger.with(label: "edge-agent.smart-charging"), clock: { await uplink.now() })
        await uplink.attach(smartCharging: smartCharging)
        await smartCharging.start(receiver: site)
        return smartCharging
    }
}

extension OCPPUplink {
    /// What the Smart Charging configuration keys in force allow.
    func smartChargingCapabilities() -> SmartChargingCapabilities {
        SmartChargingCapabilities(registry: registry, keys: keys)
    }

    public func attach(smartCharging: SmartCharging) {
        self.smartCharging = smartCharging
    }

    func smartChargingService() -> SmartCharging? { smartCharging }

    func setChargingProfile(_ request: SetChargingProfileRequest) async -> SetChargingProfileConfirmation {
        guard let smartCharging else { return SetChargingProfileConfirmation(status: .notSupported) }
        return await smartCharging.setChargingProfile(request)
    }

    func clearChargingProfile(_ request: ClearChargingProfileRequest) async -> ClearChargingProfileConfirmation {
        guard let smartCharging else { return ClearChargingProfileConfirmation(status: .unknown) }
        return await smartCharging.clearChargingProfile(request)
    }

    func compositeSchedule(_ request: GetCompositeScheduleRequest) async -> GetCompositeScheduleConfirmation {
        guard let smartCharging else { return GetCompositeScheduleConfirmation(status: .rejected) }
        return await smartCharging.compositeSchedule(request)
    }
}
