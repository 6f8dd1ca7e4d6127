import Foundation
import Logging
import OCPP

/// Building the uplink's pieces from the validated site.
public enum UplinkSetup {
    /// The configuration keys of this site: one charge point, one connector per compartment and charger.
    /// The local list holds up to 100,000 idTags (indexed in SQLite); one SendLocalList carries up to 5,000,
    /// which keeps the frame under the WebSocket's 1 MiB limit.
    public static func registry(for configuration: SiteConfiguration) -> ConfigurationRegistry {
        var capabilities = ChargePointCapabilities(
            numberOfConnectors: configuration.compartments.count + configuration.chargers.count,
            localAuthListMaxLength: 100_000, sendLocalListMaxLength: 5_000)
        capabilities.reserveConnectorZeroSupported = configuration.sessions.reserveConnectorZeroSupported
        // Profiles in watts are converted to amperes per phase at 230 V and the connector's phase count.
        capabilities.allowedChargingRateUnits = ["Current", "Power"]
        return .standard(capabilities)
    }

    /// The stored configuration values, cleaned of anything no longer valid. SecurityProfile
    /// starts at the site file's profile until the central system raises it.
    public static func loadKeys(
        registry: ConfigurationRegistry, store: SiteStore, central: CentralSystemConfiguration,
        siteDefaults: [String: String] = [:], logger: Logger
    ) -> ConfigurationKeyStore {
        var values = storedValues(store: store, siteDefaults: siteDefaults, logger: logger)
        if values[StandardConfigurationKey.securityProfile.rawValue] == nil {
            values[StandardConfigurationKey.securityProfile.rawValue] = String(central.securityProfile)
        }
        let (clean, dropped) = registry.sanitized(ConfigurationKeyStore(values: values))
        if !dropped.isEmpty {
            logger.warning("stored configuration keys no longer valid were ignored", metadata: ["keys": "\(dropped.joined(separator: ", "))"])
        }
        return clean
    }

    /// The configuration values in force before any central system speaks: the site file's `ocppDefaults`,
    /// overridden by what a central system set earlier (stored).
    public static func storedValues(store: SiteStore, siteDefaults: [String: String], logger: Logger) -> [String: String] {
        do {
            return siteDefaults.merging(try store.ocppConfigurationValues()) { _, stored in stored }
        } catch {
            logger.error("stored configuration keys unreadable; using the site file's and the standard defaults",
                         metadata: ["error": "\(error)"])
            return siteDefaults
        }
    }

    /// BootNotification with the station's vendor, model, serial number and firmware version
    /// (the build's version when the site file names none); empty optional fields are omitted.
    public static func bootNotification(for station: StationConfiguration, buildVersion: String) -> BootNotificationRequest {
        BootNotificationRequest(
            chargePointVendor: station.vendor, chargePointModel: station.model,
            chargePointSerialNumber: station.serialNumber.isEmpty ? nil : station.serialNumber,
            firmwareVersion: station.firmwareVersion.isEmpty ? "edge-agent \(buildVersion)" : station.firmwareVersion)
    }

    /// The Basic-auth password: the AuthorizationKey the central system set, else the password file.
    public static func initialPassword(keys: ConfigurationKeyStore, central: CentralSystemConfiguration, logger: Logger) -> String? {
        if let key = keys.values[StandardConfigurationKey.authorizationKey.rawValue], !key.isEmpty { return key }
        guard let path = central.passwordFile else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            logger.error("password file unreadable; connecting without a password", metadata: ["passwordFile": "\(path)"])
            return nil
        }
        let password = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return password.isEmpty ? nil : password
    }
}
