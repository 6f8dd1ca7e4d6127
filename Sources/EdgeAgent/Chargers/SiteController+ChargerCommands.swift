import Foundation
import MeterBus
import Metrics
import OCPP

/// Carrying out what a charger's session machine decided, in order: writes to the charge controller through its
/// profile (read back), transactions through the uplink's durable queue, demand to load balancing.
extension SiteController {
    func applyCharger(_ commands: [ChargerCommand], connectorId: Int) async {
        guard let charger = configuration.chargers.first(where: { $0.connectorId == connectorId }) else { return }
        for command in commands {
            switch command {
            case .persist:
                break  // committed by `commitChargerRecords` before the effects were queued
            case .setCurrent(let amps):
                await writeCharger(charger, value: "current-setpoint", to: amps)
            case .enable(let on):
                await writeCharger(charger, value: "charging-enabled", to: on ? 1 : 0)
            case let .startTransaction(sessionId, idTag, meterStartWh, at):
                Counter(label: "edge_agent_chargers_sessions_started_total", dimensions: [("charger", charger.name)]).increment()
                await queueChargerStart(sessionId: sessionId, connectorId: connectorId, idTag: idTag, meterStartWh: meterStartWh, at: at)
            case let .meterValues(sessionId, reading):
                await queueChargerMeterValues(sessionId: sessionId, connectorId: connectorId, reading: reading)
            case let .stopTransaction(sessionId, meterStopWh, reason, idTag, at):
                await queueChargerStop(
                    sessionId: sessionId, connectorId: connectorId, meterStopWh: meterStopWh, reason: reason, idTag: idTag, at: at)
            case .demand(let demand):
                setChargerDemand(demand, connectorId: connectorId)
            case .fault(let fault):
                logger.error("charger fault", metadata: [
                    "charger": "\(charger.name)", "fault": "\(fault.rawValue)", "vendorErrorCode": "\(fault.vendorErrorCode)",
                ])
            case .feedback(let feedback):
                driverFeedback(feedback, compartment: charger.name, reader: charger.reader)
            case .log(let message):
                logger.warning("\(message)", metadata: ["charger": "\(charger.name)"])
            }
        }
    }

    /// At a graceful stop, while metering still runs: every charger is switched off, so nothing charges while no
    /// balancing loop watches the grid limit (DESIGN invariant 3). Sessions stay stored; after the next start the
    /// restored machine enables the charger again for its running transaction.
    func parkChargersForShutdown() async {
        stopChargers()
        for charger in configuration.chargers {
            await writeCharger(charger, value: "charging-enabled", to: 0)
        }
        if !configuration.chargers.isEmpty {
            logger.notice("chargers switched off for the stop; running sessions continue after the next start")
        }
    }

    /// One write to the charge controller; a failure is logged, shown in the status and reported to the machine
    /// (Faulted with CHARGER_SETPOINT_REJECTED), which writes again after the next reading.
    private func writeCharger(_ charger: ChargerConfiguration, value: String, to number: Double) async {
        guard let metering else {
            logger.error("no metering: the charger cannot be written to", metadata: ["charger": "\(charger.name)"])
            return
        }
        do {
            try await metering.write(role: .charger, name: charger.name, value: value, to: number)
            Gauge(label: value == "current-setpoint" ? "edge_agent_chargers_current_setpoint_amps" : "edge_agent_chargers_enabled",
                  dimensions: [("charger", charger.name)]).record(number)
            if chargerView.lastWriteError[charger.connectorId] != nil {
                chargerView.lastWriteError[charger.connectorId] = nil
                feedCharger(charger.connectorId, .writeResult(failure: nil))
            }
        } catch {
            let failure = "\(value) = \(number): \(error)"
            logger.error("charger write failed", metadata: ["charger": "\(charger.name)", "write": "\(failure)"])
            chargerView.lastWriteError[charger.connectorId] = failure
            Counter(label: "edge_agent_chargers_write_failures_total", dimensions: [("charger", charger.name)]).increment()
            feedCharger(charger.connectorId, .writeResult(failure: failure))
        }
    }

    /// Changes a charger session's record (transaction ids, queued flags) in the store and in its machine.
    func updateChargerSession(_ id: String, _ change: (inout SessionRecord) -> Void) {
        for (connectorId, machine) in chargerView.machines {
            guard var record = machine.session, record.id == id else { continue }
            change(&record)
            do {
                try store.saveSession(record)
            } catch {
                logger.critical("charger session record not committed", metadata: ["session": "\(id)", "error": "\(error)"])
                return
            }
            var updated = machine
            updated.adopt(record)
            chargerView.machines[connectorId] = updated
            return
        }
        // The session already left its machine (closed): change the stored copy.
        guard var record = ((try? store.sessions(activeOnly: false, limit: 50)) ?? []).first(where: { $0.id == id }) else { return }
        change(&record)
        do {
            try store.saveSession(record)
        } catch {
            logger.critical("charger session record not committed", metadata: ["session": "\(id)", "error": "\(error)"])
        }
    }

    func chargerRecord(_ id: String) -> SessionRecord? {
        if let record = chargerView.machines.values.compactMap(\.session).first(where: { $0.id == id }) { return record }
        return ((try? store.sessions(activeOnly: false, limit: 50)) ?? []).first { $0.id == id }
    }

    // MARK: Transactions through the uplink

    private func queueChargerStart(sessionId: String, connectorId: Int, idTag: String, meterStartWh: Int, at: Date) async {
        guard let uplink = chargerView.uplink else { return }  // no central system: the session is only local
        // After a crash between queueing and recording it, the StartTransaction is already in the queue.
        for record in (try? store.queuedMessages()) ?? [] {
            if case let .startTransaction(local, request) = record.message, request.connectorId == connectorId,
               request.idTag == idTag, abs(request.timestamp.timeIntervalSince(at)) < 0.001
            {
                updateChargerSession(sessionId) { $0.localTransactionId = local.rawValue }
                return
            }
        }
        do {
            let local = try await uplink.enqueueStartTransaction(
                connectorId: connectorId, idTag: idTag, meterStart: meterStartWh, timestamp: at)
            updateChargerSession(sessionId) { $0.localTransactionId = local.rawValue }
        } catch {
            logger.critical("StartTransaction of a charger could not be queued; it is queued again at the next start",
                            metadata: ["session": "\(sessionId)", "error": "\(error)"])
        }
    }

    /// MeterValues with the energy register always, and power and offered current when MeterValuesSampledData
    /// asks for them.
    private func queueChargerMeterValues(sessionId: String, connectorId: Int, reading: CompartmentMeterReading) async {
        guard let uplink = chargerView.uplink, let local = chargerRecord(sessionId)?.localTransactionId else { return }
        let wanted = await uplink.sessionMeasurands(aligned: false)
        var sampled = [SampledValue(
            value: String(Int(reading.energyWh.rounded())), context: .samplePeriodic,
            measurand: .energyActiveImportRegister, location: .outlet, unit: .wh)]
        if let power = reading.powerWatts, wanted.contains(.powerActiveImport) {
            sampled.append(SampledValue(
                value: String(format: "%.1f", power), context: .samplePeriodic, measurand: .powerActiveImport,
                location: .outlet, unit: .w))
        }
        if wanted.contains(.currentOffered), let amps = chargerView.machines[connectorId]?.commandedAmps,
           chargerView.machines[connectorId]?.commandedEnabled == true
        {
            sampled.append(SampledValue(
                value: String(format: "%.1f", amps), context: .samplePeriodic, measurand: .currentOffered,
                location: .outlet, unit: .a))
        }
        do {
            try await uplink.enqueueMeterValues(
                localTransactionId: LocalTransactionID(local), connectorId: connectorId,
                meterValue: [MeterValue(timestamp: reading.at, sampledValue: sampled)])
        } catch {
            logger.warning("MeterValues of a charger not queued", metadata: ["session": "\(sessionId)", "error": "\(error)"])
        }
    }

    private func queueChargerStop(
        sessionId: String, connectorId: Int, meterStopWh: Int, reason: SessionStopReason, idTag: String?, at: Date
    ) async {
        guard let uplink = chargerView.uplink else {
            updateChargerSession(sessionId) { $0.stopTransactionQueued = true }
            return
        }
        guard let localId = chargerRecord(sessionId)?.localTransactionId else {
            logger.error("StopTransaction for a charger transaction that was never queued; nothing to stop", metadata: [
                "session": "\(sessionId)",
            ])
            return
        }
        let local = LocalTransactionID(localId)
        let queued = (try? store.queuedMessages()) ?? []
        let alreadyQueued = queued.contains { if case .stopTransaction(.local(local), _) = $0.message { true } else { false } }
            || (try? store.transactionIsKnown(local)) == false
        if !alreadyQueued {
            do {
                try await uplink.enqueueStopTransaction(
                    localTransactionId: local, meterStop: meterStopWh, timestamp: at,
                    reason: Reason(rawValue: reason.rawValue) ?? .other, idTag: idTag)
            } catch {
                logger.critical("StopTransaction of a charger could not be queued; it is queued again at the next start",
                                metadata: ["session": "\(sessionId)", "error": "\(error)"])
                return
            }
        }
        updateChargerSession(sessionId) { $0.stopTransactionQueued = true }
    }

    /// The central system confirmed a StartTransaction: true when it was a charger's (its transaction id is
    /// recorded; an idTag it did not accept stops the transaction with DeAuthorized per StopTransactionOnInvalidId).
    func chargerTransactionConfirmed(_ outcome: StartTransactionOutcome) async -> Bool {
        guard let (connectorId, machine) = chargerView.machines.first(where: {
            $0.value.session?.localTransactionId == outcome.localTransactionId.rawValue
        }), let id = machine.session?.id else { return false }
        updateChargerSession(id) { $0.centralTransactionId = outcome.transactionId }
        if outcome.idTagInfo.status != .accepted, await chargerView.uplink?.stopsTransactionsOnInvalidId() ?? true {
            logger.warning("the central system did not accept the idTag of a charger transaction; stopped (DeAuthorized)",
                           metadata: ["session": "\(id)", "status": "\(outcome.idTagInfo.status.rawValue)"])
            feedCharger(connectorId, .deauthorized(sessionId: id))
        }
        return true
    }

    // MARK: What the status shows

    func chargerStatuses() -> [SiteStatus.Charger] {
        configuration.chargers.map { charger in
            let machine = chargerView.machines[charger.connectorId]
            var status = SiteStatus.Charger(
                connectorId: charger.connectorId, status: (machine?.status ?? .available).rawValue)
            status.name = charger.name
            status.plug = machine?.plugged.map { $0 ? "plugged" : "unplugged" } ?? "unknown"
            status.pilotState = machine?.latest?.pilot?.rawValue
            status.enabled = machine?.latest?.enabled
            status.currentSetpointAmps = machine?.latest?.setpointAmps
            status.allowedCurrentAmps = machine?.allowedAmps
            status.fault = machine?.fault?.rawValue
            status.lastWriteError = chargerView.lastWriteError[charger.connectorId]
            status.session = machine?.session.map { SessionSummary($0, now: Date()) }
            return status
        }
    }
}
