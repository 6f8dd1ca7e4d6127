import Foundation
import OCPP

/// The availability a connector (or, as connector 0, the whole charge point) was last set to, and by whom.
public struct ConnectorAvailability: Sendable, Equatable, Codable {
    public var connectorId: Int
    public var operative: Bool
    public var changedAt: Date
    /// "central-system" or "operator:<who>" (the audit log's actor).
    public var actor: String
    public var reason: String

    public init(connectorId: Int, operative: Bool, changedAt: Date, actor: String, reason: String) {
        self.connectorId = connectorId
        self.operative = operative
        self.changedAt = changedAt
        self.actor = actor
        self.reason = reason
    }
}

/// What a ChangeAvailability (from the central system or the local API) does: the answer and the connectors whose
/// stored availability changes.
public struct AvailabilityDecision: Sendable, Equatable {
    public var status: AvailabilityStatus
    /// Connector id -> operative; empty when rejected.
    public var changes: [Int: Bool]
}

/// OCPP 1.6 §5.2 as a pure function. A connector that holds a session keeps it when made inoperative: the answer
/// is Scheduled, and the connector shows Unavailable once the session is over (the session machine does that, since
/// an inoperative machine only refuses new sessions). Connector 0 is the charge point and every connector with it.
public enum AvailabilityRules {
    /// - Parameters:
    ///   - connectors: every connector id of the site (compartments and chargers), without 0.
    ///   - occupied: connectors that hold a session or transaction now.
    public static func decide(
        connectorId: Int, type: AvailabilityType, connectors: Set<Int>, occupied: Set<Int>
    ) -> AvailabilityDecision {
        guard connectorId == 0 || connectors.contains(connectorId) else {
            return AvailabilityDecision(status: .rejected, changes: [:])
        }
        let operative = type == .operative
        let targets = connectorId == 0 ? connectors.union([0]) : [connectorId]
        var changes: [Int: Bool] = [:]
        for target in targets { changes[target] = operative }
        // Making a busy connector operative changes nothing it is doing: Accepted.
        let waits = !operative && !targets.isDisjoint(with: occupied)
        return AvailabilityDecision(status: waits ? .scheduled : .accepted, changes: changes)
    }

    /// Whether a connector takes new sessions: neither it nor the charge point (connector 0) is inoperative.
    public static func isOperative(_ connectorId: Int, in availability: [Int: ConnectorAvailability]) -> Bool {
        (availability[connectorId]?.operative ?? true) && (availability[0]?.operative ?? true)
    }

    /// What a connector shows for its availability: operative, unavailable, or scheduled (inoperative requested while
    /// a session still holds it).
    public static func state(
        of connectorId: Int, in availability: [Int: ConnectorAvailability], occupied: Set<Int>
    ) -> AvailabilityState {
        if isOperative(connectorId, in: availability) { return .operative }
        return connectorId != 0 && occupied.contains(connectorId) ? .scheduled : .inoperative
    }
}

/// A connector's availability as the status shows it.
public enum AvailabilityState: String, Sendable, Equatable, Codable {
    case operative
    /// Inoperative: takes no new session and shows Unavailable.
    case inoperative
    /// Inoperative requested; the running session goes on and the connector becomes Unavailable when it ends.
    case scheduled
}
