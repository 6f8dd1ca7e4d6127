import Foundation

extension ChargerSessionMachine {
    /// Rebuilds a charger's machine at start-up from its stored session, before anything else acts. Whether the
    /// car is still plugged in is known only from the first reading: a running transaction then goes on (plugged
    /// in) or is stopped with EVDisconnected (unplugged, with StopTransactionOnEVSideDisconnect). A transaction
    /// message that a crash may have cut off is asked for again (the controller checks the uplink's queue first).
    public static func restore(
        connectorId: Int, charger: String, policy: ChargerPolicy, stored: SessionRecord?, at now: Date
    ) -> (ChargerSessionMachine, [ChargerCommand]) {
        var machine = ChargerSessionMachine(connectorId: connectorId, charger: charger, policy: policy)
        guard let record = stored, record.state != .closed else { return (machine, []) }
        var out: [ChargerCommand] = []
        machine.session = record
        switch record.state {
        case .closed, .locking:
            break
        case .charging, .chargeComplete, .suspendedByLocker:
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
