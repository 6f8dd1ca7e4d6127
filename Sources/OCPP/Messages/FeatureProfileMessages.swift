import Foundation

// Firmware Management, Local Auth List Management, Reservation, Smart Charging, Remote Trigger.

// MARK: Firmware Management

public struct GetDiagnosticsRequest: OCPPRequest {
    public typealias Confirmation = GetDiagnosticsConfirmation
    public static let action = OCPPAction.getDiagnostics
    /// Upload directory URI.
    public var location: String
    public var retries: Int?
    /// Seconds.
    public var retryInterval: Int?
    public var startTime: Date?
    public var stopTime: Date?

    public init(location: String, retries: Int? = nil, retryInterval: Int? = nil, startTime: Date? = nil, stopTime: Date? = nil) {
        self.location = location
        self.retries = retries
        self.retryInterval = retryInterval
        self.startTime = startTime
        self.stopTime = stopTime
    }

    public static let schema: PayloadSchema = .object([
        .required("location", .uri),
        .optional("retries", .integer),
        .optional("retryInterval", .integer),
        .optional("startTime", .dateTime),
        .optional("stopTime", .dateTime),
    ])
}

public struct GetDiagnosticsConfirmation: OCPPPayload {
    /// Absent when there is no diagnostics information.
    public var fileName: String?
    public init(fileName: String? = nil) { self.fileName = fileName }
    public static let schema: PayloadSchema = .object([.optional("fileName", .ciString(255))])
}

public struct DiagnosticsStatusNotificationRequest: OCPPRequest {
    public typealias Confirmation = DiagnosticsStatusNotificationConfirmation
    public static let action = OCPPAction.diagnosticsStatusNotification
    public var status: DiagnosticsStatus
    public init(status: DiagnosticsStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(DiagnosticsStatus.self))])
}

public struct DiagnosticsStatusNotificationConfirmation: OCPPPayload {
    public init() {}
    public static let schema: PayloadSchema = .object([])
}

public struct FirmwareStatusNotificationRequest: OCPPRequest {
    public typealias Confirmation = FirmwareStatusNotificationConfirmation
    public static let action = OCPPAction.firmwareStatusNotification
    public var status: FirmwareStatus
    public init(status: FirmwareStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(FirmwareStatus.self))])
}

public struct FirmwareStatusNotificationConfirmation: OCPPPayload {
    public init() {}
    public static let schema: PayloadSchema = .object([])
}

public struct UpdateFirmwareRequest: OCPPRequest {
    public typealias Confirmation = UpdateFirmwareConfirmation
    public static let action = OCPPAction.updateFirmware
    public var location: String
    public var retries: Int?
    public var retrieveDate: Date
    public var retryInterval: Int?

    public init(location: String, retries: Int? = nil, retrieveDate: Date, retryInterval: Int? = nil) {
        self.location = location
        self.retries = retries
        self.retrieveDate = retrieveDate
        self.retryInterval = retryInterval
    }

    public static let schema: PayloadSchema = .object([
        .required("location", .uri),
        .optional("retries", .integer),
        .required("retrieveDate", .dateTime),
        .optional("retryInterval", .integer),
    ])
}

public struct UpdateFirmwareConfirmation: OCPPPayload {
    public init() {}
    public static let schema: PayloadSchema = .object([])
}

// MARK: Local Auth List Management

public struct GetLocalListVersionRequest: OCPPRequest {
    public typealias Confirmation = GetLocalListVersionConfirmation
    public static let action = OCPPAction.getLocalListVersion
    public init() {}
    public static let schema: PayloadSchema = .object([])
}

public struct GetLocalListVersionConfirmation: OCPPPayload {
    /// 0: the list is empty; -1: local authorization lists are not supported.
    public var listVersion: Int
    public init(listVersion: Int) { self.listVersion = listVersion }
    public static let schema: PayloadSchema = .object([.required("listVersion", .integer)])
}

public struct SendLocalListRequest: OCPPRequest {
    public typealias Confirmation = SendLocalListConfirmation
    public static let action = OCPPAction.sendLocalList
    public var listVersion: Int
    public var localAuthorizationList: [AuthorizationData]?
    public var updateType: UpdateType

    public init(listVersion: Int, localAuthorizationList: [AuthorizationData]? = nil, updateType: UpdateType) {
        self.listVersion = listVersion
        self.localAuthorizationList = localAuthorizationList
        self.updateType = updateType
    }

    public static let schema: PayloadSchema = .object([
        .required("listVersion", .integer),
        .optional("localAuthorizationList", .array(AuthorizationData.schema)),
        .required("updateType", .enumeration(UpdateType.self)),
    ])
}

public struct SendLocalListConfirmation: OCPPPayload {
    public var status: UpdateStatus
    public init(status: UpdateStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(UpdateStatus.self))])
}

// MARK: Reservation

public struct CancelReservationRequest: OCPPRequest {
    public typealias Confirmation = CancelReservationConfirmation
    public static let action = OCPPAction.cancelReservation
    public var reservationId: Int
    public init(reservationId: Int) { self.reservationId = reservationId }
    public static let schema: PayloadSchema = .object([.required("reservationId", .integer)])
}

public struct CancelReservationConfirmation: OCPPPayload {
    public var status: CancelReservationStatus
    public init(status: CancelReservationStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(CancelReservationStatus.self))])
}

public struct ReserveNowRequest: OCPPRequest {
    public typealias Confirmation = ReserveNowConfirmation
    public static let action = OCPPAction.reserveNow
    public var connectorId: Int
    public var expiryDate: Date
    public var idTag: String
    public var parentIdTag: String?
    public var reservationId: Int

    public init(connectorId: Int, expiryDate: Date, idTag: String, parentIdTag: String? = nil, reservationId: Int) {
        self.connectorId = connectorId
        self.expiryDate = expiryDate
        self.idTag = idTag
        self.parentIdTag = parentIdTag
        self.reservationId = reservationId
    }

    public static let schema: PayloadSchema = .object([
        .required("connectorId", .integer),
        .required("expiryDate", .dateTime),
        .required("idTag", .ciString(20)),
        .optional("parentIdTag", .ciString(20)),
        .required("reservationId", .integer),
    ])
}

public struct ReserveNowConfirmation: OCPPPayload {
    public var status: ReservationStatus
    public init(status: ReservationStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(ReservationStatus.self))])
}

// MARK: Smart Charging

public struct ClearChargingProfileRequest: OCPPRequest {
    public typealias Confirmation = ClearChargingProfileConfirmation
    public static let action = OCPPAction.clearChargingProfile
    public var id: Int?
    public var connectorId: Int?
    public var chargingProfilePurpose: ChargingProfilePurposeType?
    public var stackLevel: Int?

    public init(id: Int? = nil, connectorId: Int? = nil, chargingProfilePurpose: ChargingProfilePurposeType? = nil, stackLevel: Int? = nil) {
        self.id = id
        self.connectorId = connectorId
        self.chargingProfilePurpose = chargingProfilePurpose
        self.stackLevel = stackLevel
    }

    public static let schema: PayloadSchema = .object([
        .optional("id", .integer),
        .optional("connectorId", .integer),
        .optional("chargingProfilePurpose", .enumeration(ChargingProfilePurposeType.self)),
        .optional("stackLevel", .integer),
    ])
}

public struct ClearChargingProfileConfirmation: OCPPPayload {
    public var status: ClearChargingProfileStatus
    public init(status: ClearChargingProfileStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(ClearChargingProfileStatus.self))])
}

public struct GetCompositeScheduleRequest: OCPPRequest {
    public typealias Confirmation = GetCompositeScheduleConfirmation
    public static let action = OCPPAction.getCompositeSchedule
    public var connectorId: Int
    /// Seconds.
    public var duration: Int
    public var chargingRateUnit: ChargingRateUnitType?

    public init(connectorId: Int, duration: Int, chargingRateUnit: ChargingRateUnitType? = nil) {
        self.connectorId = connectorId
        self.duration = duration
        self.chargingRateUnit = chargingRateUnit
    }

    public static let schema: PayloadSchema = .object([
        .required("connectorId", .integer),
        .required("duration", .integer),
        .optional("chargingRateUnit", .enumeration(ChargingRateUnitType.self)),
    ])
}

public struct GetCompositeScheduleConfirmation: OCPPPayload {
    public var status: GetCompositeScheduleStatus
    public var connectorId: Int?
    public var scheduleStart: Date?
    public var chargingSchedule: ChargingSchedule?

    public init(status: GetCompositeScheduleStatus, connectorId: Int? = nil, scheduleStart: Date? = nil, chargingSchedule: ChargingSchedule? = nil) {
        self.status = status
        self.connectorId = connectorId
        self.scheduleStart = scheduleStart
        self.chargingSchedule = chargingSchedule
    }

    public static let schema: PayloadSchema = .object([
        .required("status", .enumeration(GetCompositeScheduleStatus.self)),
        .optional("connectorId", .integer),
        .optional("scheduleStart", .dateTime),
        .optional("chargingSchedule", ChargingSchedule.schema),
    ])
}

public struct SetChargingProfileRequest: OCPPRequest {
    public typealias Confirmation = SetChargingProfileConfirmation
    public static let action = OCPPAction.setChargingProfile
    public var connectorId: Int
    public var csChargingProfiles: ChargingProfile

    public init(connectorId: Int, csChargingProfiles: ChargingProfile) {
        self.connectorId = connectorId
        self.csChargingProfiles = csChargingProfiles
    }

    public static let schema: PayloadSchema = .object([
        .required("connectorId", .integer),
        .required("csChargingProfiles", ChargingProfile.schema),
    ])
}

public struct SetChargingProfileConfirmation: OCPPPayload {
    public var status: ChargingProfileStatus
    public init(status: ChargingProfileStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(ChargingProfileStatus.self))])
}

// MARK: Remote Trigger

public struct TriggerMessageRequest: OCPPRequest {
    public typealias Confirmation = TriggerMessageConfirmation
    public static let action = OCPPAction.triggerMessage
    public var requestedMessage: MessageTrigger
    public var connectorId: Int?

    public init(requestedMessage: MessageTrigger, connectorId: Int? = nil) {
        self.requestedMessage = requestedMessage
        self.connectorId = connectorId
    }

    public static let schema: PayloadSchema = .object([
        .required("requestedMessage", .enumeration(MessageTrigger.self)),
        .optional("connectorId", .integer),
    ])
}

public struct TriggerMessageConfirmation: OCPPPayload {
    public var status: TriggerMessageStatus
    public init(status: TriggerMessageStatus) { self.status = status }
    public static let schema: PayloadSchema = .object([.required("status", .enumeration(TriggerMessageStatus.self))])
}
