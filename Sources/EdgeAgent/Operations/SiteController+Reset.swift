import Foundation
import MeterBus
import OCPP

/// What a Reset and TriggerMessage(MeterValues) need from the site controller.
extension SiteController {
    /// Reset: no new session starts from now on (every connector counts as inoperative until the restart), and every
    /// running compartment transaction stops with `reason` while its door stays locked for the owner. Returns once
    /// every StopTransaction is committed to the durable queue (or `patience` ran out), with the number stopped.
    public func stopTransactionsForReset(reason: SessionStopReason, patience: Duration = .seconds(10)) async -> Int {
        operationsView.resetting = true
        applyAvailability()
        var stopping: [String: String] = [:]  // compartment -> session id
        for compartment in configuration.compartments {
            guard let open = sessionView.machines[compartment.name]?.openSession, open.chargingStartedAt != nil,
                  open.transactionStoppedAt == nil else { continue }
            stopping[compartment.name] = open.id
            feedSession(compartment.name, .stopTransactionKeepingDoor(reason: reason))
        }
        if !stopping.isEmpty {
            logger.notice("reset: transactions stopped; doors stay locked for their owners", metadata: [
                "reason": "\(reason.rawValue)", "compartments": "\(stopping.keys.sorted().joined(separator: ", "))",
            ])
        }
        let deadline = ContinuousClock.now.advanced(by: patience)
        while ContinuousClock.now < deadline {
            let waiting = stopping.filter { name, id in
                guard let session = sessionView.machines[name]?.session, session.id == id else { return false }
                return !session.stopTransactionQueued
            }
            if waiting.isEmpty { return stopping.count }
            try? await Task.sleep(for: .milliseconds(50))
        }
        logger.error("reset: not every StopTransaction was queued in time; the next start queues what is missing", metadata: [
            "reason": "\(reason.rawValue)",
        ])
        return stopping.count
    }

    /// MeterValues with the connector's current readings (context Trigger). Connector 0 is the site's grid meter.
    public func triggeredMeterValues(connectorId: Int) async -> TriggeredMeterValues {
        let role: MeteredDevice.Role
        let name: String
        var transactionId: Int?
        if connectorId == 0 {
            (role, name) = (.grid, "grid")
        } else if let compartment = configuration.compartments.first(where: { $0.connectorId == connectorId }) {
            (role, name) = (.compartment, compartment.name)
            transactionId = sessionView.machines[compartment.name]?.openSession.flatMap {
                $0.transactionStoppedAt == nil ? $0.centralTransactionId : nil
            }
        } else if let charger = configuration.chargers.first(where: { $0.connectorId == connectorId }) {
            (role, name) = (.charger, charger.name)
            transactionId = chargerView.machines[connectorId]?.openSession?.centralTransactionId
        } else {
            return .unknownConnector
        }
        guard let metering, let status = await metering.status(role: role, name: name), !status.stale,
              let time = status.time else { return .noReading }
        var sampled: [SampledValue] = []
        for value in status.values where value.phase == nil {
            guard let reading = value.value else { continue }
            let unit = value.unit.lowercased()
            switch value.measurand {
            case .energyActiveImportRegister:
                sampled.append(SampledValue(
                    value: String(Int((unit.hasPrefix("k") ? reading * 1000 : reading).rounded())), context: .trigger,
                    measurand: .energyActiveImportRegister, location: connectorId == 0 ? .inlet : .outlet, unit: .wh))
            case .powerActiveImport:
                sampled.append(SampledValue(
                    value: String(format: "%.1f", unit.hasPrefix("k") ? reading * 1000 : reading), context: .trigger,
                    measurand: .powerActiveImport, location: connectorId == 0 ? .inlet : .outlet, unit: .w))
            default:
                continue
            }
        }
        guard !sampled.isEmpty else { return .noReading }
        return .values(MeterValuesRequest(
            connectorId: connectorId, transactionId: transactionId, meterValue: [MeterValue(timestamp: time, sampledValue: sampled)]))
    }
}
