import Foundation
import Logging
import OCPP

// Answers to the central system's calls (answered independently of our outstanding call).
extension OCPPUplink {
    func answer(_ call: IncomingCall, at now: Instant) async {
        guard registration != .rejected else {
            // While Rejected the charge point sends nothing until the retry interval has passed.
            logger.warning("call from the central system ignored: registration was rejected", metadata: [
                "action": "\(call.request.action.rawValue)",
            ])
            return
        }
        // Remote start/stop and reservations answer when the site has worked them out (Remote/OCPPUplink+Remote.swift).
        if answerRemoteSessionCall(call) { return }
        let frame: String
        var afterwards: [OutgoingCall?] = []
        switch call.request {
        case .getConfiguration(let request):
            frame = confirm(call, registry.getConfiguration(request, store: keys))
        case .changeConfiguration(let request):
            frame = confirm(call, await changeConfiguration(request, at: now))
        case .dataTransfer(let request):
            // Operations/DataTransferRouter.swift: UnknownVendorId / UnknownMessageId, or the registered handler's answer.
            let confirmation = await dataTransferRouter.answer(request)
            logger.info("DataTransfer", metadata: [
                "vendorId": "\(request.vendorId)", "messageId": "\(request.messageId ?? "-")", "status": "\(confirmation.status.rawValue)",
            ])
            frame = confirm(call, confirmation)
        case .sendLocalList(let request):
            frame = confirm(call, sendLocalList(request))
        case .getLocalListVersion:
            frame = confirm(call, localListVersion())
        case .clearCache:
            frame = confirm(call, clearCache())
        case .triggerMessage(let request):
            // Operations/OCPPUplink+Operations.swift: every message TriggerMessage names.
            let (confirmation, triggered) = await triggerMessage(request)
            frame = confirm(call, confirmation)
            afterwards = triggered
        case .changeAvailability(let request) where operations != nil:
            frame = confirm(call, await changeAvailability(request))
        case .reset(let request) where operations != nil:
            frame = confirm(call, await reset(request))
        case .updateFirmware(let request) where operations != nil:
            frame = confirm(call, await updateFirmware(request))
        case .getDiagnostics(let request) where operations != nil:
            frame = confirm(call, await getDiagnostics(request))
        case .unlockConnector(let request):
            // Sessions/OCPPUplink+Sessions.swift: audited, the session stopped (UnlockCommand), then the lock.
            frame = confirm(call, await unlockConnector(request))
        case .setChargingProfile(let request):
            // SmartCharging/: checked, committed, then confirmed; the limits in force go to load balancing.
            frame = confirm(call, await setChargingProfile(request))
        case .clearChargingProfile(let request):
            frame = confirm(call, await clearChargingProfile(request))
        case .getCompositeSchedule(let request):
            frame = confirm(call, await compositeSchedule(request))
        default:
            let action = call.request.action.rawValue
            logger.info("call not supported yet", metadata: ["action": "\(action)"])
            frame = RPCFrame.callError(
                id: call.id, code: .notSupported,
                description: "\(action) is not supported by this charge point yet (docs/ocpp.md lists what the uplink answers)")
        }
        outbox.yield(frame)
        // A triggered message follows its TriggerMessage.conf.
        for call in afterwards { await submit(call, at: now) }
    }

    private func confirm<P: OCPPPayload>(_ call: IncomingCall, _ confirmation: P) -> String {
        do {
            return try RPCFrame.callResult(id: call.id, confirmation: confirmation)
        } catch {
            logger.error("our confirmation breaks its schema", metadata: ["action": "\(call.request.action.rawValue)", "problem": "\(error)"])
            return RPCFrame.callError(id: call.id, code: .internalError, description: "confirmation could not be encoded: \(error)")
        }
    }

    /// Applies a ChangeConfiguration: the value is committed to the store (with an audit
    /// record) before the answer goes out, then takes effect where the spec allows it.
    private func changeConfiguration(_ request: ChangeConfigurationRequest, at now: Instant) async -> ChangeConfigurationConfirmation {
        if registry.definition(named: request.key)?.key == .securityProfile {
            // A different profile needs a different URL scheme and credentials from the site file;
            // accepting a value that would never be applied would be untrue.
            logger.notice("SecurityProfile change refused: set centralSystem.securityProfile in the site file", metadata: [
                "request": "\(request)",
            ])
            return ChangeConfigurationConfirmation(status: .rejected)
        }
        var updated = keys
        let confirmation = registry.changeConfiguration(request, store: &updated)
        guard confirmation.status == .accepted || confirmation.status == .rebootRequired,
              let definition = registry.definition(named: request.key),
              let value = updated.values[definition.key.rawValue]
        else {
            logger.info("configuration change refused", metadata: [
                "request": "\(request)", "status": "\(confirmation.status.rawValue)",
            ])
            return confirmation
        }
        do {
            try store.setOCPPConfigurationValue(value, forKey: definition.key.rawValue)
            try store.appendAudit(AuditRecord(
                recordedAt: wallClock(), actor: "central-system", action: "configuration",
                target: definition.key.rawValue, reason: "\(request) -> \(confirmation.status.rawValue)"))
        } catch {
            logger.error("configuration change not stored; answering Rejected", metadata: ["key": "\(definition.key.rawValue)", "error": "\(error)"])
            return ChangeConfigurationConfirmation(status: .rejected)
        }
        keys = updated
        logger.notice("configuration changed by the central system", metadata: [
            "request": "\(request)", "status": "\(confirmation.status.rawValue)",
        ])
        switch definition.key {
        case .heartbeatInterval where registration == .accepted:
            heartbeatDueAt = heartbeatInterval > 0 ? now.advanced(by: .seconds(heartbeatInterval)) : nil
        case .webSocketPingInterval:
            await transport.setPingInterval(seconds: registry.integer(.webSocketPingInterval, in: keys) ?? 60)
        case .authorizationKey:
            await transport.setAuthorizationKey(value)
        default:
            break
        }
        return confirmation
    }
}
