/// A payload of an OCPP 1.6 message (a request or a confirmation) and its schema.
public protocol OCPPPayload: Codable, Sendable, Equatable {
    static var schema: PayloadSchema { get }
}

/// A request (`.req`) and the confirmation (`.conf`) type that answers it.
public protocol OCPPRequest: OCPPPayload {
    associatedtype Confirmation: OCPPPayload
    static var action: OCPPAction { get }
}

/// Every OCPP 1.6 action, by feature profile.
public enum OCPPAction: String, Sendable, CaseIterable, Codable {
    // Core
    case authorize = "Authorize", bootNotification = "BootNotification"
    case changeAvailability = "ChangeAvailability", changeConfiguration = "ChangeConfiguration"
    case clearCache = "ClearCache", dataTransfer = "DataTransfer", getConfiguration = "GetConfiguration"
    case heartbeat = "Heartbeat", meterValues = "MeterValues"
    case remoteStartTransaction = "RemoteStartTransaction", remoteStopTransaction = "RemoteStopTransaction"
    case reset = "Reset", startTransaction = "StartTransaction", statusNotification = "StatusNotification"
    case stopTransaction = "StopTransaction", unlockConnector = "UnlockConnector"
    // Firmware Management
    case getDiagnostics = "GetDiagnostics", diagnosticsStatusNotification = "DiagnosticsStatusNotification"
    case firmwareStatusNotification = "FirmwareStatusNotification", updateFirmware = "UpdateFirmware"
    // Local Auth List Management
    case getLocalListVersion = "GetLocalListVersion", sendLocalList = "SendLocalList"
    // Reservation
    case cancelReservation = "CancelReservation", reserveNow = "ReserveNow"
    // Smart Charging
    case clearChargingProfile = "ClearChargingProfile", getCompositeSchedule = "GetCompositeSchedule"
    case setChargingProfile = "SetChargingProfile"
    // Remote Trigger
    case triggerMessage = "TriggerMessage"

    /// Who sends the request. DataTransfer goes both ways.
    public enum Initiator: Sendable { case chargePoint, centralSystem, either }

    public var initiator: Initiator {
        switch self {
        case .authorize, .bootNotification, .heartbeat, .meterValues, .startTransaction, .statusNotification,
             .stopTransaction, .diagnosticsStatusNotification, .firmwareStatusNotification:
            .chargePoint
        case .dataTransfer:
            .either
        default:
            .centralSystem
        }
    }

    /// The request and confirmation types of this action.
    public var requestType: any OCPPRequest.Type {
        switch self {
        case .authorize: AuthorizeRequest.self
        case .bootNotification: BootNotificationRequest.self
        case .changeAvailability: ChangeAvailabilityRequest.self
        case .changeConfiguration: ChangeConfigurationRequest.self
        case .clearCache: ClearCacheRequest.self
        case .dataTransfer: DataTransferRequest.self
        case .getConfiguration: GetConfigurationRequest.self
        case .heartbeat: HeartbeatRequest.self
        case .meterValues: MeterValuesRequest.self
        case .remoteStartTransaction: RemoteStartTransactionRequest.self
        case .remoteStopTransaction: RemoteStopTransactionRequest.self
        case .reset: ResetRequest.self
        case .startTransaction: StartTransactionRequest.self
        case .statusNotification: StatusNotificationRequest.self
        case .stopTransaction: StopTransactionRequest.self
        case .unlockConnector: UnlockConnectorRequest.self
        case .getDiagnostics: GetDiagnosticsRequest.self
        case .diagnosticsStatusNotification: DiagnosticsStatusNotificationRequest.self
        case .firmwareStatusNotification: FirmwareStatusNotificationRequest.self
        case .updateFirmware: UpdateFirmwareRequest.self
        case .getLocalListVersion: GetLocalListVersionRequest.self
        case .sendLocalList: SendLocalListRequest.self
        case .cancelReservation: CancelReservationRequest.self
        case .reserveNow: ReserveNowRequest.self
        case .clearChargingProfile: ClearChargingProfileRequest.self
        case .getCompositeSchedule: GetCompositeScheduleRequest.self
        case .setChargingProfile: SetChargingProfileRequest.self
        case .triggerMessage: TriggerMessageRequest.self
        }
    }

    public var confirmationType: any OCPPPayload.Type {
        func confirmation<R: OCPPRequest>(of _: R.Type) -> any OCPPPayload.Type { R.Confirmation.self }
        return confirmation(of: requestType)
    }

    /// Actions of the OCPP 1.6 security extension: recognized, but this charge point does not
    /// implement them, so a CALL for one gets NotSupported rather than NotImplemented.
    public static let recognizedUnsupported: Set<String> = [
        "CertificateSigned", "DeleteCertificate", "ExtendedTriggerMessage", "GetInstalledCertificateIds",
        "GetLog", "InstallCertificate", "LogStatusNotification", "SecurityEventNotification",
        "SignCertificate", "SignedFirmwareStatusNotification", "SignedUpdateFirmware",
    ]
}
