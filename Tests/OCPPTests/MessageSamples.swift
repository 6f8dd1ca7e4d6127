import Foundation
@testable import OCPP

/// One sample payload of every OCPP 1.6 request and confirmation: `full` sets every optional
/// field, `minimal` only the required ones.
struct MessageSample: Sendable, CustomStringConvertible {
    enum Kind: String, Sendable { case request, confirmation }
    let action: OCPPAction
    let kind: Kind
    let variant: String
    let payload: any OCPPPayload

    /// The official schema file name, e.g. "AuthorizeResponse".
    var schemaName: String { action.rawValue + (kind == .request ? "" : "Response") }
    var description: String { "\(schemaName) (\(variant))" }

    func encoded() throws -> JSONValue {
        func encode<P: OCPPPayload>(_ value: P) throws -> JSONValue { try OCPPMessages.encode(value) }
        return try encode(payload)
    }

    /// Decodes `json` back as this sample's type and compares with the original.
    func roundTrips(_ json: JSONValue) throws -> Bool {
        func check<P: OCPPPayload>(_ value: P) throws -> Bool { try OCPPMessages.decode(P.self, from: json) == value }
        return try check(payload)
    }
}

enum Samples {
    static let time = Date(timeIntervalSince1970: 1_795_428_000.123) // 2026-11-23T10:00:00.123Z
    static let later = Date(timeIntervalSince1970: 1_795_431_600)

    static let idTagInfo = IdTagInfo(status: .accepted, expiryDate: later, parentIdTag: "PARENT-1")
    static let sampledValue = SampledValue(
        value: "1234.5", context: .samplePeriodic, format: .raw, measurand: .energyActiveImportRegister,
        phase: .l1, location: .outlet, unit: .kWh)
    static let meterValue = MeterValue(timestamp: time, sampledValue: [sampledValue, SampledValue(value: "50.0", unit: .hertz)])
    static let transactionMeterValue = MeterValue(timestamp: time, sampledValue: [sampledValue])
    static let schedule = ChargingSchedule(
        duration: 3600, startSchedule: time, chargingRateUnit: .amperes,
        chargingSchedulePeriod: [ChargingSchedulePeriod(startPeriod: 0, limit: 16.0, numberPhases: 3),
                                 ChargingSchedulePeriod(startPeriod: 1800, limit: 7.4, numberPhases: 1)],
        minChargingRate: 6.1)
    static let minimalSchedule = ChargingSchedule(
        chargingRateUnit: .watts, chargingSchedulePeriod: [ChargingSchedulePeriod(startPeriod: 0, limit: 11000)])
    static let profile = ChargingProfile(
        chargingProfileId: 7, transactionId: 42, stackLevel: 1, chargingProfilePurpose: .txProfile,
        chargingProfileKind: .recurring, recurrencyKind: .daily, validFrom: time, validTo: later, chargingSchedule: schedule)
    static let minimalProfile = ChargingProfile(
        chargingProfileId: 8, stackLevel: 0, chargingProfilePurpose: .chargePointMaxProfile,
        chargingProfileKind: .absolute, chargingSchedule: minimalSchedule)

    static func request(_ variant: String, _ payload: some OCPPRequest) -> MessageSample {
        MessageSample(action: type(of: payload).action, kind: .request, variant: variant, payload: payload)
    }
    static func confirmation(_ action: OCPPAction, _ variant: String, _ payload: some OCPPPayload) -> MessageSample {
        MessageSample(action: action, kind: .confirmation, variant: variant, payload: payload)
    }

    static let all: [MessageSample] = [
        request("full", AuthorizeRequest(idTag: "04E91C5A")),
        confirmation(.authorize, "full", AuthorizeConfirmation(idTagInfo: idTagInfo)),
        confirmation(.authorize, "minimal", AuthorizeConfirmation(idTagInfo: IdTagInfo(status: .invalid))),

        request("full", BootNotificationRequest(
            chargePointVendor: "LockerWorks", chargePointModel: "CL-12", chargePointSerialNumber: "SN-0001",
            chargeBoxSerialNumber: "CB-0001", firmwareVersion: "1.4.2", iccid: "8949000000000000000",
            imsi: "262010000000000", meterType: "Eastron SDM630", meterSerialNumber: "M-123")),
        request("minimal", BootNotificationRequest(chargePointVendor: "LockerWorks", chargePointModel: "CL-12")),
        confirmation(.bootNotification, "full", BootNotificationConfirmation(status: .accepted, currentTime: time, interval: 300)),

        request("full", ChangeAvailabilityRequest(connectorId: 0, type: .inoperative)),
        confirmation(.changeAvailability, "full", ChangeAvailabilityConfirmation(status: .scheduled)),

        request("full", ChangeConfigurationRequest(key: "HeartbeatInterval", value: "120")),
        confirmation(.changeConfiguration, "full", ChangeConfigurationConfirmation(status: .rebootRequired)),

        request("full", ClearCacheRequest()),
        confirmation(.clearCache, "full", ClearCacheConfirmation(status: .accepted)),

        request("full", DataTransferRequest(vendorId: "com.lockerworks", messageId: "doorState", data: "{\"open\":true}")),
        request("minimal", DataTransferRequest(vendorId: "com.lockerworks")),
        confirmation(.dataTransfer, "full", DataTransferConfirmation(status: .accepted, data: "ok")),
        confirmation(.dataTransfer, "minimal", DataTransferConfirmation(status: .unknownVendorId)),

        request("full", GetConfigurationRequest(key: ["HeartbeatInterval", "NumberOfConnectors"])),
        request("minimal", GetConfigurationRequest()),
        confirmation(.getConfiguration, "full", GetConfigurationConfirmation(
            configurationKey: [KeyValue(key: "HeartbeatInterval", readonly: false, value: "300"),
                               KeyValue(key: "NumberOfConnectors", readonly: true)],
            unknownKey: ["VendorKey"])),
        confirmation(.getConfiguration, "minimal", GetConfigurationConfirmation()),

        request("full", HeartbeatRequest()),
        confirmation(.heartbeat, "full", HeartbeatConfirmation(currentTime: time)),

        request("full", MeterValuesRequest(connectorId: 1, transactionId: 42, meterValue: [meterValue])),
        request("minimal", MeterValuesRequest(connectorId: 0, meterValue: [MeterValue(timestamp: time, sampledValue: [SampledValue(value: "0")])])),
        confirmation(.meterValues, "full", MeterValuesConfirmation()),

        request("full", RemoteStartTransactionRequest(connectorId: 2, idTag: "04E91C5A", chargingProfile: profile)),
        request("minimal", RemoteStartTransactionRequest(idTag: "04E91C5A")),
        request("minimal profile", RemoteStartTransactionRequest(idTag: "04E91C5A", chargingProfile: minimalProfile)),
        confirmation(.remoteStartTransaction, "full", RemoteStartTransactionConfirmation(status: .accepted)),

        request("full", RemoteStopTransactionRequest(transactionId: 42)),
        confirmation(.remoteStopTransaction, "full", RemoteStopTransactionConfirmation(status: .rejected)),

        request("full", ResetRequest(type: .soft)),
        confirmation(.reset, "full", ResetConfirmation(status: .accepted)),

        request("full", StartTransactionRequest(connectorId: 1, idTag: "04E91C5A", meterStart: 123_456, reservationId: 5, timestamp: time)),
        request("minimal", StartTransactionRequest(connectorId: 1, idTag: "04E91C5A", meterStart: 0, timestamp: time)),
        confirmation(.startTransaction, "full", StartTransactionConfirmation(idTagInfo: idTagInfo, transactionId: 42)),
        confirmation(.startTransaction, "minimal", StartTransactionConfirmation(idTagInfo: IdTagInfo(status: .accepted), transactionId: 1)),

        request("full", StatusNotificationRequest(
            connectorId: 3, errorCode: .connectorLockFailure, info: "door latch stuck", status: .faulted, timestamp: time,
            vendorId: "com.lockerworks", vendorErrorCode: "LATCH-7")),
        request("minimal", StatusNotificationRequest(connectorId: 1, errorCode: .noError, status: .available)),
        confirmation(.statusNotification, "full", StatusNotificationConfirmation()),

        request("full", StopTransactionRequest(
            idTag: "04E91C5A", meterStop: 130_000, timestamp: later, transactionId: 42, reason: .evDisconnected,
            transactionData: [transactionMeterValue])),
        request("minimal", StopTransactionRequest(meterStop: 130_000, timestamp: later, transactionId: 42)),
        confirmation(.stopTransaction, "full", StopTransactionConfirmation(idTagInfo: idTagInfo)),
        confirmation(.stopTransaction, "minimal", StopTransactionConfirmation()),

        request("full", UnlockConnectorRequest(connectorId: 4)),
        confirmation(.unlockConnector, "full", UnlockConnectorConfirmation(status: .unlocked)),

        request("full", GetDiagnosticsRequest(location: "ftp://diag.example.com/uploads/", retries: 3, retryInterval: 60, startTime: time, stopTime: later)),
        request("minimal", GetDiagnosticsRequest(location: "https://diag.example.com/upload")),
        confirmation(.getDiagnostics, "full", GetDiagnosticsConfirmation(fileName: "diagnostics-2026-11-23.tar.gz")),
        confirmation(.getDiagnostics, "minimal", GetDiagnosticsConfirmation()),

        request("full", DiagnosticsStatusNotificationRequest(status: .uploading)),
        confirmation(.diagnosticsStatusNotification, "full", DiagnosticsStatusNotificationConfirmation()),

        request("full", FirmwareStatusNotificationRequest(status: .installationFailed)),
        confirmation(.firmwareStatusNotification, "full", FirmwareStatusNotificationConfirmation()),

        request("full", UpdateFirmwareRequest(location: "https://fw.example.com/cl-12-1.5.0.bin", retries: 2, retrieveDate: later, retryInterval: 300)),
        request("minimal", UpdateFirmwareRequest(location: "https://fw.example.com/cl-12-1.5.0.bin", retrieveDate: later)),
        confirmation(.updateFirmware, "full", UpdateFirmwareConfirmation()),

        request("full", GetLocalListVersionRequest()),
        confirmation(.getLocalListVersion, "full", GetLocalListVersionConfirmation(listVersion: 12)),

        request("full", SendLocalListRequest(
            listVersion: 13,
            localAuthorizationList: [AuthorizationData(idTag: "04E91C5A", idTagInfo: idTagInfo), AuthorizationData(idTag: "REMOVED-1")],
            updateType: .differential)),
        request("minimal", SendLocalListRequest(listVersion: 14, updateType: .full)),
        confirmation(.sendLocalList, "full", SendLocalListConfirmation(status: .versionMismatch)),

        request("full", CancelReservationRequest(reservationId: 5)),
        confirmation(.cancelReservation, "full", CancelReservationConfirmation(status: .accepted)),

        request("full", ReserveNowRequest(connectorId: 2, expiryDate: later, idTag: "04E91C5A", parentIdTag: "PARENT-1", reservationId: 5)),
        request("minimal", ReserveNowRequest(connectorId: 2, expiryDate: later, idTag: "04E91C5A", reservationId: 6)),
        confirmation(.reserveNow, "full", ReserveNowConfirmation(status: .occupied)),

        request("full", ClearChargingProfileRequest(id: 7, connectorId: 1, chargingProfilePurpose: .txDefaultProfile, stackLevel: 2)),
        request("minimal", ClearChargingProfileRequest()),
        confirmation(.clearChargingProfile, "full", ClearChargingProfileConfirmation(status: .unknown)),

        request("full", GetCompositeScheduleRequest(connectorId: 1, duration: 86_400, chargingRateUnit: .watts)),
        request("minimal", GetCompositeScheduleRequest(connectorId: 0, duration: 3600)),
        confirmation(.getCompositeSchedule, "full", GetCompositeScheduleConfirmation(status: .accepted, connectorId: 1, scheduleStart: time, chargingSchedule: schedule)),
        confirmation(.getCompositeSchedule, "minimal", GetCompositeScheduleConfirmation(status: .rejected)),

        request("full", SetChargingProfileRequest(connectorId: 1, csChargingProfiles: profile)),
        request("minimal", SetChargingProfileRequest(connectorId: 0, csChargingProfiles: minimalProfile)),
        confirmation(.setChargingProfile, "full", SetChargingProfileConfirmation(status: .notSupported)),

        request("full", TriggerMessageRequest(requestedMessage: .statusNotification, connectorId: 1)),
        request("minimal", TriggerMessageRequest(requestedMessage: .bootNotification)),
        confirmation(.triggerMessage, "full", TriggerMessageConfirmation(status: .notImplemented)),
    ]
}
