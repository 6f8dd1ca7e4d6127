import Foundation

/// What the site looks like right now, as the local API and the command line show it.
public struct SiteStatus: Sendable, Codable, Equatable {
    public struct Station: Sendable, Codable, Equatable {
        public var identity: String
        public var vendor: String
        public var model: String
        public var serialNumber: String
        public var firmwareVersion: String
        public var simulated: Bool
    }

    public struct Uplink: Sendable, Codable, Equatable {
        /// "notConfigured" when the site file names no central system, else the connection state.
        public var state: String
        public var centralSystemURL: String?
        public var detail: String?
        /// When the last frame from the central system arrived.
        public var lastMessageAt: Date? = nil
        /// Transaction messages waiting for the central system's confirmation.
        public var queueDepth: Int? = nil
    }

    public struct Run: Sendable, Codable, Equatable {
        public var startedAt: Date
        public var previousRunEndedCleanly: Bool
    }

    public struct Compartment: Sendable, Codable, Equatable {
        public var name: String
        public var connectorId: Int
        /// OCPP ChargePointStatus of the connector (Available, Preparing, Charging, ...).
        public var status: String
        public var door: String
        public var lock: String
        public var relay: String
        /// The most pressing current fault (forcedOpen, jammedLock, relayRefused, doorLeftOpen); absent when none.
        public var fault: String?
        /// `locked` / `unlocked` from the lock-feedback switch; absent when the compartment has none.
        public var lockFeedback: String?
        /// Every current fault.
        public var faults: [String] = []
        /// True while the emergency input holds the compartment unlocked.
        public var emergency: Bool = false
        /// What the indicator LED shows (free, occupied, charging, fault, emergency).
        public var indicator: String?
        /// The session holding the compartment (Sessions/SessionSummary.swift); absent when free.
        public var session: SessionSummary? = nil
    }

    public struct Charger: Sendable, Codable, Equatable {
        public var connectorId: Int
        public var status: String
        /// The rest comes from the charger's session machine (Chargers/).
        public var name: String? = nil
        /// `plugged`, `unplugged`, or `unknown` before the first reading.
        public var plug: String? = nil
        /// The IEC 61851 pilot state letter the charger reports (A-F).
        public var pilotState: String? = nil
        /// The enable switch and current setpoint (A) as read back from the charger.
        public var enabled: Bool? = nil
        public var currentSetpointAmps: Double? = nil
        /// The current load balancing allows now (A); absent: below the charger's minimum (paused).
        public var allowedCurrentAmps: Double? = nil
        public var fault: String? = nil
        public var lastWriteError: String? = nil
        public var session: SessionSummary? = nil
    }

    public var station: Station
    public var uplink: Uplink
    public var run: Run
    public var compartments: [Compartment]
    public var chargers: [Charger]
    /// Connector 0 (the charge point) and every connector: operative, inoperative or scheduled
    /// (Operations/SiteController+Availability.swift).
    public var availability: [ConnectorAvailabilityStatus]? = nil
    /// Load balancing in short (Balancing/BalancingReport.swift; the whole picture is `GET /v1/balancing`).
    public var balancing: BalancingSummary? = nil
}

/// The short answer of `GET /v1/health`.
public struct HealthStatus: Sendable, Codable, Equatable {
    public var status: String
    public var version: String
    public var uptimeSeconds: Double
}
