import Foundation
import LoadBalancing
import Logging
import Metrics
import OCPP
import ServiceLifecycle

/// Where the limits in force go: the site controller's balancing seam (`setCentralLimits`).
public protocol CentralLimitReceiving: Sendable {
    func receiveCentralLimits(_ limits: [CentralLimit]) async
}

extension SiteController: CentralLimitReceiving {
    public func receiveCentralLimits(_ limits: [CentralLimit]) {
        setCentralLimits(limits)
    }
}

/// The charge point's smart charging: the central system's charging profiles (SetChargingProfile,
/// ClearChargingProfile, GetCompositeSchedule), kept in the store, and the limits they put in force now, handed to
/// load balancing whenever a profile changes, a transaction starts or ends, and at every schedule period boundary.
/// Decisions are OCPP's pure smart-charging core; this actor owns the state and the store writes.
public actor SmartCharging: Service {
    let store: SiteStore
    let capabilities: SmartChargingCapabilities
    /// Every connector (0: the whole charge point) with its electrics.
    let electrics: [Int: ConnectorElectrics]
    let logger: Logger
    let clock: @Sendable () async -> Date
    var profiles: InstalledChargingProfiles
    /// Running transactions by local transaction id.
    var transactions: [String: SmartChargingTransaction]
    var receiver: (any CentralLimitReceiving)?
    /// A RemoteStartTransaction's TxProfile, waiting for the transaction it starts (by idTag, lowercased).
    var pendingRemoteStart: [String: PendingRemoteStartProfile] = [:]
    var limitsInForce: [ScheduledLimit] = []
    var computedAt: Date?
    var nextChangeAt: Date?
    private var timer: Task<Void, Never>?
    private let installedGauge = Gauge(label: "edge_agent_smart_charging_profiles_installed")
    /// `edge_agent_smart_charging_limit{connector, unit}` for each limit in force; a limit no longer in force is removed.
    private var limitGauges: [String: Gauge] = [:]

    /// How long a RemoteStartTransaction's profile waits for its transaction to start.
    static let remoteStartProfileLifetime: TimeInterval = 600
    /// Limits are recomputed at least this often, even without a period boundary.
    static let refreshInterval: TimeInterval = 3600

    public init(
        store: SiteStore, capabilities: SmartChargingCapabilities, electrics: [Int: ConnectorElectrics], logger: Logger,
        clock: @escaping @Sendable () async -> Date = { Date() }
    ) {
        self.store = store
        self.capabilities = capabilities
        self.electrics = electrics
        self.logger = logger
        self.clock = clock
        do {
            profiles = InstalledChargingProfiles(try store.chargingProfiles())
            transactions = Dictionary(
                try store.smartChargingTransactions().map { ($0.localTransactionId, $0) }, uniquingKeysWith: { $1 })
        } catch {
            logger.critical("stored charging profiles unreadable; no central limits apply until the central system sets them again",
                            metadata: ["error": "\(error)"])
            profiles = InstalledChargingProfiles()
            transactions = [:]
        }
    }

    /// Starts handing limits to `receiver` (now and at every change), after forgetting transactions that ended
    /// while the daemon was not running.
    public func start(receiver: any CentralLimitReceiving) async {
        self.receiver = receiver
        for transaction in transactions.values where (try? store.transactionIsKnown(LocalTransactionID(transaction.localTransactionId))) == false {
            await transactionEnded(LocalTransactionID(transaction.localTransactionId))
        }
        await recompute()
    }

    /// Runs until graceful shutdown; the period-boundary timer stops with it.
    public func run() async throws {
        try? await gracefulShutdown()
        timer?.cancel()
        timer = nil
    }

    // MARK: The central system's calls

    /// SetChargingProfile: checked against the configuration keys and the running transactions, committed (with
    /// an audit record) before Accepted goes out.
    public func setChargingProfile(_ request: SetChargingProfileRequest) async -> SetChargingProfileConfirmation {
        let now = await clock()
        let status = install(request.csChargingProfiles, connectorId: request.connectorId, now: now, actor: "central-system")
        if status == .accepted { await recompute() }
        return SetChargingProfileConfirmation(status: status)
    }

    private func install(_ profile: ChargingProfile, connectorId: Int, now: Date, actor: String) -> ChargingProfileStatus {
        let context = ChargingProfileContext(
            capabilities: capabilities, connectorIds: Set(electrics.keys), transactions: connectorTransactions(), now: now)
        switch profiles.installing(profile, connectorId: connectorId, context: context) {
        case .failure(let rejection):
            logger.info("charging profile not accepted", metadata: [
                "chargingProfileId": "\(profile.chargingProfileId)", "connectorId": "\(connectorId)",
                "status": "\(rejection.status.rawValue)", "problem": "\(rejection)",
            ])
            return rejection.status
        case .success(let (updated, installation)):
            let reason = "chargingProfileId \(profile.chargingProfileId), \(profile.chargingProfilePurpose.rawValue), stackLevel "
                + "\(profile.stackLevel), \(profile.chargingProfileKind.rawValue)"
                + (installation.replacedIds.isEmpty ? "" : "; replaces \(installation.replacedIds.map(String.init).joined(separator: ","))")
            do {
                try store.changeChargingProfiles(
                    removing: installation.replacedIds, adding: installation.installed,
                    audit: AuditRecord(recordedAt: now, actor: actor, action: "set-charging-profile",
                                       target: "connector-\(connectorId)", reason: reason))
            } catch {
                logger.error("charging profile not stored; answering Rejected", metadata: [
                    "chargingProfileId": "\(profile.chargingProfileId)", "error": "\(error)",
                ])
                return .rejected
            }
            profiles = updated
            logger.notice("charging profile installed", metadata: ["connectorId": "\(connectorId)", "profile": "\(reason)"])
            return .accepted
        }
    }

    /// ClearChargingProfile: Accepted when it removed something (committed first), else Unknown.
    public func clearChargingProfile(_ request: ClearChargingProfileRequest) async -> ClearChargingProfileConfirmation {
        let now = await clock()
        let matching = profiles.matching(request)
        guard !matching.isEmpty else {
            logger.info("ClearChargingProfile matches no installed profile", metadata: ["request": "\(request)"])
            return ClearChargingProfileConfirmation(status: .unknown)
        }
        var updated = profiles
        let removed = updated.clear(request)
        do {
            try store.changeChargingProfiles(
                removing: removed.map(\.id), adding: nil,
                audit: AuditRecord(recordedAt: now, actor: "central-system", action: "clear-charging-profile",
                                   target: nil, reason: "removed \(removed.map { String($0.id) }.joined(separator: ","))"))
        } catch {
            logger.error("charging profiles not removed from the store; answering Unknown", metadata: ["error": "\(error)"])
            return ClearChargingProfileConfirmation(status: .unknown)
        }
        profiles = updated
        logger.notice("charging profiles cleared", metadata: ["ids": "\(removed.map(\.id))"])
        await recompute()
        return ClearChargingProfileConfirmation(status: .accepted)
    }

    /// GetCompositeSchedule from now: Rejected for a connector that does not exist or a unit not allowed.
    public func compositeSchedule(_ request: GetCompositeScheduleRequest) async -> GetCompositeScheduleConfirmation {
        let now = await clock()
        let unit = request.chargingRateUnit ?? (capabilities.allowedUnits.contains(.amperes) ? .amperes : .watts)
        guard capabilities.allowedUnits.contains(unit),
              let composite = plan().compositeSchedule(
                connectorId: request.connectorId, start: now, duration: request.duration, unit: unit)
        else {
            logger.info("GetCompositeSchedule rejected", metadata: [
                "connectorId": "\(request.connectorId)", "unit": "\(unit.rawValue)", "duration": "\(request.duration)",
            ])
            return GetCompositeScheduleConfirmation(status: .rejected)
        }
        return GetCompositeScheduleConfirmation(
            status: .accepted, connectorId: request.connectorId, scheduleStart: composite.start,
            chargingSchedule: composite.chargingSchedule)
    }

    // MARK: Remote start

    /// A RemoteStartTransaction's chargingProfile (a TxProfile) for the transaction it is about to start for
    /// `idTag` (on `connectorId`, or wherever the site starts it). It is checked now and installed when that
    /// transaction starts; it waits `remoteStartProfileLifetime` at most. Call it before the site starts the
    /// transaction, and `dropRemoteStartProfile` when the start is refused. Returns the check's verdict (never a
    /// reason to refuse the start).
    public func installRemoteStartProfile(_ profile: ChargingProfile, connectorId: Int?, idTag: String) async -> ChargingProfileStatus {
        let now = await clock()
        guard profile.chargingProfilePurpose == .txProfile else {
            logger.warning("RemoteStartTransaction's chargingProfile is not a TxProfile; ignored", metadata: [
                "purpose": "\(profile.chargingProfilePurpose.rawValue)",
            ])
            return .rejected
        }
        // Checked as if its transaction were running on the connector named (or on any: the first one).
        let target = connectorId ?? electrics.keys.filter { $0 != 0 }.min() ?? 0
        var assumed = connectorTransactions()
        assumed[target] = ConnectorTransaction(transactionId: profile.transactionId, startedAt: now)
        let context = ChargingProfileContext(capabilities: capabilities, connectorIds: Set(electrics.keys), transactions: assumed, now: now)
        if case .failure(let rejection) = profiles.installing(profile, connectorId: target, context: context) {
            logger.warning("RemoteStartTransaction's chargingProfile not acceptable; the start goes ahead without it", metadata: [
                "problem": "\(rejection)",
            ])
            return rejection.status
        }
        pendingRemoteStart[idTag.lowercased()] = PendingRemoteStartProfile(
            profile: profile, connectorId: connectorId, until: now.addingTimeInterval(Self.remoteStartProfileLifetime))
        return .accepted
    }

    /// The remote start was refused: its profile no longer waits.
    public func dropRemoteStartProfile(idTag: String) {
        pendingRemoteStart[idTag.lowercased()] = nil
    }

    // MARK: Transactions (from the uplink's queue)

    func transactionStarted(_ local: LocalTransactionID, connectorId: Int, idTag: String, at startedAt: Date) async {
        let transaction = SmartChargingTransaction(
            localTransactionId: local.rawValue, connectorId: connectorId, startedAt: startedAt, centralTransactionId: nil)
        do {
            try store.recordSmartChargingTransaction(transaction)
        } catch {
            logger.error("transaction not recorded for smart charging", metadata: ["error": "\(error)"])
        }
        transactions[local.rawValue] = transaction
        let now = await clock()
        if let pending = pendingRemoteStart.removeValue(forKey: idTag.lowercased()), pending.until > now,
           pending.connectorId == nil || pending.connectorId == connectorId
        {
            _ = install(pending.profile, connectorId: connectorId, now: now, actor: "central-system (RemoteStartTransaction)")
        }
        await recompute()
    }

    func transactionConfirmed(_ local: LocalTransactionID, transactionId: Int) async {
        guard var transaction = transactions[local.rawValue] else { return }
        transaction.centralTransactionId = transactionId
        do {
            try store.recordSmartChargingTransaction(transaction)
        } catch {
            logger.error("transaction id not recorded for smart charging", metadata: ["error": "\(error)"])
        }
        transactions[local.rawValue] = transaction
        await recompute()
    }

    /// The transaction ended: its TxProfiles go with it.
    func transactionEnded(_ local: LocalTransactionID) async {
        guard let transaction = transactions[local.rawValue] else { return }
        var updated = profiles
        let stillRunning = transactions.values.contains {
            $0.connectorId == transaction.connectorId && $0.localTransactionId != local.rawValue
        }
        let removed = stillRunning ? [] : updated.transactionEnded(connectorId: transaction.connectorId)
        do {
            try store.endSmartChargingTransaction(local.rawValue, removingProfiles: removed.map(\.id))
        } catch {
            logger.error("ended transaction not removed from smart charging's store", metadata: ["error": "\(error)"])
        }
        transactions[local.rawValue] = nil
        profiles = updated
        if !removed.isEmpty {
            logger.info("TxProfiles removed: their transaction ended", metadata: [
                "connectorId": "\(transaction.connectorId)", "ids": "\(removed.map(\.id))",
            ])
        }
        await recompute()
    }

    // MARK: Limits in force

    func connectorTransactions() -> [Int: ConnectorTransaction] {
        var byConnector: [Int: ConnectorTransaction] = [:]
        for transaction in transactions.values.sorted(by: { $0.startedAt < $1.startedAt }) {
            byConnector[transaction.connectorId] = ConnectorTransaction(
                transactionId: transaction.centralTransactionId, startedAt: transaction.startedAt)
        }
        return byConnector
    }

    func plan() -> SmartChargingPlan {
        SmartChargingPlan(profiles: profiles, transactions: connectorTransactions(), electrics: electrics)
    }

    /// Works out the limits in force now, hands them to load balancing, and sets the timer for the next boundary.
    func recompute() async {
        let now = await clock()
        pendingRemoteStart = pendingRemoteStart.filter { $0.value.until > now }
        let plan = plan()
        let limits = plan.limitsInForce(at: now)
        let changed = limits != limitsInForce
        limitsInForce = limits
        computedAt = now
        nextChangeAt = plan.nextChange(after: now)
        installedGauge.record(profiles.count)
        publishLimitGauges(limits)
        if changed {
            logger.info("central limits in force", metadata: [
                "limits": "\(limits.map { "connector \($0.connectorId): \($0.limit) \($0.unit.rawValue) (profile \($0.profileId))" })",
            ])
        }
        await receiver?.receiveCentralLimits(limits.map(Self.centralLimit))
        let delay = min(nextChangeAt.map { max(0, $0.timeIntervalSince(now)) } ?? Self.refreshInterval, Self.refreshInterval)
        timer?.cancel()
        timer = Task { [weak self] in
            // A hair after the boundary, so the new period is in force when it is evaluated.
            try? await Task.sleep(for: .milliseconds(Int(delay * 1000) + 20))
            guard !Task.isCancelled else { return }
            await self?.recompute()
        }
    }

    private func publishLimitGauges(_ limits: [ScheduledLimit]) {
        var current: [String: Gauge] = [:]
        for limit in limits {
            let key = "\(limit.connectorId)/\(limit.unit.rawValue)"
            let gauge = limitGauges[key] ?? Gauge(
                label: "edge_agent_smart_charging_limit",
                dimensions: [("connector", String(limit.connectorId)), ("unit", limit.unit.rawValue)])
            gauge.record(limit.limit)
            current[key] = gauge
        }
        for (key, gauge) in limitGauges where current[key] == nil { gauge.destroy() }
        limitGauges = current
    }

    static func centralLimit(_ limit: ScheduledLimit) -> CentralLimit {
        CentralLimit(
            consumer: limit.connectorId == 0 ? nil : balancingConsumerID(connectorId: limit.connectorId),
            limit: limit.limit, unit: limit.unit == .watts ? .watts : .amperes)
    }
}

/// A RemoteStartTransaction's profile waiting for its transaction.
struct PendingRemoteStartProfile: Sendable, Equatable {
    var profile: ChargingProfile
    var connectorId: Int?
    var until: Date
}
