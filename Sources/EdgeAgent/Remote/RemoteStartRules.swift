import Foundation

/// What a RemoteStartTransaction does at the site.
public enum RemoteStartDecision: Sendable, Equatable {
    /// A closed door waits for authorization there: the session starts now (lock, socket on, StartTransaction).
    case startNow(compartment: String, reservationId: Int?)
    /// The compartment is free: the authorization is held for ConnectionTimeOut and the session starts when the
    /// driver has put the things in and closed the door.
    case hold(compartment: String, reservationId: Int?)
    case rejected(RemoteStartRefusal)
}

/// Why a RemoteStartTransaction is answered Rejected (logged; OCPP has no field for it).
public enum RemoteStartRefusal: String, Sendable, Equatable {
    case unknownConnector
    /// A charger's connector: charger sessions are not started remotely by the locker code.
    case charger
    case busy
    case faulted
    case unavailable
    case reservedForAnother
    /// connectorId absent or 0 and no closed door waits for authorization.
    case noWaitingDoor
    /// AuthorizeRemoteTxRequests is true and the idTag was not accepted.
    case notAuthorized
}

/// Which compartment a RemoteStartTransaction starts (docs/ocpp.md, "Remote start and stop"), pure.
public enum RemoteStartRules {
    /// - connectorId given: that compartment, when it waits for authorization (starts now) or is free (held).
    /// - connectorId absent or 0: the shared-reader rule, the most recently closed door that waits for
    ///   authorization (and is not reserved for someone else).
    public static func decide(
        connectorId: Int?, idTag: String, parentIdTag: String?, compartments: [CompartmentSnapshot],
        chargerConnectors: Set<Int>, reservations: [Reservation], now: Date
    ) -> RemoteStartDecision {
        func gate(_ compartment: CompartmentSnapshot) -> ReservationGate {
            ReservationRules.gate(
                connectorId: compartment.connectorId, idTag: idTag, parentIdTag: parentIdTag, compartments: compartments,
                reservations: reservations, now: now)
        }
        guard let connectorId, connectorId != 0 else {
            let waiting = compartments.compactMap { compartment -> (CompartmentSnapshot, Date, Int?)? in
                guard case .waiting(let since) = compartment.availability else { return nil }
                switch gate(compartment) {
                case .open: return (compartment, since, nil)
                case .use(let reservation): return (compartment, since, reservation.id)
                case .refused: return nil
                }
            }
            guard let chosen = waiting.max(by: { $0.1 < $1.1 }) else { return .rejected(.noWaitingDoor) }
            return .startNow(compartment: chosen.0.name, reservationId: chosen.2)
        }
        if chargerConnectors.contains(connectorId) { return .rejected(.charger) }
        guard let compartment = compartments.first(where: { $0.connectorId == connectorId }) else {
            return .rejected(.unknownConnector)
        }
        switch compartment.availability {
        case .busy: return .rejected(.busy)
        case .faulted: return .rejected(.faulted)
        case .unavailable: return .rejected(.unavailable)
        case .waiting, .free: break
        }
        let reservationId: Int?
        switch gate(compartment) {
        case .open: reservationId = nil
        case .use(let reservation): reservationId = reservation.id
        case .refused: return .rejected(.reservedForAnother)
        }
        return compartment.availability == .free
            ? .hold(compartment: compartment.name, reservationId: reservationId)
            : .startNow(compartment: compartment.name, reservationId: reservationId)
    }
}

/// `sessions.remoteStopUnlocks` in the site file: whether RemoteStopTransaction releases the door.
public enum RemoteStopUnlockPolicy: String, Sendable, Codable, Equatable, CaseIterable {
    /// Only for a session the central system started (RemoteStartTransaction); the default.
    case remoteStarted = "remote-started"
    case always
    /// The door stays locked for its owner, whose card (or receipt PIN) still opens it.
    case never

    public func unlocks(sessionStartedRemotely: Bool) -> Bool {
        switch self {
        case .remoteStarted: sessionStartedRemotely
        case .always: true
        case .never: false
        }
    }
}
