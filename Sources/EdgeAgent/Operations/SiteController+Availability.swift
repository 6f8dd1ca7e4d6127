import Foundation
import Metrics
import OCPP

/// What the site controller keeps for the operations part.
struct OperationsView {
    /// The stored availability of connectors that were ever changed (0: the charge point); others are operative.
    var availability: [Int: ConnectorAvailability] = [:]
    /// A Reset is under way: no new session starts until the restart.
    var resetting = false
}

/// One connector's availability in `GET /v1/status` (`availability`).
public struct ConnectorAvailabilityStatus: Sendable, Codable, Equatable {
    public var connectorId: Int
    public var state: AvailabilityState
    public var changedAt: Date?
    public var changedBy: String?
    public var reason: String?
}

/// Why an availability change was refused.
public enum AvailabilityError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownConnector(Int, known: [Int])
    case missingReason
    case store(StoreError)

    public var description: String {
        switch self {
        case let .unknownConnector(id, known):
            "connector \(id) does not exist; use 0 (the whole site) or one of \(known.map(String.init).joined(separator: ", "))"
        case .missingReason:
            "an availability change needs a reason for the audit log, e.g. {\"operative\": false, \"reason\": \"door repair, ticket 4711\"}"
        case .store(let error):
            "availability not changed: \(error)"
        }
    }
}

/// ChangeAvailability (from the central system or the local API): stored and audited before it takes effect, applied
/// to the session machines (an inoperative compartment takes no new session; a running one goes on and the connector
/// shows Unavailable once it ends), and reported as StatusNotification through the usual status changes.
extension SiteController {
    /// Every connector id of the site (compartments and chargers).
    var siteConnectorIds: Set<Int> {
        Set(configuration.compartments.map(\.connectorId) + configuration.chargers.map(\.connectorId))
    }

    /// Connectors that hold a session now.
    func occupiedConnectorIds() -> Set<Int> {
        var occupied = Set<Int>()
        for machine in sessionView.machines.values where machine.openSession != nil { occupied.insert(machine.connectorId) }
        for (id, machine) in chargerView.machines where machine.openSession != nil { occupied.insert(id) }
        return occupied
    }

    /// Reads the stored availability. Call before `startSessions`, then `applyAvailability()` after it.
    public func loadAvailability() {
        do {
            operationsView.availability = try store.connectorAvailability()
        } catch {
            logger.error("stored connector availability unreadable; every connector starts operative", metadata: ["error": "\(error)"])
        }
        applyAvailability()
    }

    /// Hands the availability to the compartments' machines and shows it.
    public func applyAvailability() {
        for id in [0] + siteConnectorIds.sorted() {
            Gauge(label: "edge_agent_operations_connector_operative", dimensions: [("connector", String(id))])
                .record(AvailabilityRules.isOperative(id, in: operationsView.availability) ? 1 : 0)
        }
        for compartment in configuration.compartments {
            guard var machine = sessionView.machines[compartment.name] else { continue }
            let operative = isOperative(connectorId: compartment.connectorId)
            guard machine.operative != operative else { continue }
            machine.operative = operative
            sessionView.machines[compartment.name] = machine
            refreshCompartmentState(compartment.name)
        }
    }

    /// Whether the connector takes new sessions (it and the charge point are operative).
    public func isOperative(connectorId: Int) -> Bool {
        !operationsView.resetting && AvailabilityRules.isOperative(connectorId, in: operationsView.availability)
    }

    /// The charge point's own status (connector 0): Unavailable while it is inoperative.
    public func chargePointStatus() -> ConnectorStatus {
        ConnectorStatus(connectorId: 0, status: isOperative(connectorId: 0) ? .available : .unavailable)
    }

    /// Changes availability as OCPP ChangeAvailability does. The change and its audit record are committed together
    /// before anything acts on it.
    @discardableResult
    public func changeAvailability(
        connectorId: Int, operative: Bool, actor: String, reason: String
    ) throws(AvailabilityError) -> AvailabilityStatus {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .missingReason }
        let decision = AvailabilityRules.decide(
            connectorId: connectorId, type: operative ? .operative : .inoperative, connectors: siteConnectorIds,
            occupied: occupiedConnectorIds())
        guard decision.status != .rejected else {
            throw .unknownConnector(connectorId, known: siteConnectorIds.sorted())
        }
        let now = Date()
        let changes = decision.changes.sorted { $0.key < $1.key }.map {
            ConnectorAvailability(connectorId: $0.key, operative: $0.value, changedAt: now, actor: actor, reason: trimmed)
        }
        let wasOperative = isOperative(connectorId: 0)
        do {
            try store.setConnectorAvailability(changes, audit: AuditRecord(
                recordedAt: now, actor: actor, action: "availability",
                target: connectorId == 0 ? "connector 0 (the whole site)" : "connector \(connectorId)",
                reason: "\(operative ? "Operative" : "Inoperative") -> \(decision.status.rawValue): \(trimmed)"))
        } catch {
            throw .store(error)
        }
        for change in changes { operationsView.availability[change.connectorId] = change }
        logger.notice("connector availability changed", metadata: [
            "connectorId": "\(connectorId)", "operative": "\(operative)", "status": "\(decision.status.rawValue)",
            "actor": "\(actor)",
        ])
        applyAvailability()
        applyChargerAvailability()
        if wasOperative != isOperative(connectorId: 0) { connectorStatusBroadcaster.publish(chargePointStatus()) }
        return decision.status
    }

    /// The chargers' machines follow at once (Chargers/: an inoperative charger takes no new session and shows
    /// Unavailable when free); feeding them publishes their status changes.
    private func applyChargerAvailability() {
        for charger in configuration.chargers {
            feedCharger(charger.connectorId, .availability(operative: isOperative(connectorId: charger.connectorId)))
        }
    }

    /// Connector 0 and every connector, for `GET /v1/status`.
    func availabilityStatuses() -> [ConnectorAvailabilityStatus] {
        let occupied = occupiedConnectorIds()
        return ([0] + siteConnectorIds.sorted()).map { id in
            let stored = operationsView.availability[id]
            return ConnectorAvailabilityStatus(
                connectorId: id, state: AvailabilityRules.state(of: id, in: operationsView.availability, occupied: occupied),
                changedAt: stored?.changedAt, changedBy: stored?.actor, reason: stored?.reason)
        }
    }
}
