import Foundation
import LockerIO
import OCPP

/// Carrying out what a compartment's session machine decided, in order. A `persist` that cannot be committed
/// stops the rest: nothing is acted on that the store does not hold (DESIGN invariant 5).
extension SiteController {
    func apply(_ commands: [SessionCommand], to name: String) async {
        let device = hardware?.compartment(named: name)
        let connectorId = configuration.compartment(named: name)?.connectorId ?? 0
        for command in commands {
            switch command {
            case .persist:
                break  // committed by `commitRecords` before the effects were queued
            case .lock:
                await device?.lock()
            case .unlock(let reason):
                let why =
                    switch reason {
                    case .owner: "the session's owner ended the session"
                    case .unclaimed: "nobody authorized the closed door within ConnectionTimeOut"
                    case .freed: "the ended session's owner shut the door; the compartment is free for the next driver"
                    case .remoteStop: "RemoteStopTransaction from the central system (sessions.remoteStopUnlocks)"
                    case .ownerAgain: "the ended session's owner presented their card again; the door was still latched"
                    }
                do {
                    try store.appendAudit(AuditRecord(
                        recordedAt: Date(), actor: "session", action: "unlock", target: name, reason: why))
                } catch {
                    logger.critical("unlock not recorded in the audit log, so the door stays locked", metadata: [
                        "compartment": "\(name)", "error": "\(error)",
                    ])
                    continue
                }
                await device?.unlock()
            case .relay(let on):
                if let device, await device.setRelay(on: on) == false, on {
                    logger.error("socket relay refused by the hardware interlock", metadata: ["compartment": "\(name)"])
                }
            case let .startTransaction(sessionId, idTag, meterStartWh, at):
                await queueStart(sessionId: sessionId, connectorId: connectorId, idTag: idTag, meterStartWh: meterStartWh, at: at)
            case let .meterValues(sessionId, reading, aligned):
                await queueMeterValues(sessionId: sessionId, connectorId: connectorId, reading: reading, aligned: aligned)
            case let .stopTransaction(sessionId, meterStopWh, reason, idTag, at):
                await queueStop(sessionId: sessionId, meterStopWh: meterStopWh, reason: reason, idTag: idTag, at: at)
            case .fault(let fault):
                logger.error("compartment fault", metadata: [
                    "compartment": "\(name)", "fault": "\(fault.rawValue)",
                    "vendorErrorCode": "\(fault.vendorErrorCode)",
                ])
            case .feedback(let feedback):
                driverFeedback(feedback, compartment: name, reader: nil)
            case .log(let message):
                logger.warning("\(message)", metadata: ["compartment": "\(name)"])
            }
            if SessionFailpoint.armed != nil { SessionFailpoint.check(SessionFailpoint.reached(after: command, in: commands)) }
        }
        await showSessionOnIndicator(name, device: device)
        refreshCompartmentState(name)
    }

    /// Commits a record; the controller's copy follows the store's.
    @discardableResult
    func commit(_ record: SessionRecord) -> Bool {
        do {
            try store.saveSession(record)
        } catch {
            logger.critical("session record not committed", metadata: ["session": "\(record.id)", "error": "\(error)"])
            return false
        }
        if record.state == .closed { sessionView.records[record.id] = nil } else { sessionView.records[record.id] = record }
        smsSessionCommitted(record)
        return true
    }

    /// Changes a stored session (transaction ids, queued flags) in the store, the cache and its machine.
    /// The machine's copy is the newest (it may hold meter readings not yet committed), so the change is made
    /// to it when the session is still the machine's, else to the last committed copy.
    func updateSession(_ id: String, _ change: (inout SessionRecord) -> Void) {
        guard let committed = sessionView.records[id] else { return }
        let name = committed.compartment
        if var machine = sessionView.machines[name], var current = machine.session, current.id == id {
            change(&current)
            guard commit(current) else { return }
            machine.adopt(current)
            sessionView.machines[name] = machine
        } else {
            var record = committed
            change(&record)
            commit(record)
        }
    }

    // MARK: Transactions through the uplink

    private func queueStart(sessionId: String, connectorId: Int, idTag: String, meterStartWh: Int, at: Date) async {
        guard let uplink = sessionView.uplink else { return }  // no central system: the session is only local
        // After a crash between queueing and recording it, the StartTransaction is already in the queue.
        if let queued = queuedStart(connectorId: connectorId, idTag: idTag, at: at) {
            updateSession(sessionId) { $0.localTransactionId = queued.rawValue }
            return
        }
        do {
            let local = try await uplink.enqueueStartTransaction(
                connectorId: connectorId, idTag: idTag, meterStart: meterStartWh,
                reservationId: sessionView.records[sessionId]?.reservationId, timestamp: at)
            updateSession(sessionId) { $0.localTransactionId = local.rawValue }
            // The central system may have answered while the id was being recorded.
            if let outcome = sessionView.unmatchedStartOutcomes.removeValue(forKey: local.rawValue) {
                await transactionConfirmed(outcome)
            }
        } catch {
            logger.critical("StartTransaction could not be queued; it is queued again at the next start", metadata: [
                "session": "\(sessionId)", "error": "\(error)",
            ])
        }
    }

    private func queuedStart(connectorId: Int, idTag: String, at: Date) -> LocalTransactionID? {
        guard let queued = try? store.queuedMessages() else { return nil }
        for record in queued {
            if case let .startTransaction(local, request) = record.message, request.connectorId == connectorId,
               request.idTag == idTag, abs(request.timestamp.timeIntervalSince(at)) < 0.001
            {
                return local
            }
        }
        return nil
    }

    /// MeterValues with the measurands MeterValuesSampledData (or MeterValuesAlignedData) asks for, of those the
    /// compartment meter gives; the energy register always, since the transaction needs it.
    private func queueMeterValues(
        sessionId: String, connectorId: Int, reading: CompartmentMeterReading, aligned: Bool
    ) async {
        guard let uplink = sessionView.uplink, let local = sessionView.records[sessionId]?.localTransactionId else { return }
        let wanted = await uplink.sessionMeasurands(aligned: aligned)
        let context: ReadingContext = aligned ? .sampleClock : .samplePeriodic
        var sampled = [SampledValue(
            value: String(Int(reading.energyWh.rounded())), context: context,
            measurand: .energyActiveImportRegister, location: .outlet, unit: .wh)]
        if let power = reading.powerWatts, wanted.contains(.powerActiveImport) {
            sampled.append(SampledValue(
                value: String(format: "%.1f", power), context: context, measurand: .powerActiveImport,
                location: .outlet, unit: .w))
        }
        let value = MeterValue(timestamp: reading.at, sampledValue: sampled)
        do {
            try await uplink.enqueueMeterValues(
                localTransactionId: LocalTransactionID(local), connectorId: connectorId, meterValue: [value])
        } catch {
            logger.warning("MeterValues not queued", metadata: ["session": "\(sessionId)", "error": "\(error)"])
        }
    }

    func queueStop(sessionId: String, meterStopWh: Int, reason: SessionStopReason, idTag: String?, at: Date) async {
        guard let uplink = sessionView.uplink else {
            updateSession(sessionId) { $0.stopTransactionQueued = true }
            return
        }
        guard let record = sessionView.records[sessionId] ?? (try? store.sessions(activeOnly: false, limit: 50))?
            .first(where: { $0.id == sessionId }) else { return }
        sessionView.records[sessionId] = record
        guard let local = record.localTransactionId else {
            logger.error("StopTransaction for a transaction that was never queued; nothing to stop", metadata: [
                "session": "\(sessionId)",
            ])
            return
        }
        if stopAlreadyQueued(LocalTransactionID(local)) {
            updateSession(sessionId) { $0.stopTransactionQueued = true }
            return
        }
        do {
            try await uplink.enqueueStopTransaction(
                localTransactionId: LocalTransactionID(local), meterStop: meterStopWh, timestamp: at,
                reason: Reason(rawValue: reason.rawValue) ?? .other, idTag: idTag)
            updateSession(sessionId) { $0.stopTransactionQueued = true }
        } catch {
            logger.critical("StopTransaction could not be queued; it is queued again at the next start", metadata: [
                "session": "\(sessionId)", "error": "\(error)",
            ])
        }
    }

    /// A StopTransaction for `local` is waiting in the queue, or the central system already confirmed one.
    private func stopAlreadyQueued(_ local: LocalTransactionID) -> Bool {
        let queued = (try? store.queuedMessages()) ?? []
        if queued.contains(where: { if case .stopTransaction(.local(local), _) = $0.message { true } else { false } }) {
            return true
        }
        // The uplink forgets a transaction once its StopTransaction is confirmed.
        return (try? store.transactionIsKnown(local)) == false
    }

    func transactionConfirmed(_ outcome: StartTransactionOutcome) async {
        if await chargerTransactionConfirmed(outcome) { return }  // a charger's transaction (Chargers/)
        guard let id = sessionView.records.values.first(where: { $0.localTransactionId == outcome.localTransactionId.rawValue })?.id
        else {
            // Answered before queueStart recorded the local id: applied once it is (bounded: sessions only).
            if sessionView.unmatchedStartOutcomes.count < 100 {
                sessionView.unmatchedStartOutcomes[outcome.localTransactionId.rawValue] = outcome
            }
            return
        }
        updateSession(id) { $0.centralTransactionId = outcome.transactionId }
        guard let name = sessionView.records[id]?.compartment else { return }
        if outcome.idTagInfo.status != .accepted {
            let stop = await sessionView.uplink?.stopsTransactionsOnInvalidId() ?? true
            logger.warning("the central system did not accept the idTag of a started transaction", metadata: [
                "session": "\(id)", "status": "\(outcome.idTagInfo.status.rawValue)",
                "action": "\(stop ? "transaction stopped (DeAuthorized); the door stays locked for the owner" : "none")",
            ])
            if stop { feedSession(name, .deauthorized(sessionId: id)) }
        }
        refreshCompartmentState(name)
    }

    // MARK: The driver

    func driverFeedback(_ feedback: DriverFeedback, compartment: String?, reader: String?) {
        hardwareView.record(SiteEvent(
            at: Date(), source: .reader, kind: "sessionFeedback", reader: reader, compartment: compartment,
            detail: feedback.rawValue))
        logger.info("driver feedback", metadata: [
            "compartment": "\(compartment ?? "-")", "reader": "\(reader ?? "-")", "feedback": "\(feedback.rawValue)",
        ])
    }

    private func showSessionOnIndicator(_ name: String, device: CompartmentHardware?) async {
        guard let device, let machine = sessionView.machines[name] else { return }
        let pattern: IndicatorPattern =
            switch machine.status {
            case .available: .free
            case .preparing, .finishing, .reserved: .occupied
            case .charging, .suspendedEV, .suspendedEVSE: .charging
            case .faulted, .unavailable: .fault
            }
        if await device.status?.indicator != pattern { await device.setIndicator(pattern) }
    }
}
