/// The standard OCPP 1.6 configuration keys (chapter 9), plus the two keys of the OCPP 1.6
/// security extension this charge point uses (AuthorizationKey, SecurityProfile).
public enum StandardConfigurationKey: String, Sendable, CaseIterable {
    // Core
    case allowOfflineTxForUnknownId = "AllowOfflineTxForUnknownId"
    case authorizationCacheEnabled = "AuthorizationCacheEnabled"
    case authorizeRemoteTxRequests = "AuthorizeRemoteTxRequests"
    case blinkRepeat = "BlinkRepeat"
    case clockAlignedDataInterval = "ClockAlignedDataInterval"
    case connectionTimeOut = "ConnectionTimeOut"
    case connectorPhaseRotation = "ConnectorPhaseRotation"
    case connectorPhaseRotationMaxLength = "ConnectorPhaseRotationMaxLength"
    case getConfigurationMaxKeys = "GetConfigurationMaxKeys"
    case heartbeatInterval = "HeartbeatInterval"
    case lightIntensity = "LightIntensity"
    case localAuthorizeOffline = "LocalAuthorizeOffline"
    case localPreAuthorize = "LocalPreAuthorize"
    case maxEnergyOnInvalidId = "MaxEnergyOnInvalidId"
    case meterValuesAlignedData = "MeterValuesAlignedData"
    case meterValuesAlignedDataMaxLength = "MeterValuesAlignedDataMaxLength"
    case meterValuesSampledData = "MeterValuesSampledData"
    case meterValuesSampledDataMaxLength = "MeterValuesSampledDataMaxLength"
    case meterValueSampleInterval = "MeterValueSampleInterval"
    case minimumStatusDuration = "MinimumStatusDuration"
    case numberOfConnectors = "NumberOfConnectors"
    case resetRetries = "ResetRetries"
    case stopTransactionOnEVSideDisconnect = "StopTransactionOnEVSideDisconnect"
    case stopTransactionOnInvalidId = "StopTransactionOnInvalidId"
    case stopTxnAlignedData = "StopTxnAlignedData"
    case stopTxnAlignedDataMaxLength = "StopTxnAlignedDataMaxLength"
    case stopTxnSampledData = "StopTxnSampledData"
    case stopTxnSampledDataMaxLength = "StopTxnSampledDataMaxLength"
    case supportedFeatureProfiles = "SupportedFeatureProfiles"
    case supportedFeatureProfilesMaxLength = "SupportedFeatureProfilesMaxLength"
    case transactionMessageAttempts = "TransactionMessageAttempts"
    case transactionMessageRetryInterval = "TransactionMessageRetryInterval"
    case unlockConnectorOnEVSideDisconnect = "UnlockConnectorOnEVSideDisconnect"
    case webSocketPingInterval = "WebSocketPingInterval"
    // Local Auth List Management
    case localAuthListEnabled = "LocalAuthListEnabled"
    case localAuthListMaxLength = "LocalAuthListMaxLength"
    case sendLocalListMaxLength = "SendLocalListMaxLength"
    // Reservation
    case reserveConnectorZeroSupported = "ReserveConnectorZeroSupported"
    // Smart Charging
    case chargeProfileMaxStackLevel = "ChargeProfileMaxStackLevel"
    case chargingScheduleAllowedChargingRateUnit = "ChargingScheduleAllowedChargingRateUnit"
    case chargingScheduleMaxPeriods = "ChargingScheduleMaxPeriods"
    case connectorSwitch3to1PhaseSupported = "ConnectorSwitch3to1PhaseSupported"
    case maxChargingProfilesInstalled = "MaxChargingProfilesInstalled"
    // Firmware Management
    case supportedFileTransferProtocols = "SupportedFileTransferProtocols"
    // Security extension
    case authorizationKey = "AuthorizationKey"
    case securityProfile = "SecurityProfile"

    /// True for keys whose value must never be returned or logged (case-insensitive, as keys are CiStrings).
    public static func isWriteOnly(_ name: String) -> Bool {
        name.caseInsensitiveCompare(authorizationKey.rawValue) == .orderedSame
    }
}

public enum FeatureProfile: String, Sendable, CaseIterable {
    case core = "Core"
    case firmwareManagement = "FirmwareManagement"
    case localAuthListManagement = "LocalAuthListManagement"
    case reservation = "Reservation"
    case smartCharging = "SmartCharging"
    case remoteTrigger = "RemoteTrigger"
    /// Not a 1.6 feature profile name; groups the security extension's keys.
    case security = "Security"

    /// The feature profiles OCPP 1.6 defines (what SupportedFeatureProfiles may list).
    public static let ocpp16Profiles: [FeatureProfile] = allCases.filter { $0 != .security }
}

/// What a configuration value must look like.
public enum ConfigurationValueType: Sendable, Equatable {
    /// "true" or "false" (any case on input, lowercase when stored).
    case boolean
    case integer(ClosedRange<Int>)
    /// Comma-separated measurands; at most as many as the named companion key allows.
    case measurandList(maxItemsKey: StandardConfigurationKey?)
    /// Comma-separated items from a fixed set.
    case list(allowed: [String])
    /// "connectorId.rotation" items, e.g. "0.RST,1.RTS" (rotation: NotApplicable, Unknown,
    /// RST, RTS, SRT, STR, TRS, TSR).
    case phaseRotationList
    case string(length: ClosedRange<Int>)

    public var name: String {
        switch self {
        case .boolean: "boolean"
        case .integer(let range): "integer \(range.lowerBound)...\(range.upperBound)"
        case .measurandList: "CSL of measurands"
        case .list(let allowed): "CSL of \(allowed.joined(separator: "/"))"
        case .phaseRotationList: "CSL of connector.rotation"
        case .string(let length): "string (\(length.lowerBound)-\(length.upperBound) chars)"
        }
    }
}

public enum ConfigurationAccess: String, Sendable {
    case readOnly = "R", readWrite = "RW", writeOnly = "W"
}

/// When a changed value is applied. `afterReboot` makes ChangeConfiguration answer RebootRequired.
public enum ConfigurationTakesEffect: String, Sendable {
    case immediately = "immediately"
    case nextTransaction = "next transaction"
    case afterReconnect = "next connection to the central system"
    case afterReboot = "after reboot"
}

public struct ConfigurationKeyDefinition: Sendable, Equatable {
    public var key: StandardConfigurationKey
    public var profile: FeatureProfile
    public var type: ConfigurationValueType
    public var access: ConfigurationAccess
    /// The value until the central system changes it. Empty for AuthorizationKey (not set).
    public var defaultValue: String
    public var takesEffect: ConfigurationTakesEffect

    public init(
        _ key: StandardConfigurationKey, _ profile: FeatureProfile, _ type: ConfigurationValueType,
        _ access: ConfigurationAccess, default defaultValue: String, takesEffect: ConfigurationTakesEffect = .immediately
    ) {
        self.key = key
        self.profile = profile
        self.type = type
        self.access = access
        self.defaultValue = defaultValue
        self.takesEffect = takesEffect
    }
}

/// What this charge point is, for the read-only keys that describe it.
public struct ChargePointCapabilities: Sendable, Equatable {
    public var numberOfConnectors: Int
    public var supportedFeatureProfiles: [FeatureProfile]
    public var localAuthListMaxLength: Int
    public var sendLocalListMaxLength: Int
    public var chargeProfileMaxStackLevel: Int
    public var chargingScheduleMaxPeriods: Int
    public var maxChargingProfilesInstalled: Int
    /// "Current", "Power" or both.
    public var allowedChargingRateUnits: [String]
    public var supportedFileTransferProtocols: [String]
    /// ReserveNow for connector 0 (any connector) is accepted.
    public var reserveConnectorZeroSupported = false

    public init(
        numberOfConnectors: Int,
        supportedFeatureProfiles: [FeatureProfile] = FeatureProfile.ocpp16Profiles,
        localAuthListMaxLength: Int = 10_000, sendLocalListMaxLength: Int = 1_000,
        chargeProfileMaxStackLevel: Int = 10, chargingScheduleMaxPeriods: Int = 24,
        maxChargingProfilesInstalled: Int = 20, allowedChargingRateUnits: [String] = ["Current"],
        supportedFileTransferProtocols: [String] = ["HTTPS", "HTTP", "FTP"]
    ) {
        self.numberOfConnectors = numberOfConnectors
        self.supportedFeatureProfiles = supportedFeatureProfiles
        self.localAuthListMaxLength = localAuthListMaxLength
        self.sendLocalListMaxLength = sendLocalListMaxLength
        self.chargeProfileMaxStackLevel = chargeProfileMaxStackLevel
        self.chargingScheduleMaxPeriods = chargingScheduleMaxPeriods
        self.maxChargingProfilesInstalled = maxChargingProfilesInstalled
        self.allowedChargingRateUnits = allowedChargingRateUnits
        self.supportedFileTransferProtocols = supportedFileTransferProtocols
    }
}

extension ConfigurationKeyDefinition {
    /// The full standard key set with this product's defaults.
    public static func standardSet(for capabilities: ChargePointCapabilities) -> [ConfigurationKeyDefinition] {
        let maxCSL = 10
        let seconds = 0...86_400
        let connectors = capabilities.numberOfConnectors
        return [
            // Core
            .init(.allowOfflineTxForUnknownId, .core, .boolean, .readWrite, default: "false"),
            .init(.authorizationCacheEnabled, .core, .boolean, .readWrite, default: "true"),
            .init(.authorizeRemoteTxRequests, .core, .boolean, .readWrite, default: "false"),
            .init(.blinkRepeat, .core, .integer(0...100), .readWrite, default: "3"),
            .init(.clockAlignedDataInterval, .core, .integer(seconds), .readWrite, default: "900"),
            .init(.connectionTimeOut, .core, .integer(1...3_600), .readWrite, default: "90"),
            // Phase wiring feeds the load balancer's site model, which is built at start-up.
            .init(.connectorPhaseRotation, .core, .phaseRotationList, .readWrite, default: "0.Unknown", takesEffect: .afterReboot),
            .init(.connectorPhaseRotationMaxLength, .core, .integer(0...1_000), .readOnly, default: String(connectors + 1)),
            .init(.getConfigurationMaxKeys, .core, .integer(1...1_000), .readOnly, default: "100"),
            .init(.heartbeatInterval, .core, .integer(seconds), .readWrite, default: "300"),
            .init(.lightIntensity, .core, .integer(0...100), .readWrite, default: "100"),
            .init(.localAuthorizeOffline, .core, .boolean, .readWrite, default: "true"),
            .init(.localPreAuthorize, .core, .boolean, .readWrite, default: "false"),
            .init(.maxEnergyOnInvalidId, .core, .integer(0...1_000_000_000), .readWrite, default: "0"),
            .init(.meterValuesAlignedData, .core, .measurandList(maxItemsKey: .meterValuesAlignedDataMaxLength), .readWrite,
                  default: "Energy.Active.Import.Register"),
            .init(.meterValuesAlignedDataMaxLength, .core, .integer(0...100), .readOnly, default: String(maxCSL)),
            .init(.meterValuesSampledData, .core, .measurandList(maxItemsKey: .meterValuesSampledDataMaxLength), .readWrite,
                  default: "Energy.Active.Import.Register,Power.Active.Import"),
            .init(.meterValuesSampledDataMaxLength, .core, .integer(0...100), .readOnly, default: String(maxCSL)),
            .init(.meterValueSampleInterval, .core, .integer(seconds), .readWrite, default: "60"),
            .init(.minimumStatusDuration, .core, .integer(0...3_600), .readWrite, default: "0"),
            .init(.numberOfConnectors, .core, .integer(0...1_000), .readOnly, default: String(connectors)),
            .init(.resetRetries, .core, .integer(0...100), .readWrite, default: "3"),
            .init(.stopTransactionOnEVSideDisconnect, .core, .boolean, .readWrite, default: "true"),
            .init(.stopTransactionOnInvalidId, .core, .boolean, .readWrite, default: "true"),
            .init(.stopTxnAlignedData, .core, .measurandList(maxItemsKey: .stopTxnAlignedDataMaxLength), .readWrite,
                  default: "", takesEffect: .nextTransaction),
            .init(.stopTxnAlignedDataMaxLength, .core, .integer(0...100), .readOnly, default: String(maxCSL)),
            .init(.stopTxnSampledData, .core, .measurandList(maxItemsKey: .stopTxnSampledDataMaxLength), .readWrite,
                  default: "", takesEffect: .nextTransaction),
            .init(.stopTxnSampledDataMaxLength, .core, .integer(0...100), .readOnly, default: String(maxCSL)),
            .init(.supportedFeatureProfiles, .core, .list(allowed: FeatureProfile.ocpp16Profiles.map(\.rawValue)), .readOnly,
                  default: capabilities.supportedFeatureProfiles.map(\.rawValue).joined(separator: ",")),
            .init(.supportedFeatureProfilesMaxLength, .core, .integer(0...100), .readOnly,
                  default: String(FeatureProfile.ocpp16Profiles.count)),
            .init(.transactionMessageAttempts, .core, .integer(0...100), .readWrite, default: "3"),
            .init(.transactionMessageRetryInterval, .core, .integer(1...86_400), .readWrite, default: "60"),
            .init(.unlockConnectorOnEVSideDisconnect, .core, .boolean, .readWrite, default: "true"),
            .init(.webSocketPingInterval, .core, .integer(seconds), .readWrite, default: "60", takesEffect: .afterReconnect),
            // Local Auth List Management
            .init(.localAuthListEnabled, .localAuthListManagement, .boolean, .readWrite, default: "true"),
            .init(.localAuthListMaxLength, .localAuthListManagement, .integer(0...1_000_000), .readOnly,
                  default: String(capabilities.localAuthListMaxLength)),
            .init(.sendLocalListMaxLength, .localAuthListManagement, .integer(0...1_000_000), .readOnly,
                  default: String(capabilities.sendLocalListMaxLength)),
            // Reservation
            .init(.reserveConnectorZeroSupported, .reservation, .boolean, .readOnly,
                  default: capabilities.reserveConnectorZeroSupported ? "true" : "false"),
            // Smart Charging
            .init(.chargeProfileMaxStackLevel, .smartCharging, .integer(0...1_000), .readOnly,
                  default: String(capabilities.chargeProfileMaxStackLevel)),
            .init(.chargingScheduleAllowedChargingRateUnit, .smartCharging, .list(allowed: ["Current", "Power"]), .readOnly,
                  default: capabilities.allowedChargingRateUnits.joined(separator: ",")),
            .init(.chargingScheduleMaxPeriods, .smartCharging, .integer(0...1_000), .readOnly,
                  default: String(capabilities.chargingScheduleMaxPeriods)),
            .init(.connectorSwitch3to1PhaseSupported, .smartCharging, .boolean, .readOnly, default: "false"),
            .init(.maxChargingProfilesInstalled, .smartCharging, .integer(0...1_000), .readOnly,
                  default: String(capabilities.maxChargingProfilesInstalled)),
            // Firmware Management
            .init(.supportedFileTransferProtocols, .firmwareManagement, .list(allowed: ["FTP", "FTPS", "HTTP", "HTTPS", "SFTP"]),
                  .readOnly, default: capabilities.supportedFileTransferProtocols.joined(separator: ",")),
            // Security extension: the HTTP Basic password for security profiles 1 and 2.
            .init(.authorizationKey, .security, .string(length: 16...40), .writeOnly, default: "", takesEffect: .afterReconnect),
            .init(.securityProfile, .security, .integer(0...3), .readWrite, default: "0", takesEffect: .afterReconnect),
        ]
    }
}
