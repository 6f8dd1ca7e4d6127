import Foundation
import LockerIO

/// The answer to an operator's unlock.
public struct UnlockResult: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        /// The lock feedback or the door opening confirmed it (or the compartment was already unlocked).
        case unlocked
        /// Every attempt went unconfirmed; the lock is reported jammed.
        case unlockFailed
    }

    public var compartment: String
    public var outcome: Outcome
    /// `feedback`, `doorOpened`, or `alreadyUnlocked`; absent when the unlock failed.
    public var confirmedBy: String?
    public var door: String
    public var lock: String
    /// The audit record written before the lock was touched.
    public var auditRecordId: Int64?
}

/// Why an operator action was refused. Nothing was changed.
public enum OperatorActionError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownCompartment(String, known: [String])
    case missingReason
    case noHardware
    case store(StoreError)

    public var description: String {
        switch self {
        case let .unknownCompartment(name, known):
            "no compartment named '\(name)'; compartments of this site: \(known.joined(separator: ", "))"
        case .missingReason:
            "a reason is required and is written to the audit log; send {\"reason\": \"<why>\"}"
        case .noHardware:
            "the site's hardware is not running; nothing was unlocked"
        case .store(let error):
            "the audit record could not be written, so nothing was done: \(error)"
        }
    }
}

extension SiteController {
    // MARK: Following the hardware

    /// Takes the hardware's current state as the site's, then follows every status change, compartment event,
    /// reader event and the emergency input. Call after `SiteHardware.start()` and before the local API
    /// serves, so the first status already shows the real doors and locks.
    public func followHardware() async {
        guard let hardware, hardwareView.followTasks.isEmpty else { return }
        for (compartment, device) in zip(configuration.compartments, hardware.compartments) {
            let name = compartment.name
            let statuses = await device.statusChanges()
            let events = await device.events()
            if let status = await device.status { hardwareStatusChanged(name, status) }
            hardwareView.followTasks.append(Task {
                for await status in statuses { self.hardwareStatusChanged(name, status) }
            })
            hardwareView.followTasks.append(Task {
                for await record in events { self.compartmentEvent(name, record.event) }
            })
        }
        if let emergency = hardware.emergency {
            let changes = await emergency.changes()
            hardwareView.followTasks.append(Task {
                for await active in changes { self.emergencyInputChanged(active: active) }
            })
        }
        let readerEvents = hardware.readerEvents
        hardwareView.followTasks.append(Task {
            for await event in readerEvents { self.readerEvent(event) }
        })
    }

    func hardwareStatusChanged(_ name: String, _ status: CompartmentStatus) {
        hardwareView.statuses[name] = status
        refreshCompartmentState(name)
        sessionHardwareChanged(name, status)
    }

    /// Rebuilds the status line of one compartment from what the hardware and the controller know.
    func refreshCompartmentState(_ name: String) {
        guard let connectorId = configuration.compartments.first(where: { $0.name == name })?.connectorId,
              var state = compartmentStates[connectorId], let status = hardwareView.statuses[name] else { return }
        let faults = hardwareView.faults(of: name)
        state.door = status.door.rawValue
        state.lock = status.lock.rawValue
        state.relay = status.relayOn ? "on" : "off"
        state.lockFeedback = status.lockFeedback?.rawValue
        state.faults = faults
        state.fault = faults.first
        state.emergency = status.emergency
        state.indicator = status.indicator.rawValue
        // Hardware faults and the emergency input override what the session shows (Preparing, Charging, ...).
        state.status = !faults.isEmpty ? "Faulted" : status.emergency ? "Unavailable" : sessionConnectorStatus(name)
        if faults.isEmpty, let sessionFault = sessionView.machines[name]?.shownFault {
            state.fault = sessionFault.rawValue
            state.faults = [sessionFault.rawValue]
        }
        state.session = sessionSummary(name)
        compartmentStates[connectorId] = state
    }

    func compartmentEvent(_ name: String, _ event: CompartmentEvent) {
        hardwareView.record(SiteEvent(event, compartment: name, at: Date()))
        smsCompartmentEvent(name, event)
        switch event {
        case .relayRefused:
            hardwareView.controllerFaults[name, default: []].insert("relayRefused")
        case .relaySwitched(on: true), .faultsCleared:
            hardwareView.controllerFaults[name]?.remove("relayRefused")
        case .unlockConfirmed(let by):
            resolveUnlockWaiters(name, with: .confirmed(by.rawValue))
        case .lockJammed:
            resolveUnlockWaiters(name, with: .jammed)
        case .forcedOpen:
            sessionDoorMoved(name, closed: false)
            sessionInput(name, .forcedOpen)
        case .doorOpened, .doorClosed:
            sessionDoorMoved(name, closed: event == .doorClosed)
        default:
            break
        }
        refreshCompartmentState(name)
    }

    /// The emergency input acts on the compartments by itself (a fire alarm must not wait for a disk); the
    /// controller commits the audit record as it happens.
    func emergencyInputChanged(active: Bool) {
        guard active != hardwareView.emergencyActive else { return }
        hardwareView.emergencyActive = active
        let reason = active
            ? "emergency input active: every compartment unlocked, every relay off"
            : "emergency input released: doors re-latch as they close"
        do {
            try store.appendAudit(AuditRecord(
                recordedAt: Date(), actor: "emergency-input", action: "emergency", target: "site", reason: reason))
        } catch {
            logger.error("could not record the emergency in the audit log", metadata: ["error": "\(error)"])
        }
        hardwareView.record(SiteEvent(
            at: Date(), source: .emergencyInput, kind: active ? "emergencyActive" : "emergencyReleased", detail: reason))
        logger.log(level: active ? .critical : .notice, "\(reason)")
        if active { sessionEmergency() }
    }

    func readerEvent(_ event: ReaderEvent) {
        let compartment = configuration.rfidReaders.first { $0.name == event.readerID }?.compartment
        let siteEvent = SiteEvent(event, compartment: compartment, at: Date())
        hardwareView.record(siteEvent)
        logger.info("reader event", metadata: [
            "reader": "\(event.readerID)", "kind": "\(siteEvent.kind)", "idTag": "\(siteEvent.idTag ?? "-")",
        ])
        if chargerReaderEvent(event) { return }  // a charger's own reader (Chargers/)
        sessionReaderEvent(event, compartment: compartment)
    }

    /// The most recent hardware events, newest first.
    public func recentEvents(limit: Int) -> [SiteEvent] {
        Array(hardwareView.events.suffix(max(0, limit)).reversed())
    }

    // MARK: Operator actions

    /// Unlocks a compartment for an operator (DESIGN invariant 1): the audit record with who and why is
    /// committed first, then the lock is pulsed, and the answer waits for the lock feedback or the door.
    public func operatorUnlock(compartment name: String, reason: String, actor: String) async throws(OperatorActionError)
        -> UnlockResult
    {
        let (compartment, device) = try hardwareCompartment(named: name)
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .missingReason }
        let record: AuditRecord
        do {
            record = try store.appendAudit(AuditRecord(
                recordedAt: Date(), actor: actor, action: "unlock", target: compartment.name, reason: trimmed))
        } catch {
            throw .store(error)
        }
        logger.notice("operator unlock", metadata: ["compartment": "\(compartment.name)", "actor": "\(actor)"])
        // An open session ends first (committed, socket off, StopTransaction queued), then the lock moves.
        await sessionOperatorUnlocked(compartment.name)
        let policy = device.config.policy
        let patience = policy.unlockConfirmTimeout * (policy.unlockRetries + 1) + .seconds(2)
        let waiter = hardwareView.nextWaiter
        hardwareView.nextWaiter += 1
        let wait = await withCheckedContinuation { (continuation: CheckedContinuation<UnlockWait, Never>) in
            hardwareView.unlockWaiters[compartment.name, default: [:]][waiter] = continuation
            Task {
                await device.unlock()
                if await device.status?.lock == .unlocked {
                    self.resolveUnlockWaiter(compartment.name, waiter, with: .alreadyUnlocked)
                }
            }
            Task {
                try? await Task.sleep(for: patience)
                self.resolveUnlockWaiter(compartment.name, waiter, with: .timedOut)
            }
        }
        let status = await device.status
        let confirmedBy: String? =
            switch wait {
            case .confirmed(let by): by
            case .alreadyUnlocked: "alreadyUnlocked"
            case .jammed, .timedOut: nil
            }
        return UnlockResult(
            compartment: compartment.name, outcome: confirmedBy == nil ? .unlockFailed : .unlocked,
            confirmedBy: confirmedBy, door: status?.door.rawValue ?? "unknown", lock: status?.lock.rawValue ?? "unknown",
            auditRecordId: record.id)
    }

    /// Acknowledges a compartment's jammed-lock and forced-door faults, recorded in the audit log first.
    public func operatorClearFaults(compartment name: String, reason: String, actor: String) async throws(OperatorActionError)
        -> SiteStatus.Compartment?
    {
        let (compartment, device) = try hardwareCompartment(named: name)
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .missingReason }
        do {
            try store.appendAudit(AuditRecord(
                recordedAt: Date(), actor: actor, action: "clearFaults", target: compartment.name, reason: trimmed))
        } catch {
            throw .store(error)
        }
        await device.clearFaults()
        hardwareView.controllerFaults[compartment.name] = nil
        sessionView.machines[compartment.name]?.clearFault()
        if let status = await device.status { hardwareStatusChanged(compartment.name, status) }
        return compartmentStates[compartment.connectorId]
    }

    /// Audit records, newest first.
    public func auditRecords(limit: Int) throws(StoreError) -> [AuditRecord] {
        try store.auditRecords(limit: limit)
    }

    private func hardwareCompartment(named name: String) throws(OperatorActionError)
        -> (CompartmentConfiguration, CompartmentHardware)
    {
        guard let compartment = configuration.compartment(named: name) else {
            throw .unknownCompartment(name, known: configuration.compartments.map(\.name))
        }
        guard let device = hardware?.compartment(named: compartment.name) else { throw .noHardware }
        return (compartment, device)
    }

    private func resolveUnlockWaiters(_ name: String, with wait: UnlockWait) {
        guard let waiters = hardwareView.unlockWaiters.removeValue(forKey: name) else { return }
        for continuation in waiters.values { continuation.resume(returning: wait) }
    }

    func resolveUnlockWaiter(_ name: String, _ waiter: UInt64, with wait: UnlockWait) {
        guard let continuation = hardwareView.unlockWaiters[name]?.removeValue(forKey: waiter) else { return }
        continuation.resume(returning: wait)
    }
}
