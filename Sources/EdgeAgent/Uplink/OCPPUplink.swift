import Foundation
import Logging
import OCPP
import ServiceLifecycle

/// What the uplink needs to know that does not change while it runs.
public struct UplinkSettings: Sendable {
    public var bootNotification: BootNotificationRequest
    /// How long one of our calls may wait for its answer.
    public var responseTimeout: Duration
    /// The offline queue's limit (docs/ocpp.md).
    public var queueCapacity: Int
    /// Next BootNotification after one failed (CALLERROR, no answer, invalid answer).
    public var bootRetryAfterFailure: Duration
    /// Retry delay when Pending/Rejected comes with interval 0.
    public var bootRetryDefault: Duration
    /// How often timers (heartbeat, retries, response timeout) are checked.
    public var tickInterval: Duration

    public init(
        bootNotification: BootNotificationRequest, responseTimeout: Duration = .seconds(30),
        queueCapacity: Int = OfflineQueuePolicy.defaultCapacity, bootRetryAfterFailure: Duration = .seconds(30),
        bootRetryDefault: Duration = .seconds(60), tickInterval: Duration = .milliseconds(250)
    ) {
        self.bootNotification = bootNotification
        self.responseTimeout = responseTimeout
        self.queueCapacity = queueCapacity
        self.bootRetryAfterFailure = bootRetryAfterFailure
        self.bootRetryDefault = bootRetryDefault
        self.tickInterval = tickInterval
    }
}

/// One input of the uplink; all of them are handled one at a time, in order.
enum UplinkEvent: Sendable {
    case transport(OCPPTransportEvent)
    case tick
    case connectFailed(reason: String)
    case connectorChanged(ConnectorStatus)
    case queueChanged
}

/// The OCPP 1.6J charge point in the daemon: registration (BootNotification), heartbeats, the
/// clock, connector statuses, configuration keys, answers to the central system's calls, and
/// delivery of the durable transaction queue. The whole site is one charge point; every
/// compartment and charger is a connector.
///
/// One event loop handles everything in order (transport events, timer ticks, status changes),
/// so the state below changes only from `handle(_:at:)`; frames leave through one ordered outbox.
public actor OCPPUplink: Service {
    typealias Instant = ContinuousClock.Instant

    enum Registration: Equatable {
        case offline, booting, pending, rejected, accepted
    }

    let settings: UplinkSettings
    nonisolated let transport: any UplinkTransport
    let store: SiteStore
    nonisolated let connectors: any ConnectorStatusSource
    nonisolated let monitor: UplinkMonitor
    let logger: Logger
    let wallClock: @Sendable () -> Date
    let registry: ConfigurationRegistry
    var keys: ConfigurationKeyStore
    var queue: TransactionQueue

    var tracker: CallTracker<Instant>
    var registration: Registration = .offline
    /// Counts connections, so work started for one link is not finished on the next.
    var linkEpoch = 0
    var bootRetryAt: Instant?
    var heartbeatDueAt: Instant?
    var clock = CentralSystemClock()
    /// The queued message in flight (one at a time, in order).
    var queueCall: (id: String, sequence: Int64, message: QueuedTransactionMessage)?
    var queueRetryAt: Instant?
    private var attemptFinished = false
    /// Authorizers waiting for the answer to their Authorize.req, by message id (Uplink/UplinkAuthorize.swift).
    var authorizeWaiters: [String: CheckedContinuation<IdTagInfo?, Never>] = [:]
    /// Availability, reset, firmware and diagnostics (Operations/OCPPUplink+Operations.swift); nil: NotSupported.
    var operations: (any ChargePointOperations)?
    /// Charging profiles and the limits they set (SmartCharging/); nil: profile calls are not supported.
    var smartCharging: SmartCharging?

    nonisolated let outbox: AsyncStream<String>.Continuation
    private nonisolated let outboxFrames: AsyncStream<String>
    nonisolated let events: AsyncStream<UplinkEvent>.Continuation
    private nonisolated let eventStream: AsyncStream<UplinkEvent>
    nonisolated let startOutcomes: AsyncStream<StartTransactionOutcome>.Continuation
    /// Every StartTransaction the central system confirmed, with its idTagInfo. One consumer.
    public nonisolated let startTransactionOutcomes: AsyncStream<StartTransactionOutcome>
    /// Answers the central system's DataTransfer.req; parts of the daemon register their message ids here.
    public nonisolated let dataTransferRouter: DataTransferRouter

    public init(
        settings: UplinkSettings, transport: any UplinkTransport, store: SiteStore, connectors: any ConnectorStatusSource,
        monitor: UplinkMonitor, registry: ConfigurationRegistry, keys: ConfigurationKeyStore, logger: Logger,
        wallClock: @escaping @Sendable () -> Date = { Date() }, dataTransferRouter: DataTransferRouter? = nil
    ) {
        self.settings = settings
        // Without a vendor id from the site file, the charge point answers to its own vendor name.
        self.dataTransferRouter = dataTransferRouter ?? DataTransferRouter(vendorId: settings.bootNotification.chargePointVendor)
        self.transport = transport
        self.store = store
        self.connectors = connectors
        self.monitor = monitor
        self.registry = registry
        self.keys = keys
        self.logger = logger
        self.wallClock = wallClock
        self.queue = TransactionQueue(store: store, capacity: settings.queueCapacity)
        self.tracker = CallTracker(responseTimeout: settings.responseTimeout)
        (outboxFrames, outbox) = AsyncStream.makeStream(of: String.self)
        (eventStream, events) = AsyncStream.makeStream(of: UplinkEvent.self)
        (startTransactionOutcomes, startOutcomes) = AsyncStream.makeStream(of: StartTransactionOutcome.self)
    }

    /// Runs until graceful shutdown (ServiceLifecycle).
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.serve() }
    }

    /// Runs the transport and the event loop until the task is cancelled.
    func serve() async {
        publish()
        // Taken before the transport runs: a connection publishes only to streams already taken.
        let transportEvents = transport.events
        let connectFailures = transport.connectFailures
        let statusChanges = connectors.connectorStatusChanges()
        let tickInterval = settings.tickInterval
        await withDiscardingTaskGroup { group in
            group.addTask { await self.transport.run() }
            group.addTask {
                for await event in transportEvents { self.events.yield(.transport(event)) }
            }
            group.addTask {
                for await reason in connectFailures { self.events.yield(.connectFailed(reason: reason)) }
            }
            group.addTask { await self.writeFrames() }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: tickInterval)
                    self.events.yield(.tick)
                }
            }
            group.addTask {
                for await change in statusChanges { self.events.yield(.connectorChanged(change)) }
            }
            for await event in eventStream {
                await handle(event, at: .now)
                if Task.isCancelled { break }
            }
            group.cancelAll()
        }
        outbox.finish()
        startOutcomes.finish()
    }

    private nonisolated func writeFrames() async {
        for await frame in outboxFrames {
            do {
                try await transport.send(frame)
            } catch {
                logger.debug("frame not sent: the link is down", metadata: ["frame": "\(RPCFrame.loggable(frame).prefix(120))"])
            }
        }
    }

    // MARK: The event loop

    func handle(_ event: UplinkEvent, at now: Instant) async {
        switch event {
        case .transport(.connected): await linkUp(at: now)
        case .transport(.disconnected(let reason)): await linkDown(reason: reason, at: now)
        case .transport(.frame(let text)): await received(text, at: now)
        case .tick: await tick(at: now)
        case .connectFailed(let reason):
            guard registration == .offline else { return }
            attemptFinished = true
            publish(detail: reason)
        case .connectorChanged(let status):
            // Offline changes are not queued: after reconnecting the current status is sent.
            if registration == .accepted { await submit(statusNotification(for: status), at: now) }
        case .queueChanged:
            publish()
            await pumpQueue(at: now)
        }
    }

    private func linkUp(at now: Instant) async {
        linkEpoch += 1
        attemptFinished = true
        registration = .booting
        publish(detail: nil)
        logger.info("connected to the central system; sending BootNotification")
        await submitBoot(at: now)
    }

    private func linkDown(reason: String, at now: Instant) async {
        let wasUp = registration != .offline
        attemptFinished = true
        registration = .offline
        bootRetryAt = nil
        heartbeatDueAt = nil
        queueRetryAt = nil  // transaction messages go again right after the next boot
        await process(tracker.connectionLost(), at: now)
        publish(detail: reason)
        // Every failed reconnect attempt reports a disconnect too: only the first is news.
        logger.log(level: wasUp ? .notice : .debug, "central system offline; transaction messages stay queued", metadata: [
            "reason": "\(reason)",
        ])
    }

    private func received(_ text: String, at now: Instant) async {
        monitor.update { $0.lastMessageAt = wallClock() }
        switch RPCFrame.decode(text) {
        case .success(let message):
            await process(tracker.receive(message, now: now), at: now)
        case .failure(let rejection):
            logger.warning("malformed frame from the central system", metadata: [
                "problem": "\(rejection)", "frame": "\(RPCFrame.loggable(text).prefix(300))",
            ])
            if let reply = rejection.replyFrame, registration != .rejected { outbox.yield(reply) }
        }
    }

    func tick(at now: Instant) async {
        await process(tracker.checkTimeout(now: now), at: now)
        if let retryAt = bootRetryAt, now >= retryAt, [.booting, .pending, .rejected].contains(registration) {
            bootRetryAt = nil
            await submitBoot(at: now)
        }
        if registration == .accepted, let due = heartbeatDueAt, now >= due {
            heartbeatDueAt = now.advanced(by: .seconds(heartbeatInterval))
            if let call = try? OutgoingCall(HeartbeatRequest()) { await submit(call, at: now) }
        }
        await pumpQueue(at: now)
    }

    /// Queues our call (sent when nothing else of ours is outstanding).
    func submit(_ call: OutgoingCall?, at now: Instant) async {
        guard let call else { return }
        await process(tracker.submit(call, now: now), at: now)
    }

    func process(_ effects: [CallTrackerEffect], at now: Instant) async {
        for effect in effects {
            switch effect {
            case .send(let call):
                logger.debug("sending", metadata: ["action": "\(call.action.rawValue)", "id": "\(call.id)"])
                outbox.yield(call.frame)
                SiteMetrics.countUplinkSent(action: call.action.rawValue)
            case .completed(let call, let result):
                if case .failure = result { SiteMetrics.countUplinkFailed(action: call.action.rawValue) }
                await completed(call, result, at: now)
            case .answer(let incoming):
                await answer(incoming, at: now)
            case .unmatched(let id):
                logger.info("answer matches no call of ours (late or unknown); dropped", metadata: ["id": "\(id)"])
            }
        }
    }

    private func completed(_ call: OutgoingCall, _ result: Result<any OCPPPayload, CallFailure>, at now: Instant) async {
        switch call.action {
        case .bootNotification:
            await bootCompleted(result, at: now)
        case .heartbeat:
            if case .success(let payload) = result, let confirmation = payload as? HeartbeatConfirmation {
                clock.synchronize(centralTime: confirmation.currentTime, boardTime: wallClock())
            }
        case .authorize:
            authorizeCompleted(call, result)
        case .startTransaction, .stopTransaction, .meterValues:
            if let inFlight = queueCall, inFlight.id == call.id {
                queueCall = nil
                await queuedMessageCompleted(inFlight.sequence, inFlight.message, result, at: now)
            }
        default:
            if case .failure(let failure) = result, failure != .connectionLost {
                logger.info("call failed", metadata: ["action": "\(call.action.rawValue)", "failure": "\(failure)"])
            }
        }
    }

    // MARK: Registration and heartbeat

    func submitBoot(at now: Instant) async {
        do {
            await submit(try OutgoingCall(settings.bootNotification), at: now)
        } catch {
            logger.critical("BootNotification breaks its schema; check station vendor/model/serial in the site file", metadata: [
                "problem": "\(error)",
            ])
            bootRetryAt = now.advanced(by: settings.bootRetryDefault)
        }
    }

    private func bootCompleted(_ result: Result<any OCPPPayload, CallFailure>, at now: Instant) async {
        let confirmation: BootNotificationConfirmation
        switch result {
        case .success(let payload as BootNotificationConfirmation):
            confirmation = payload
        case .success:
            return
        case .failure(.connectionLost):
            return
        case .failure(let failure):
            logger.warning("BootNotification failed; retrying", metadata: [
                "failure": "\(failure)", "retryIn": "\(settings.bootRetryAfterFailure)",
            ])
            bootRetryAt = now.advanced(by: settings.bootRetryAfterFailure)
            return
        }
        clock.synchronize(centralTime: confirmation.currentTime, boardTime: wallClock())
        let retry = confirmation.interval > 0 ? Duration.seconds(confirmation.interval) : settings.bootRetryDefault
        switch confirmation.status {
        case .pending:
            registration = .pending
            bootRetryAt = now.advanced(by: retry)
            publish(detail: "the central system answered BootNotification with Pending; retrying in \(retry)")
            logger.notice("registration pending", metadata: ["retryIn": "\(retry)"])
        case .rejected:
            registration = .rejected
            bootRetryAt = now.advanced(by: retry)
            publish(detail: "the central system rejected BootNotification; retrying in \(retry)")
            logger.warning("registration rejected by the central system", metadata: ["retryIn": "\(retry)"])
        case .accepted:
            registration = .accepted
            bootRetryAt = nil
            adoptHeartbeatInterval(confirmation.interval)
            heartbeatDueAt = heartbeatInterval > 0 ? now.advanced(by: .seconds(heartbeatInterval)) : nil
            publish(detail: nil)
            logger.info("registration accepted", metadata: [
                "heartbeatInterval": "\(heartbeatInterval)", "clockOffset": "\(clock.offset)",
            ])
            let epoch = linkEpoch
            let statuses = await connectors.currentConnectorStatuses()
            guard epoch == linkEpoch, registration == .accepted else { return }
            // The charge point itself (connector 0, when the source does not name it), then every connector, as of now.
            if !statuses.contains(where: { $0.connectorId == 0 }) {
                await submit(statusNotification(for: ConnectorStatus(connectorId: 0, status: .available)), at: now)
            }
            for status in statuses.sorted(by: { $0.connectorId < $1.connectorId }) {
                await submit(statusNotification(for: status), at: now)
            }
            await pumpQueue(at: now)
        }
    }

    /// HeartbeatInterval as configured (0: no heartbeats).
    var heartbeatInterval: Int { registry.integer(.heartbeatInterval, in: keys) ?? 300 }

    /// The interval from an accepted BootNotification becomes the HeartbeatInterval key.
    private func adoptHeartbeatInterval(_ interval: Int) {
        guard interval > 0, interval != heartbeatInterval,
              case .success(let (definition, value)) = registry.validatedChange(
                key: StandardConfigurationKey.heartbeatInterval.rawValue, value: String(interval), store: keys)
        else { return }
        do {
            try store.setOCPPConfigurationValue(value, forKey: definition.key.rawValue)
            var values = keys.values
            values[definition.key.rawValue] = value
            keys = ConfigurationKeyStore(values: values)
        } catch {
            logger.error("could not store HeartbeatInterval from the boot response", metadata: ["error": "\(error)"])
        }
    }

    func statusNotification(for status: ConnectorStatus) -> OutgoingCall? {
        let board = wallClock()
        // A fault names its own errorCode and vendorErrorCode (Sessions/ConnectorFaultCodes.swift).
        // A warning (a stale meter) keeps the status and still names its codes.
        let codes = status.status == .faulted || status.fault.map(ConnectorFaultCodes.isWarning) == true
            ? status.fault.map(ConnectorFaultCodes.codes(for:)) : nil
        let request = StatusNotificationRequest(
            connectorId: status.connectorId, errorCode: codes?.errorCode ?? (status.status == .faulted ? .otherError : .noError),
            info: status.fault.map { String($0.prefix(50)) }, status: status.status,
            timestamp: clock.isTrustworthy(boardTime: board) ? clock.now(boardTime: board) : nil,
            vendorErrorCode: codes?.vendorErrorCode)
        do {
            return try OutgoingCall(request)
        } catch {
            logger.error("StatusNotification not sent", metadata: ["connectorId": "\(status.connectorId)", "problem": "\(error)"])
            return nil
        }
    }

    // MARK: Status

    func publish(detail: String?? = .none) {
        let state: UplinkState = switch registration {
        case .offline: attemptFinished ? .offline : .connecting
        case .booting: .connecting
        case .pending: .pending
        case .rejected: .rejected
        case .accepted: .connected
        }
        let depth = (try? queue.depth()) ?? 0
        monitor.update { snapshot in
            snapshot.state = state
            snapshot.queueDepth = depth
            if case .some(let detail) = detail { snapshot.detail = detail }
        }
    }

    /// Wall-clock time corrected by the central system's clock: use it to stamp transaction messages.
    public func now() -> Date { clock.now(boardTime: wallClock()) }

    public func state() -> UplinkSnapshot { monitor.snapshot }
}
