import Foundation
import Logging
import OCPP

/// What the uplink hands to the operations part (Operations/OperationsService.swift): the central system's
/// ChangeAvailability, Reset, UpdateFirmware and GetDiagnostics, and what TriggerMessage needs from it.
public protocol ChargePointOperations: Sendable {
    func changeAvailability(_ request: ChangeAvailabilityRequest) async -> ChangeAvailabilityConfirmation
    /// Answers at once; the reset itself runs after the confirmation went out.
    func reset(_ request: ResetRequest) async -> ResetConfirmation
    func updateFirmware(_ request: UpdateFirmwareRequest) async -> UpdateFirmwareConfirmation
    func getDiagnostics(_ request: GetDiagnosticsRequest) async -> GetDiagnosticsConfirmation
    func firmwareStatus() async -> FirmwareStatus
    func diagnosticsStatus() async -> DiagnosticsStatus
    /// MeterValues with the connector's current readings (context Trigger).
    func triggeredMeterValues(connectorId: Int) async -> TriggeredMeterValues
}

/// What TriggerMessage(MeterValues) finds for one connector.
public enum TriggeredMeterValues: Sendable, Equatable {
    case unknownConnector
    /// No fresh reading (no meter, or it is stale): nothing to send for this connector.
    case noReading
    case values(MeterValuesRequest)
}

extension OCPPUplink {
    public func attach(operations: any ChargePointOperations) {
        self.operations = operations
    }

    func changeAvailability(_ request: ChangeAvailabilityRequest) async -> ChangeAvailabilityConfirmation {
        guard let operations else { return ChangeAvailabilityConfirmation(status: .rejected) }
        return await operations.changeAvailability(request)
    }

    func reset(_ request: ResetRequest) async -> ResetConfirmation {
        guard let operations else { return ResetConfirmation(status: .rejected) }
        return await operations.reset(request)
    }

    func updateFirmware(_ request: UpdateFirmwareRequest) async -> UpdateFirmwareConfirmation {
        guard let operations else { return UpdateFirmwareConfirmation() }
        return await operations.updateFirmware(request)
    }

    func getDiagnostics(_ request: GetDiagnosticsRequest) async -> GetDiagnosticsConfirmation {
        guard let operations else { return GetDiagnosticsConfirmation() }
        return await operations.getDiagnostics(request)
    }

    /// True once BootNotification was accepted on the current link.
    public func isRegistered() -> Bool { registration == .accepted }

    /// Sends a FirmwareStatusNotification or DiagnosticsStatusNotification now. False when not registered (the caller
    /// keeps the status and sends it after the next boot).
    @discardableResult
    public func notify(_ request: some OCPPRequest) async -> Bool {
        guard registration == .accepted else { return false }
        do {
            await submit(try OutgoingCall(request), at: .now)
            return true
        } catch {
            logger.error("notification breaks its schema; not sent", metadata: ["problem": "\(error)"])
            return true  // sending it again would not help
        }
    }

    /// TriggerMessage (OCPP 1.6 §5.17) for every message it names. The triggered messages go out after the
    /// confirmation. A connector that does not exist is Rejected; connectorId is ignored where it means nothing.
    func triggerMessage(_ request: TriggerMessageRequest) async -> (TriggerMessageConfirmation, [OutgoingCall?]) {
        let accepted = TriggerMessageConfirmation(status: .accepted)
        let rejected = TriggerMessageConfirmation(status: .rejected)
        guard registration == .accepted else { return (rejected, []) }
        switch request.requestedMessage {
        case .heartbeat:
            return (accepted, [try? OutgoingCall(HeartbeatRequest())])
        case .bootNotification:
            // Answered through the usual boot handling (heartbeat interval, statuses after Accepted).
            return (accepted, [try? OutgoingCall(settings.bootNotification)])
        case .statusNotification:
            var statuses = await connectors.currentConnectorStatuses()
            if !statuses.contains(where: { $0.connectorId == 0 }) {
                statuses.append(ConnectorStatus(connectorId: 0, status: .available))
            }
            statuses.sort { $0.connectorId < $1.connectorId }
            guard let connectorId = request.connectorId else { return (accepted, statuses.map(statusNotification(for:))) }
            guard let status = statuses.first(where: { $0.connectorId == connectorId }) else { return (rejected, []) }
            return (accepted, [statusNotification(for: status)])
        case .firmwareStatusNotification:
            guard let operations else { return (TriggerMessageConfirmation(status: .notImplemented), []) }
            return (accepted, [try? OutgoingCall(FirmwareStatusNotificationRequest(status: await operations.firmwareStatus()))])
        case .diagnosticsStatusNotification:
            guard let operations else { return (TriggerMessageConfirmation(status: .notImplemented), []) }
            return (accepted, [try? OutgoingCall(DiagnosticsStatusNotificationRequest(status: await operations.diagnosticsStatus()))])
        case .meterValues:
            guard let operations else { return (TriggerMessageConfirmation(status: .notImplemented), []) }
            let ids: [Int]
            if let connectorId = request.connectorId {
                ids = [connectorId]
            } else {
                ids = await connectors.currentConnectorStatuses().map(\.connectorId).filter { $0 != 0 }.sorted()
            }
            var calls: [OutgoingCall?] = []
            for id in ids {
                switch await operations.triggeredMeterValues(connectorId: id) {
                case .unknownConnector: return (rejected, [])
                case .noReading: continue  // nothing to report for it; the others still do
                case .values(let request): calls.append(try? OutgoingCall(request))
                }
            }
            return (accepted, calls)
        }
    }
}
