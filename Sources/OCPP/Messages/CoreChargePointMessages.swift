import Foundation

// Core profile, initiated by the charge point (plus DataTransfer, which goes both ways).

public struct AuthorizeRequest: OCPPRequest {
    public typealias Confirmation = AuthorizeConfirmation
    public static let action = OCPPAction.authorize
    public var idTag: String
    public init(idTag: String) { self.idTag = idTag }
    public static let schema: PayloadSchema = .object([.required("idTag", .ciString(20))])
}

public struct AuthorizeConfirmation: OCPPPayload {
    public var idTagInfo: IdTagInfo
    public init(idTagInfo: IdTagInfo) { self.idTagInfo = idTagInfo }
    public static let schema: PayloadSchema = .object([.required("idTagInfo", IdTagInfo.schema)])
}

public struct BootNotificationRequest: OCPPRequest {
    public typealias Confirmation = BootNotificationConfirmation
    public static let action = OCPPAction.bootNotification
    public var chargePointVendor: String
    public var chargePointModel: String
    public var chargePointSerialNumber: String?
    public var chargeBoxSerialNumber: String?
    public var firmwareVersion: String?
    public var iccid: String?
    public var imsi: String?
    public var meterType: String?
    public var meterSerialNumber: String?

    public init(
        chargePointVendor: String, chargePointModel: String, chargePointSerialNumber: String? = nil,
        chargeBoxSerialNumber: String? = nil, firmwareVersion: String? = nil, iccid: String? = nil,
        imsi: String? = nil, meterType: String? = nil, meterSerialNumber: String? = nil
    ) {
        self.chargePointVendor = chargePointVendor
        self.chargePointModel = chargePointModel
        self.chargePointSerialNumber = chargePointSerialNumber
        self.chargeBoxSerialNumber = chargeBoxSerialNumber
        self.firmwareVersion = firmwareVersion
        self.iccid = iccid
        self.imsi = imsi
        self.meterType = meterType
        self.meterSerialNumber = meterSerialNumber
    }

    public static let schema: PayloadSchema = .object([
        .required("chargePointVendor", .ciString(20)),
        .required("chargePointModel", .ciString(20)),
        .optional("chargePointSerialNumber", .ciString(25)),
        .optional("chargeBoxSerialNumber", .ciString(25)),
        .optional("firmwareVersion", .ciString(50)),
        .optional("iccid", .ciString(20)),
        .optional("imsi", .ciString(20)),
        .optional("meterType", .ciString(25)),
        .optional("meterSerialNumber", .ciString(25)),
    ])
}

public struct BootNotificationConfirmation: OCPPPayload {
    public var status: RegistrationStatus
    public var currentTime: Date
    /// Heartbeat interval in seconds when Accepted; retry interval when Pending or Rejected.
    public var interval: Int

    public init(status: RegistrationStatus, currentTime: Date, interval: Int) {
        self.status = status
        self.currentTime = currentTime
        self.interval = interval
    }

    public static let schema: PayloadSchema = .object([
        .required("status", .enumeration(RegistrationStatus.self)),
        .required("currentTime", .dateTime),
        .required("interval", .integer),
    ])
}

public struct DataTransferRequest: OCPPRequest {
    public typealias Confirmation = DataTransferConfirmation
    public static let action = OCPPAction.dataTransfer
    public var vendorId: String
    public var messageId: String?
    public var data: String?

    public init(vendorId: String, messageId: String? = nil, data: String? = nil) {
        self.vendorId = vendorId
        self.messageId = messageId
        self.data = data
    }

    public static let schema: PayloadSchema = .object([
        .required("vendorId", .ciString(255)),
        .optional("messageId", .ciString(50)),
        .optional("data", .anyString),
    ])
}

public struct DataTransferConfirmation: OCPPPayload {
    public var status: DataTransferStatus
    public var data: String?

    public init(status: DataTransferStatus, data: String? = nil) {
        self.status = status
        self.data = data
    }

    public static let schema: PayloadSchema = .object([
        .required("status", .enumeration(DataTransferStatus.self)),
        .optional("data", .anyString),
    ])
}

public struct HeartbeatRequest: OCPPRequest {
    public typealias Confirmation = HeartbeatConfirmation
    public static let action = OCPPAction.heartbeat
    public init() {}
    public static let schema: PayloadSchema = .object([])
}

public struct HeartbeatConfirmation: OCPPPayload {
    public var currentTime: Date
    public init(currentTime: Date) { self.currentTime = currentTime }
    public static let schema: PayloadSchema = .object([.required("currentTime", .dateTime)])
}

public struct MeterValuesRequest: OCPPRequest {
    public typealias Confirmation = MeterValuesConfirmation
    public static let action = OCPPAction.meterValues
    /// 0 is the main meter of the whole charge point.
    public var connectorId: Int
    public var transactionId: Int?
    public var meterValue: [MeterValue]

    public init(connectorId: Int, transactionId: Int? = nil, meterValue: [MeterValue]) {
        self.connectorId = connectorId
        self.transactionId = transactionId
        self.meterValue = meterValue
    }

    public static let schema: PayloadSchema = .object([
        .required("connectorId", .integer),
        .optional("transactionId", .integer),
        .required("meterValue", .array(MeterValue.schema(allowingHertz: true), minItems: 1)),
    ])
}

public struct MeterValuesConfirmation: OCPPPayload {
    public init() {}
    public static let schema: PayloadSchema = .object([])
}

public struct StartTransactionRequest: OCPPRequest {
    public typealias Confirmation = StartTransactionConfirmation
    public static let action = OCPPAction.startTransaction
    public var connectorId: Int
    public var idTag: String
    /// Wh.
    public var meterStart: Int
    public var reservationId: Int?
    public var timestamp: Date

    public init(connectorId: Int, idTag: String, meterStart: Int, reservationId: Int? = nil, timestamp: Date) {
        self.connectorId = connectorId
        self.idTag = idTag
        self.meterStart = meterStart
        self.reservationId = reservationId
        self.timestamp = timestamp
    }

    public static let schema: PayloadSchema = .object([
        .required("connectorId", .integer),
        .required("idTag", .ciString(20)),
        .required("meterStart", .integer),
        .optional("reservationId", .integer),
        .required("timestamp", .dateTime),
    ])
}

public struct StartTransactionConfirmation: OCPPPayload {
    public var idTagInfo: IdTagInfo
    public var transactionId: Int

    public init(idTagInfo: IdTagInfo, transactionId: Int) {
        self.idTagInfo = idTagInfo
        self.transactionId = transactionId
    }

    public static let schema: PayloadSchema = .object([
        .required("idTagInfo", IdTagInfo.schema),
        .required("transactionId", .integer),
    ])
}

public struct StatusNotificationRequest: OCPPRequest {
    public typealias Confirmation = StatusNotificationConfirmation
    public static let action = OCPPAction.statusNotification
    public var connectorId: Int
    public var errorCode: ChargePointErrorCode
    public var info: String?
    public var status: ChargePointStatus
    public var timestamp: Date?
    public var vendorId: String?
    public var vendorErrorCode: String?

    public init(
        connectorId: Int, errorCode: ChargePointErrorCode, info: String? = nil, status: ChargePointStatus,
        timestamp: Date? = nil, vendorId: String? = nil, vendorErrorCode: String? = nil
    ) {
        self.connectorId = connectorId
        self.errorCode = errorCode
        self.info = info
        self.status = status
        self.timestamp = timestamp
        self.vendorId = vendorId
        self.vendorErrorCode = vendorErrorCode
    }

    public static let schema: PayloadSchema = .object([
        .required("connectorId", .integer),
        .required("errorCode", .enumeration(ChargePointErrorCode.self)),
        .optional("info", .ciString(50)),
        .required("status", .enumeration(ChargePointStatus.self)),
        .optional("timestamp", .dateTime),
        .optional("vendorId", .ciString(255)),
        .optional("vendorErrorCode", .ciString(50)),
    ])
}

public struct StatusNotificationConfirmation: OCPPPayload {
    public init() {}
    public static let schema: PayloadSchema = .object([])
}

public struct StopTransactionRequest: OCPPRequest {
    public typealias Confirmation = StopTransactionConfirmation
    public static let action = OCPPAction.stopTransaction
    public var idTag: String?
    /// Wh.
    public var meterStop: Int
    public var timestamp: Date
    public var transactionId: Int
    public var reason: Reason?
    public var transactionData: [MeterValue]?

    public init(
        idTag: String? = nil, meterStop: Int, timestamp: Date, transactionId: Int, reason: Reason? = nil,
        transactionData: [MeterValue]? = nil
    ) {
        self.idTag = idTag
        self.meterStop = meterStop
        self.timestamp = timestamp
        self.transactionId = transactionId
        self.reason = reason
        self.transactionData = transactionData
    }

    public static let schema: PayloadSchema = .object([
        .optional("idTag", .ciString(20)),
        .required("meterStop", .integer),
        .required("timestamp", .dateTime),
        .required("transactionId", .integer),
        .optional("reason", .enumeration(Reason.self)),
        // The official schema sets no minItems on sampledValue here, unlike MeterValues.
        .optional("transactionData", .array(.object([
            .required("timestamp", .dateTime),
            .required("sampledValue", .array(SampledValue.schema(allowingHertz: false))),
        ]))),
    ])
}

public struct StopTransactionConfirmation: OCPPPayload {
    public var idTagInfo: IdTagInfo?
    public init(idTagInfo: IdTagInfo? = nil) { self.idTagInfo = idTagInfo }
    public static let schema: PayloadSchema = .object([.optional("idTagInfo", IdTagInfo.schema)])
}
