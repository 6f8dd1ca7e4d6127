import Foundation

extension ChargerSessionMachine {
    /// Rebuilds a charger's machine at start-up from its stored session, before anything else acts. Whether the
    /// car is still plugged in is known only from the first reading: a running transaction then goes on (plugged
    /// in) or is stopped with EVDisconnected (unplugged, with StopTransactionOnEVSideDisconnect). A transaction
    /// message that a crash may have cut off is asked for again (the controller checks the uplink's queue first).
    /// With `transactions: .stopAndRestart` (the site's `sessions.restartTransactions`) a running transaction is
    /// stopped with PowerLoss (unclean stop) or Reboot (clean stop) instead, and the owner's authorization is kept:
    /// a new transaction starts as soon as a reading shows the car still plugged in.
    public static func restore(
        connectorId: Int, charger: String, policy: ChargerPolicy, stored: SessionRecord?, at now: Date,
        transactions: RestartTransactionPolicy = .resume, previousRunWasClean: Bool = true,
        newSessionId: String = UUID().uuidString.lowercased()
    ) -> (ChargerSessionMachine, [ChargerCommand]) {
        var machine = ChargerSessionMachine(connectorId: connectorId, charger: charger, policy: policy)
        guard let record = stored, record.state != .closed else { return (machine, []) }
        var out: [ChargerCommand] = []
        machine.session = record
        switch record.state {
        case .closed, .locking:
            break
        case .charging, .chargeComplete, .suspendedByLocker:
            if transactions == .stopAndRestart, record.chargingStartedAt != nil, record.transactionStoppedAt == nil {
                if record.localTransactionId == nil {
                    out.append(.startTransaction(
                        sessionId: record.id, idTag: record.idTag, meterStartWh: record.meterStartWh ?? 0,
                        at: record.chargingStartedAt ?? now))
                }
                var stopped = record.closedByRestart(previousRunWasClean: previousRunWasClean, tariff: policy.tariff, at: now)
                stopped.transactionStoppedAt = stopped.stoppedAt
                out += [.persist(stopped), .stopTransaction(
                    sessionId: stopped.id, meterStopWh: stopped.meterStopWh ?? 0, reason: stopped.stopReason ?? .powerLoss,
                    idTag: nil, at: stopped.stoppedAt ?? now)]
                // The owner stays authorized: the next transaction starts when a reading shows the car plugged in.
                var next = SessionRecord(
                    id: newSessionId, connectorId: record.connectorId, compartment: record.compartment, idTag: record.idTag,
                    parentIdTag: record.parentIdTag, authorizationMethod: record.authorizationMethod,
                    authorizationSource: record.authorizationSource, authorizedAt: now, occupiedSince: now)
                next.state = .locking
                machine.session = next
                out.append(.persist(next))
                return (machine, out)
            }
            if record.chargingStartedAt != nil, record.localTransactionId == nil {
                out.append(.startTransaction(
                    sessionId: record.id, idTag: record.idTag, meterStartWh: record.meterStartWh ?? 0,
                    at: record.chargingStartedAt ?? now))
            }
            machine.lastSampleAt = now
        case .finishing:
            if record.chargingStartedAt != nil, !record.stopTransactionQueued, let stop = record.stoppedAt {
                out.append(.stopTransaction(
                    sessionId: record.id, meterStopWh: record.meterStopWh ?? record.meterStartWh ?? 0,
                    reason: record.stopReason ?? .other, idTag: nil, at: stop))
            }
        }
        machine.timersDue(at: now, into: &out)
        return (machine, out)
    }
}
