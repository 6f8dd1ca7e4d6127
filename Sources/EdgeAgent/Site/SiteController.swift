import Foundation
import Logging
import ServiceLifecycle

/// The single owner of site state (DESIGN.md): every input becomes a call on this actor, every effect leaves
/// from here, and the store is written before anything is acted on.
public actor SiteController: Service {
    public let configuration: SiteConfiguration
    let store: SiteStore
    let runStart: RunStart
    let startedAt: Date
    let logger: Logger
    var compartmentStates: [Int: SiteStatus.Compartment] {
        didSet {
            connectorStatusBroadcaster.publishChanges(from: oldValue, to: compartmentStates)
            liveEvents.publishCompartmentChanges(from: oldValue, to: compartmentStates)
            balancingNoteRelays(from: oldValue, to: compartmentStates)
        }
    }
    /// Every state change for the live event stream (LocalAPI/LiveEvent.swift).
    public nonisolated let liveEvents = LiveEventFeed()
    /// Connector status changes for the OCPP uplink (Uplink/SiteController+Uplink.swift).
    public nonisolated let connectorStatusBroadcaster = ConnectorStatusBroadcaster()
    /// The OCPP uplink's state, published by the uplink for `status()`.
    public nonisolated let uplinkMonitor = UplinkMonitor()
    private var stopped = false
    /// The site's hardware, followed after `followHardware()` (nil when a test runs the controller without it).
    public nonisolated let hardware: SiteHardware?
    /// What the controller has seen of the hardware (SiteController+Hardware.swift).
    var hardwareView = HardwareView()
    /// The compartments' session machines and what drives them (Sessions/SiteController+Sessions.swift).
    var sessionView = SessionView()
    /// SMS sessions, receipt PINs and operator alerts (SMS/SiteController+SMS.swift).
    var smsView = SMSSiteView()
    /// Remote starts and reservations from the central system (Remote/SiteController+RemoteStart.swift).
    var remoteView = RemoteView()
    /// Load balancing's setpoints and inputs shared with sessions and smart charging (Balancing/BalancingView.swift).
    var balancingView = BalancingView()
    /// Connector availability (ChangeAvailability) and reset state (Operations/SiteController+Availability.swift).
    var operationsView = OperationsView()
    /// The chargers' session machines and what drives them (Chargers/SiteController+Chargers.swift).
    var chargerView = ChargerView()
    /// The site's Modbus devices: latest readings and staleness (Metering/MeteringService.swift); nil without metering.
    public nonisolated let metering: MeteringService?
    /// Decides whether an idTag may start or end a session (Authorization/Authorizer.swift); nil in tests without it.
    public nonisolated let authorizer: (any IdTagAuthorizing)?

    public init(configuration: SiteConfiguration, store: SiteStore, runStart: RunStart, startedAt: Date, logger: Logger,
                hardware: SiteHardware? = nil, metering: MeteringService? = nil, authorizer: (any IdTagAuthorizing)? = nil) {
        self.authorizer = authorizer
        self.hardware = hardware
        self.metering = metering
        self.configuration = configuration
        self.store = store
        self.runStart = runStart
        self.startedAt = startedAt
        self.logger = logger
        var states: [Int: SiteStatus.Compartment] = [:]
        for compartment in configuration.compartments {
            states[compartment.connectorId] = SiteStatus.Compartment(
                name: compartment.name, connectorId: compartment.connectorId, status: "Available",
                door: "unknown", lock: "unknown", relay: "off", fault: nil)
        }
        compartmentStates = states
        hardwareView.liveEvents = liveEvents
    }

    /// Runs until graceful shutdown, then leaves every output in its safe state and records a clean stop.
    public func run() async throws {
        if runStart.previousEndedUncleanly {
            logger.warning("previous run ended without a clean stop; reconciling store with hardware", metadata: [
                "previousRunStartedAt": "\(runStart.previous?.startedAt.formatted(.iso8601) ?? "-")",
            ])
        }
        logger.info("site controller running", metadata: [
            "station": "\(configuration.station.identity)",
            "compartments": "\(configuration.compartments.count)",
            "chargers": "\(configuration.chargers.count)",
        ])
        try? await gracefulShutdown()
        shutDown()
    }

    /// Puts outputs in their safe state and closes the run in the store. Idempotent.
    func shutDown() {
        guard !stopped else { return }
        stopped = true
        stopSessions()
        stopChargers()
        for key in compartmentStates.keys {
            compartmentStates[key]?.relay = "off"
        }
        do {
            try store.endRun(runStart.runID, at: Date())
        } catch {
            logger.error("could not record the clean stop", metadata: ["error": "\(error)"])
        }
        logger.info("site controller stopped; outputs in safe state")
    }

    /// Answers only while the actor is responsive; the systemd watchdog pings through this.
    public func isResponsive() -> Bool { !stopped }

    public func status() -> SiteStatus {
        SiteStatus(
            station: .init(
                identity: configuration.station.identity,
                vendor: configuration.station.vendor,
                model: configuration.station.model,
                serialNumber: configuration.station.serialNumber,
                firmwareVersion: configuration.station.firmwareVersion,
                simulated: configuration.isSimulated),
            uplink: uplinkStatus(),
            run: .init(startedAt: startedAt, previousRunEndedCleanly: !runStart.previousEndedUncleanly),
            compartments: configuration.compartments.compactMap { compartmentStates[$0.connectorId] },
            chargers: chargerStatuses(),
            availability: availabilityStatuses(),
            balancing: balancingSummary())
    }

    private func uplinkStatus() -> SiteStatus.Uplink {
        guard let central = configuration.centralSystem else {
            return .init(state: "notConfigured", centralSystemURL: nil, detail: "no centralSystem in the site file")
        }
        let uplink = uplinkMonitor.snapshot
        return .init(
            state: uplink.state.rawValue, centralSystemURL: central.url, detail: uplink.detail,
            lastMessageAt: uplink.lastMessageAt, queueDepth: uplink.queueDepth)
    }
}
