import Foundation

// Core profile, initiated by the central system.

public struct ChangeAvailabilityRequest: OCPPRequest {
    public typealias Confirmation = ChangeAvailabilityConfirmation
    public static let action = OCPPAction.changeAvailability
    /// 0 means the whole charge point.
    public var connectorId: Int
    public var type: AvailabilityType

    public init(connectorId: Int, type: AvailabilityType) {
        self.connectorId = connectorId
        self.type = type
    }

    public static let schema: PayloadSchema = .object([
        .required("connectorId", .integer),
        .required("type", .enumeration(AvailabilityType.self)),
    ])
}

public struct ChangeAvailabilityConfirmation: OCPPPayload {
    public var status: AvailabilityStatus
    public init(status: AvailabilityStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(AvailabilityStatus.self))])
}

public struct ChangeConfigurationRequest: OCPPRequest, CustomStringConvertible {
    public typealias Confirmation = ChangeConfigurationConfirmation
    public static let action = OCPPAction.changeConfiguration
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Redacts the value of write-only keys (AuthorizationKey) so logging the request is safe.
    public var description: String {
        let shown = StandardConfigurationKey.isWriteOnly(key) ? "<redacted>" : value
        return "ChangeConfiguration(key: \(key), value: \(shown))"
    }

    public static let schema: PayloadSchema = .object([
        .required("key", .ciString(50)),
        .required("value", .ciString(500)),
    ])
}

public struct ChangeConfigurationConfirmation: OCPPPayload {
    public var status: ConfigurationStatus
    public init(status: ConfigurationStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(ConfigurationStatus.self))])
}

public struct ClearCacheRequest: OCPPRequest {
    public typealias Confirmation = ClearCacheConfirmation
    public static let action = OCPPAction.clearCache
    public init() {}
    public static let schema: PayloadSchema = .object([])
}

public struct ClearCacheConfirmation: OCPPPayload {
    public var status: ClearCacheStatus
    public init(status: ClearCacheStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(ClearCacheStatus.self))])
}

public struct GetConfigurationRequest: OCPPRequest {
    public typealias Confirmation = GetConfigurationConfirmation
    public static let action = OCPPAction.getConfiguration
    /// nil or empty: all keys.
    public var key: [String]?
    public init(key: [String]? = nil) { self.key = key }
    public static let schema: PayloadSchema = .object([.optional("key", .array(.ciString(50)))])
}

public struct GetConfigurationConfirmation: OCPPPayload {
    public var configurationKey: [KeyValue]?
    public var unknownKey: [String]?

    public init(configurationKey: [KeyValue]? = nil, unknownKey: [String]? = nil) {
        self.configurationKey = configurationKey
        self.unknownKey = unknownKey
    }

    public static let schema: PayloadSchema = .object([
        .optional("configurationKey", .array(KeyValue.schema)),
        .optional("unknownKey", .array(.ciString(50))),
    ])
}

public struct RemoteStartTransactionRequest: OCPPRequest {
    public typealias Confirmation = RemoteStartTransactionConfirmation
    public static let action = OCPPAction.remoteStartTransaction
    public var connectorId: Int?
    public var idTag: String
    /// Purpose must be TxProfile.
    public var chargingProfile: ChargingProfile?

    public init(connectorId: Int? = nil, idTag: String, chargingProfile: ChargingProfile? = nil) {
        self.connectorId = connectorId
        self.idTag = idTag
        self.chargingProfile = chargingProfile
    }

    public static let schema: PayloadSchema = .object([
        .optional("connectorId", .integer),
        .required("idTag", .ciString(20)),
        .optional("chargingProfile", ChargingProfile.schema),
    ])
}

public struct RemoteStartTransactionConfirmation: OCPPPayload {
    public var status: RemoteStartStopStatus
    public init(status: RemoteStartStopStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(RemoteStartStopStatus.self))])
}

public struct RemoteStopTransactionRequest: OCPPRequest {
    public typealias Confirmation = RemoteStopTransactionConfirmation
    public static let action = OCPPAction.remoteStopTransaction
    public var transactionId: Int
    public init(transactionId: Int) { self.transactionId = transactionId }
    public static let schema: PayloadSchema = .object([.required("transactionId", .integer)])
}

public struct RemoteStopTransactionConfirmation: OCPPPayload {
    public var status: RemoteStartStopStatus
    public init(status: RemoteStartStopStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(RemoteStartStopStatus.self))])
}

public struct ResetRequest: OCPPRequest {
    public typealias Confirmation = ResetConfirmation
    public static let action = OCPPAction.reset
    public var type: ResetType
    public init(type: ResetType) { self.type = type }
    public static let schema: PayloadSchema = .object([.required("type", .enumeration(ResetType.self))])
}

public struct ResetConfirmation: OCPPPayload {
    public var status: ResetStatus
    public init(status: ResetStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(ResetStatus.self))])
}

public struct UnlockConnectorRequest: OCPPRequest {
    public typealias Confirmation = UnlockConnectorConfirmation
    public static let action = OCPPAction.unlockConnector
    public var connectorId: Int
    public init(connectorId: Int) { self.connectorId = connectorId }
    public static let schema: PayloadSchema = .object([.required("connectorId", .integer)])
}

public struct UnlockConnectorConfirmation: OCPPPayload {
    public var status: UnlockStatus
    public init(status: UnlockStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(UnlockStatus.self))])
}
