import Foundation

/// What a restart does with a session that was open when the daemon stopped.
public enum RestartTransactionPolicy: String, Sendable, Codable, Equatable, CaseIterable {
    /// The transaction goes on as if nothing happened (the default).
    case resume
    /// The transaction is stopped with reason PowerLoss (unclean stop) or Reboot (clean stop), and a new one is
    /// started for the same owner as charging resumes.
    case stopAndRestart
}

extension CompartmentSessionMachine {
    /// Rebuilds a compartment's machine at start-up from its stored session and the hardware as read, before
    /// anything else acts. A restart never releases a lock: an open session continues for its owner, the socket
    /// is switched to match the session, and a transaction message that a crash may have cut off is asked for
    /// again (the controller checks the uplink's queue before it queues anything twice).
    public static func restore(
        connectorId: Int, compartment: String, policy: SessionPolicy, stored: SessionRecord?, reading: DoorLockReading,
        latestMeter: CompartmentMeterReading?, transactions: RestartTransactionPolicy, previousRunWasClean: Bool,
        newSessionId: String, at now: Date
    ) -> (CompartmentSessionMachine, [SessionCommand]) {
        var machine = CompartmentSessionMachine(connectorId: connectorId, compartment: compartment, policy: policy)
        machine.reading = reading
        machine.latestMeter = latestMeter
        machine.relayOffAt = now  // start-up switched every relay off
        guard var record = stored, record.state != .closed else { return (machine, [.relay(on: false)]) }
        var out: [SessionCommand] = []
        switch record.state {
        case .closed:
            break
        case .finishing:
            machine.session = record
            machine.finishingDoorOpened = !reading.doorClosed
            out.append(.relay(on: false))
            if record.chargingStartedAt != nil, !record.stopTransactionQueued, let stop = record.stoppedAt {
                out.append(.stopTransaction(
                    sessionId: record.id, meterStopWh: record.meterStopWh ?? record.meterStartWh ?? 0,
                    reason: record.stopReason ?? .other, idTag: nil, at: stop))
            }
        case .locking:
            // Authorized, lock not yet confirmed: try the lock again with a fresh confirmation window.
            machine.session = record
            machine.lockRequestedAt = now
            out += [.relay(on: false), .lock]
            machine.timersDue(at: now, into: &out)
        case .charging, .chargeComplete, .suspendedByLocker:
            if record.chargingStartedAt != nil, record.localTransactionId == nil {
                out.append(.startTransaction(
                    sessionId: record.id, idTag: record.idTag, meterStartWh: record.meterStartWh ?? 0,
                    at: record.chargingStartedAt ?? now))
            }
            if let stoppedAt = record.transactionStoppedAt, !record.stopTransactionQueued {
                out.append(.stopTransaction(
                    sessionId: record.id, meterStopWh: record.meterStopWh ?? record.meterStartWh ?? 0,
                    reason: record.stopReason ?? .deAuthorized, idTag: nil, at: stoppedAt))
            }
            if transactions == .stopAndRestart, record.chargingStartedAt != nil, record.transactionStoppedAt == nil {
                let stopped = record.closedByRestart(previousRunWasClean: previousRunWasClean, tariff: policy.tariff, at: now)
                out += [.persist(stopped), .stopTransaction(
                    sessionId: stopped.id, meterStopWh: stopped.meterStopWh ?? 0, reason: stopped.stopReason ?? .powerLoss,
                    idTag: nil, at: stopped.stoppedAt ?? now)]
                var next = SessionRecord(
                    id: newSessionId, connectorId: record.connectorId, compartment: record.compartment, idTag: record.idTag,
                    parentIdTag: record.parentIdTag, authorizationMethod: record.authorizationMethod,
                    authorizationSource: record.authorizationSource, authorizedAt: record.authorizedAt,
                    occupiedSince: record.occupiedSince)
                next.state = .locking
                record = next
                machine.session = next
                machine.lockRequestedAt = now
                // Starts a new transaction at once if the door is still locked (settleLock), else waits.
                machine.timersDue(at: now, into: &out)
                return (machine, out)
            }
            let secure = reading.doorClosed && reading.locked
            if record.relayOn, !secure, !policy.chargeWithDoorOpen {
                record.relayOn = false
                record.state = .suspendedByLocker
                out.append(.persist(record))
            }
            machine.session = record
            machine.lastSampleAt = now
            machine.lastMeterInputAt = now
            out.append(.relay(on: record.relayOn))
        }
        return (machine, out)
    }
}

extension SessionRecord {
    /// The session as `stopAndRestart` closes it at start-up: stopped at its last meter reading with Reboot (clean
    /// stop) or PowerLoss (unclean), socket off, priced by `tariff`.
    func closedByRestart(previousRunWasClean: Bool, tariff: Tariff?, at now: Date) -> SessionRecord {
        let meterStop = Int((lastMeterWh ?? Double(meterStartWh ?? 0)).rounded())
        var stopped = self
        stopped.state = .closed
        stopped.stoppedAt = lastMeterAt ?? now
        stopped.meterStopWh = max(meterStop, meterStartWh ?? meterStop)
        stopped.stopReason = previousRunWasClean ? .reboot : .powerLoss
        stopped.relayOn = false
        stopped.settleAmount(by: tariff, at: stopped.stoppedAt ?? now)
        return stopped
    }
}

extension CompartmentSessionMachine {
    /// Takes the committed copy of the current session after the controller recorded something the machine
    /// does not decide (the uplink's transaction ids, the StopTransaction being queued).
    public mutating func adopt(_ record: SessionRecord) {
        guard session?.id == record.id else { return }
        session = record
    }
}

extension CompartmentSessionMachine {
    /// The operator acknowledged the compartment's faults (audited by the caller).
    public mutating func clearFault() { fault = nil }
}
