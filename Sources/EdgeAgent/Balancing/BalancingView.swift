import Foundation
import LoadBalancing

/// The seam between load balancing and the rest of the site controller. The control loop
/// (Balancing/) writes `setpoints`; compartment sessions and charger sessions read them; the smart-charging
/// code writes `centralLimits` (the limits in force from the central system's charging profiles).
struct BalancingView: Sendable {
    /// The latest setpoint per OCPP connector id (compartments and chargers). No entry: balancing has not
    /// decided yet, and a consumer behaves as if allowed (compartment sockets on, chargers at their maximum).
    var setpoints: [Int: BalancingSetpoint] = [:]
    /// Limits from the central system's charging profiles in force now, as load-balancing inputs.
    var centralLimits: [CentralLimit] = []
    /// Chargers that want to charge now (plugged in, authorized, transaction running), written by the charger
    /// sessions (Chargers/) and read by the control loop. Compartments' demand comes from their session machines.
    var chargerDemands: [Int: ChargerDemand] = [:]
    /// Wakes the control loop at once (a session started or ended, a profile changed).
    var rerun: AsyncStream<Void>.Continuation?
    /// The control loop's own state (Balancing/SiteController+Balancing.swift); nil until it started.
    var loop: BalancingLoopState?
}

/// What load balancing last decided for one connector.
public struct BalancingSetpoint: Sendable, Equatable, Codable {
    public var connectorId: Int
    /// A compartment's socket may be on / a charger may charge.
    public var allowed: Bool
    /// Chargers: the current per phase it may draw (A); compartments: their nominal draw when allowed.
    public var currentAmps: Double
    /// Why (LoadBalancing.AllocationReason raw value), for the API, logs and StatusNotification info.
    public var reason: String
    public var decidedAt: Date

    public init(connectorId: Int, allowed: Bool, currentAmps: Double, reason: String, decidedAt: Date) {
        self.connectorId = connectorId
        self.allowed = allowed
        self.currentAmps = currentAmps
        self.reason = reason
        self.decidedAt = decidedAt
    }
}

/// A charger's wish to charge, as load balancing needs it.
public struct ChargerDemand: Sendable, Equatable {
    public var connectorId: Int
    public var sessionStartedAt: Date
    /// Higher is served first under a priority strategy.
    public var priority: Int

    public init(connectorId: Int, sessionStartedAt: Date, priority: Int = 0) {
        self.connectorId = connectorId
        self.sessionStartedAt = sessionStartedAt
        self.priority = priority
    }
}

/// Load balancing names every consumer by its OCPP connector id: "connector-<id>" (compartment or charger).
public func balancingConsumerID(connectorId: Int) -> String { "connector-\(connectorId)" }

extension SiteController {
    /// Records (or, with nil, withdraws) a charger's demand and re-runs balancing when it changed.
    func setChargerDemand(_ demand: ChargerDemand?, connectorId: Int) {
        guard balancingView.chargerDemands[connectorId] != demand else { return }
        balancingView.chargerDemands[connectorId] = demand
        requestBalancing()
    }

    /// The latest setpoint for a connector (nil: not decided yet, treat as allowed).
    func balancingSetpoint(connectorId: Int) -> BalancingSetpoint? {
        balancingView.setpoints[connectorId]
    }

    /// Asks the control loop to decide again now (a session started or ended, a profile changed): it decides at
    /// once from the latest readings, before this returns, and again with fresh readings at its next wake-up.
    func requestBalancing() {
        balancingView.rerun?.yield()
        runBalancingStep(at: Date(), trigger: "request")
    }

    /// Replaces the central system's limits in force (smart charging) and re-runs balancing.
    func setCentralLimits(_ limits: [CentralLimit]) {
        guard limits != balancingView.centralLimits else { return }
        balancingView.centralLimits = limits
        requestBalancing()
    }
}
