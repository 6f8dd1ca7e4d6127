import Foundation

/// What this charge point accepts in charging profiles: the Smart Charging configuration keys
/// (ChargeProfileMaxStackLevel, ChargingScheduleAllowedChargingRateUnit, ChargingScheduleMaxPeriods,
/// MaxChargingProfilesInstalled) and whether the SmartCharging feature profile is supported at all.
public struct SmartChargingCapabilities: Sendable, Equatable {
    public var supported: Bool
    public var maxStackLevel: Int
    public var allowedUnits: Set<ChargingRateUnitType>
    public var maxPeriods: Int
    public var maxProfilesInstalled: Int

    public init(
        supported: Bool = true, maxStackLevel: Int = 10, allowedUnits: Set<ChargingRateUnitType> = [.amperes],
        maxPeriods: Int = 24, maxProfilesInstalled: Int = 20
    ) {
        self.supported = supported
        self.maxStackLevel = maxStackLevel
        self.allowedUnits = allowedUnits
        self.maxPeriods = maxPeriods
        self.maxProfilesInstalled = maxProfilesInstalled
    }

    /// The capabilities as the configuration keys in force say (unreadable keys keep the defaults above).
    public init(registry: ConfigurationRegistry, keys: ConfigurationKeyStore) {
        let defaults = SmartChargingCapabilities()
        func items(_ key: StandardConfigurationKey) -> [String] {
            (registry.value(key, in: keys) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let profiles = items(.supportedFeatureProfiles)
        let units = items(.chargingScheduleAllowedChargingRateUnit)
        self.init(
            supported: profiles.contains(FeatureProfile.smartCharging.rawValue),
            maxStackLevel: registry.integer(.chargeProfileMaxStackLevel, in: keys) ?? defaults.maxStackLevel,
            allowedUnits: Set(units.compactMap { item -> ChargingRateUnitType? in
                switch item.lowercased() {
                case "current": .amperes
                case "power": .watts
                default: nil
                }
            }),
            maxPeriods: registry.integer(.chargingScheduleMaxPeriods, in: keys) ?? defaults.maxPeriods,
            maxProfilesInstalled: registry.integer(.maxChargingProfilesInstalled, in: keys) ?? defaults.maxProfilesInstalled)
    }
}

/// The electrical side of one connector, to convert between amperes and watts
/// (W = A x voltage x phases, amperes per phase).
public struct ConnectorElectrics: Sendable, Equatable, Codable {
    /// Phase-to-neutral voltage.
    public var voltage: Double
    /// Phases the connector draws on when a schedule period does not say (numberPhases).
    public var phases: Int
    /// What the connector (or, for connector 0, the whole charge point) can draw without any profile,
    /// in amperes per phase: the limit a composite schedule shows where no profile applies.
    public var maxCurrent: Double

    public init(voltage: Double = 230, phases: Int = 3, maxCurrent: Double) {
        self.voltage = voltage
        self.phases = phases
        self.maxCurrent = maxCurrent
    }

    /// `limit` in `from` converted to `to`, for a period drawing on `phases` phases.
    public func convert(_ limit: Double, from: ChargingRateUnitType, to: ChargingRateUnitType, phases: Int? = nil) -> Double {
        guard from != to else { return limit }
        let wattsPerAmp = voltage * Double(max(1, phases ?? self.phases))
        return from == .amperes ? limit * wattsPerAmp : limit / wattsPerAmp
    }
}
