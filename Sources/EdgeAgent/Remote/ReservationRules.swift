import Foundation
import OCPP

/// One reservation the central system made with ReserveNow (stored, Remote/ReservationStore.swift).
public struct Reservation: Sendable, Equatable, Codable {
    public var id: Int
    /// The reserved compartment's connector id; 0: any compartment (ReserveConnectorZeroSupported).
    public var connectorId: Int
    public var idTag: String
    public var parentIdTag: String?
    public var expiresAt: Date
    public var reservedAt: Date

    public init(id: Int, connectorId: Int, idTag: String, parentIdTag: String?, expiresAt: Date, reservedAt: Date) {
        self.id = id
        self.connectorId = connectorId
        self.idTag = idTag
        self.parentIdTag = parentIdTag
        self.expiresAt = expiresAt
        self.reservedAt = reservedAt
    }

    /// The reserving idTag, or a card whose parentIdTag is the reservation's parentIdTag.
    public func isHeld(by presented: String, parentIdTag presentedParent: String?) -> Bool {
        if presented.caseInsensitiveCompare(idTag) == .orderedSame { return true }
        guard let group = parentIdTag, let other = presentedParent else { return false }
        return group.caseInsensitiveCompare(other) == .orderedSame
    }

    public func hasExpired(at now: Date) -> Bool { now >= expiresAt }
}

/// How a compartment stands for the central system's remote calls (read from its session machine and status).
public enum CompartmentAvailability: Sendable, Equatable {
    /// Available: no session, no closed door waiting, no authorization held for it.
    case free
    /// Preparing: a driver's things are behind the closed door, waiting for authorization since then.
    case waiting(since: Date)
    /// A session holds it (locking, charging, suspended, finishing) or an authorization is held for it.
    case busy
    case faulted
    case unavailable
}

/// One compartment as the remote rules see it.
public struct CompartmentSnapshot: Sendable, Equatable {
    public var name: String
    public var connectorId: Int
    public var availability: CompartmentAvailability

    public init(name: String, connectorId: Int, availability: CompartmentAvailability) {
        self.name = name
        self.connectorId = connectorId
        self.availability = availability
    }
}

/// Whether an authorized idTag may start a session at a compartment, as far as reservations go.
public enum ReservationGate: Sendable, Equatable {
    /// No reservation concerns this start.
    case open
    /// The idTag holds this reservation: the session uses it (StartTransaction carries its id).
    case use(Reservation)
    /// The compartment is reserved for someone else, or it is one a connector-0 reservation keeps free.
    case refused(Reservation)
}

/// The reservation rules (docs/ocpp.md, "Reservations"), pure:
/// - A reservation for a compartment is accepted only while it is free; it keeps that compartment for the
///   reserving idTag (or its parentIdTag group) until it is used, cancelled or expires.
/// - A reservation for connector 0 (only with ReserveConnectorZeroSupported) keeps one free compartment, of any,
///   for the idTag: another driver may start only while more free compartments remain than connector-0
///   reservations.
public enum ReservationRules {
    /// The ReserveNow answer. A reservation with the same id is replaced (so it does not count against itself).
    public static func answer(
        connectorId: Int, reservationId: Int, expiresAt: Date, compartments: [CompartmentSnapshot],
        reservations: [Reservation], connectorZeroSupported: Bool, now: Date
    ) -> ReservationStatus {
        guard expiresAt > now else { return .rejected }
        let others = reservations.filter { $0.id != reservationId && !$0.hasExpired(at: now) }
        let zeroCount = others.filter { $0.connectorId == 0 }.count
        func unreservedFree(except excluded: Int?) -> [CompartmentSnapshot] {
            compartments.filter { compartment in
                compartment.availability == .free && compartment.connectorId != excluded
                    && !others.contains { $0.connectorId == compartment.connectorId }
            }
        }
        if connectorId == 0 {
            guard connectorZeroSupported, !compartments.isEmpty else { return .rejected }
            if unreservedFree(except: nil).count > zeroCount { return .accepted }
            if compartments.allSatisfy({ $0.availability == .faulted }) { return .faulted }
            if compartments.allSatisfy({ $0.availability == .unavailable }) { return .unavailable }
            return .occupied
        }
        guard let compartment = compartments.first(where: { $0.connectorId == connectorId }) else { return .rejected }
        switch compartment.availability {
        case .faulted: return .faulted
        case .unavailable: return .unavailable
        case .waiting, .busy: return .occupied
        case .free:
            if others.contains(where: { $0.connectorId == connectorId }) { return .occupied }
            // The compartments connector-0 reservations keep free must stay free.
            return unreservedFree(except: connectorId).count >= zeroCount ? .accepted : .occupied
        }
    }

    /// May `idTag` (of group `parentIdTag`) start a session at `connectorId` now?
    public static func gate(
        connectorId: Int, idTag: String, parentIdTag: String?, compartments: [CompartmentSnapshot],
        reservations: [Reservation], now: Date
    ) -> ReservationGate {
        let live = reservations.filter { !$0.hasExpired(at: now) }.sorted { $0.reservedAt < $1.reservedAt }
        if let own = live.first(where: { $0.connectorId == connectorId }) {
            return own.isHeld(by: idTag, parentIdTag: parentIdTag) ? .use(own) : .refused(own)
        }
        let anywhere = live.filter { $0.connectorId == 0 }
        if let held = anywhere.first(where: { $0.isHeld(by: idTag, parentIdTag: parentIdTag) }) { return .use(held) }
        guard let first = anywhere.first else { return .open }
        let freeElsewhere = compartments.filter { compartment in
            compartment.connectorId != connectorId && compartment.availability == .free
                && !live.contains { $0.connectorId == compartment.connectorId }
        }.count
        return freeElsewhere >= anywhere.count ? .open : .refused(first)
    }

    /// The reservations that have run out at `now`.
    public static func expired(_ reservations: [Reservation], at now: Date) -> [Reservation] {
        reservations.filter { $0.hasExpired(at: now) }
    }
}
