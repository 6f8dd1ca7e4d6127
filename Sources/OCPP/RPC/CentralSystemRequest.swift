/// A request the central system sends to the charge point, typed by action.
public enum CentralSystemRequest: Sendable, Equatable {
    // Core
    case changeAvailability(ChangeAvailabilityRequest)
    case changeConfiguration(ChangeConfigurationRequest)
    case clearCache(ClearCacheRequest)
    case dataTransfer(DataTransferRequest)
    case getConfiguration(GetConfigurationRequest)
    case remoteStartTransaction(RemoteStartTransactionRequest)
    case remoteStopTransaction(RemoteStopTransactionRequest)
    case reset(ResetRequest)
    case unlockConnector(UnlockConnectorRequest)
    // Firmware Management
    case getDiagnostics(GetDiagnosticsRequest)
    case updateFirmware(UpdateFirmwareRequest)
    // Local Auth List Management
    case getLocalListVersion(GetLocalListVersionRequest)
    case sendLocalList(SendLocalListRequest)
    // Reservation
    case cancelReservation(CancelReservationRequest)
    case reserveNow(ReserveNowRequest)
    // Smart Charging
    case clearChargingProfile(ClearChargingProfileRequest)
    case getCompositeSchedule(GetCompositeScheduleRequest)
    case setChargingProfile(SetChargingProfileRequest)
    // Remote Trigger
    case triggerMessage(TriggerMessageRequest)

    /// Validates and decodes `payload` as a request of `action`. Throws NotSupported for
    /// actions only a charge point initiates.
    public init(action: OCPPAction, payload: JSONValue) throws(PayloadViolation) {
        func decode<R: OCPPRequest>(_ type: R.Type) throws(PayloadViolation) -> R {
            try OCPPMessages.decode(R.self, from: payload)
        }
        switch action {
        case .changeAvailability: self = .changeAvailability(try decode(ChangeAvailabilityRequest.self))
        case .changeConfiguration: self = .changeConfiguration(try decode(ChangeConfigurationRequest.self))
        case .clearCache: self = .clearCache(try decode(ClearCacheRequest.self))
        case .dataTransfer: self = .dataTransfer(try decode(DataTransferRequest.self))
        case .getConfiguration: self = .getConfiguration(try decode(GetConfigurationRequest.self))
        case .remoteStartTransaction: self = .remoteStartTransaction(try decode(RemoteStartTransactionRequest.self))
        case .remoteStopTransaction: self = .remoteStopTransaction(try decode(RemoteStopTransactionRequest.self))
        case .reset: self = .reset(try decode(ResetRequest.self))
        case .unlockConnector: self = .unlockConnector(try decode(UnlockConnectorRequest.self))
        case .getDiagnostics: self = .getDiagnostics(try decode(GetDiagnosticsRequest.self))
        case .updateFirmware: self = .updateFirmware(try decode(UpdateFirmwareRequest.self))
        case .getLocalListVersion: self = .getLocalListVersion(try decode(GetLocalListVersionRequest.self))
        case .sendLocalList: self = .sendLocalList(try decode(SendLocalListRequest.self))
        case .cancelReservation: self = .cancelReservation(try decode(CancelReservationRequest.self))
        case .reserveNow: self = .reserveNow(try decode(ReserveNowRequest.self))
        case .clearChargingProfile: self = .clearChargingProfile(try decode(ClearChargingProfileRequest.self))
        case .getCompositeSchedule: self = .getCompositeSchedule(try decode(GetCompositeScheduleRequest.self))
        case .setChargingProfile: self = .setChargingProfile(try decode(SetChargingProfileRequest.self))
        case .triggerMessage: self = .triggerMessage(try decode(TriggerMessageRequest.self))
        case .authorize, .bootNotification, .heartbeat, .meterValues, .startTransaction, .statusNotification,
             .stopTransaction, .diagnosticsStatusNotification, .firmwareStatusNotification:
            throw PayloadViolation(
                code: .notSupported, path: "", reason: "\(action.rawValue) is sent by charge points, not to them")
        }
    }

    public var action: OCPPAction { request.action }

    /// The typed request, for code that handles requests generically.
    public var request: any OCPPRequest {
        switch self {
        case .changeAvailability(let request): request
        case .changeConfiguration(let request): request
        case .clearCache(let request): request
        case .dataTransfer(let request): request
        case .getConfiguration(let request): request
        case .remoteStartTransaction(let request): request
        case .remoteStopTransaction(let request): request
        case .reset(let request): request
        case .unlockConnector(let request): request
        case .getDiagnostics(let request): request
        case .updateFirmware(let request): request
        case .getLocalListVersion(let request): request
        case .sendLocalList(let request): request
        case .cancelReservation(let request): request
        case .reserveNow(let request): request
        case .clearChargingProfile(let request): request
        case .getCompositeSchedule(let request): request
        case .setChargingProfile(let request): request
        case .triggerMessage(let request): request
        }
    }
}

extension OCPPRequest {
    public var action: OCPPAction { Self.action }
}
