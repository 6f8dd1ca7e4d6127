import Foundation
import Logging
import Metrics
import OCPP
import ServiceLifecycle

/// The central system's operations on the whole charge point: ChangeAvailability, Reset, UpdateFirmware,
/// GetDiagnostics, and the firmware and diagnostics statuses TriggerMessage asks for.
///
/// It runs as a service of the daemon's group. A reset or an installed firmware ends its `run()`, which shuts the group
/// down gracefully; the daemon then carries out `exit` (restart in place, or the hard reset command).
public actor OperationsService: Service, ChargePointOperations {
    let site: SiteController
    let uplink: OCPPUplink
    let store: SiteStore
    let settings: OperationsConfiguration
    let identity: String
    let stateFolder: String
    let logRing: DiagnosticsLogRing
    let logger: Logger

    /// What the process does once every service stopped.
    public private(set) var exit: DaemonExit = .stopped
    private var exitRequested = false
    private let exitSignal: AsyncStream<Void>.Continuation
    private let exitSignals: AsyncStream<Void>

    var firmware: FirmwareUpdateProgress?
    /// The UpdateFirmware the update carries out (stored with each stage).
    var firmwareRequest: UpdateFirmwareRequest?
    var currentFirmwareStatus: FirmwareStatus = .idle
    var unsentFirmwareStatus: FirmwareStatus?
    /// The stored update whose outcome is reported after this start (cleared once sent).
    var firmwareOutcomeToReport = false
    var currentDiagnosticsStatus: DiagnosticsStatus = .idle
    var unsentDiagnosticsStatus: DiagnosticsStatus?
    var diagnosticsRunning = false

    public init(
        site: SiteController, uplink: OCPPUplink, store: SiteStore, configuration: SiteConfiguration,
        logRing: DiagnosticsLogRing = .shared, logger: Logger
    ) {
        self.site = site
        self.uplink = uplink
        self.store = store
        settings = configuration.operations
        identity = configuration.station.identity
        stateFolder = configuration.storage.folder
        self.logRing = logRing
        self.logger = logger
        (exitSignals, exitSignal) = AsyncStream.makeStream(of: Void.self)
    }

    /// Runs until graceful shutdown, or until a reset or firmware install asks for the restart (which then shuts the
    /// whole group down: start this service with `successTerminationBehavior: .gracefullyShutdownGroup`).
    public func run() async {
        restoreFirmwareOutcome()
        let signals = exitSignals
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for await _ in signals { return } }
                group.addTask { await self.deliverStatuses() }
                // The first to end is the exit request (or both end on shutdown).
                await group.next()
                group.cancelAll()
            }
        }
    }

    // MARK: ChargePointOperations

    public func changeAvailability(_ request: ChangeAvailabilityRequest) async -> ChangeAvailabilityConfirmation {
        do {
            let status = try await site.changeAvailability(
                connectorId: request.connectorId, operative: request.type == .operative, actor: "central-system",
                reason: "ChangeAvailability \(request.type.rawValue) from the central system")
            return ChangeAvailabilityConfirmation(status: status)
        } catch {
            logger.info("ChangeAvailability rejected", metadata: ["connectorId": "\(request.connectorId)", "problem": "\(error)"])
            return ChangeAvailabilityConfirmation(status: .rejected)
        }
    }

    public func reset(_ request: ResetRequest) async -> ResetConfirmation {
        guard !exitRequested else {
            logger.notice("Reset refused: a restart is already under way", metadata: ["type": "\(request.type.rawValue)"])
            return ResetConfirmation(status: .rejected)
        }
        exitRequested = true
        let type = request.type
        Counter(label: "edge_agent_operations_resets_total", dimensions: [("type", type.rawValue)]).increment()
        do {
            try store.appendAudit(AuditRecord(
                recordedAt: Date(), actor: "central-system", action: "reset", target: "charge point",
                reason: "Reset \(type.rawValue)"))
        } catch {
            logger.error("Reset not recorded in the audit log; carried out anyway", metadata: ["error": "\(error)"])
        }
        logger.notice("Reset accepted: stopping transactions, then restarting", metadata: ["type": "\(type.rawValue)"])
        // Runs after this answer returns, so the confirmation leaves before any StopTransaction.
        Task { await self.carryOutReset(type) }
        return ResetConfirmation(status: .accepted)
    }

    public func firmwareStatus() -> FirmwareStatus { currentFirmwareStatus }

    public func diagnosticsStatus() -> DiagnosticsStatus { currentDiagnosticsStatus }

    public func triggeredMeterValues(connectorId: Int) async -> TriggeredMeterValues {
        await site.triggeredMeterValues(connectorId: connectorId)
    }

    // MARK: Reset

    private func carryOutReset(_ type: ResetType) async {
        let reason: SessionStopReason = type == .soft ? .softReset : .hardReset
        // Compartments first (no new session starts from here on), then the chargers (Chargers/).
        var stopped = await site.stopTransactionsForReset(reason: reason)
        stopped += await site.stopChargerTransactionsForReset(reason: reason)
        if stopped > 0 { await waitForQueueToDrain(patience: .seconds(10)) }
        requestExit(type == .soft ? .restart(reason: "soft Reset from the central system") : .hardReset(command: settings.hardResetCommand))
    }

    /// While the link is up, gives the queued StopTransactions a moment to reach the central system before the
    /// restart; whatever is left is delivered after it.
    private func waitForQueueToDrain(patience: Duration) async {
        let deadline = ContinuousClock.now.advanced(by: patience)
        while ContinuousClock.now < deadline {
            guard await uplink.isRegistered() else { return }
            if await uplink.queueDepth() == 0 { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Ends `run()`, which shuts the group down; the daemon carries out `exit` afterwards.
    func requestExit(_ exit: DaemonExit) {
        self.exit = exit
        exitRequested = true
        exitSignal.yield()
        exitSignal.finish()
    }

    // MARK: Status notifications

    func reportFirmware(_ status: FirmwareStatus) async {
        currentFirmwareStatus = status
        Counter(label: "edge_agent_operations_firmware_statuses_total", dimensions: [("status", status.rawValue)]).increment()
        logger.notice("firmware status", metadata: ["status": "\(status.rawValue)"])
        if await uplink.notify(FirmwareStatusNotificationRequest(status: status)) {
            unsentFirmwareStatus = nil
        } else {
            unsentFirmwareStatus = status
        }
    }

    func reportDiagnostics(_ status: DiagnosticsStatus) async {
        currentDiagnosticsStatus = status
        Counter(label: "edge_agent_operations_diagnostics_statuses_total", dimensions: [("status", status.rawValue)]).increment()
        logger.notice("diagnostics status", metadata: ["status": "\(status.rawValue)"])
        if await uplink.notify(DiagnosticsStatusNotificationRequest(status: status)) {
            unsentDiagnosticsStatus = nil
        } else {
            unsentDiagnosticsStatus = status
        }
    }

    /// Statuses that could not be sent (no link) go out once the charge point is registered again.
    private func deliverStatuses() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            guard await uplink.isRegistered() else { continue }
            if let status = unsentFirmwareStatus, await uplink.notify(FirmwareStatusNotificationRequest(status: status)) {
                if unsentFirmwareStatus == status { unsentFirmwareStatus = nil }
                if firmwareOutcomeToReport, status == .installed || status == .installationFailed || status == .downloadFailed {
                    firmwareOutcomeToReport = false
                    clearStoredFirmware()
                }
            }
            if let status = unsentDiagnosticsStatus, await uplink.notify(DiagnosticsStatusNotificationRequest(status: status)) {
                if unsentDiagnosticsStatus == status { unsentDiagnosticsStatus = nil }
            }
        }
    }
}
