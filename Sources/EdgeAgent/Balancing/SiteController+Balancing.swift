import Foundation
import LoadBalancing
import Logging

/// What the control loop keeps between steps, inside the site controller.
struct BalancingLoopState: Sendable {
    struct ConsumerInfo: Sendable {
        var connectorId: Int
        var name: String
        var kind: ConsumerKind
    }

    /// A socket switched less than this before a reading may or may not be in it (meter integration, polling).
    static let settleSeconds = 1.5
    /// How long switching times are kept for the consistency check.
    static let switchMemorySeconds = 120.0

    var engine: LoadBalancer
    let consumers: [ConsumerID: ConsumerInfo]
    let interval: Double
    let gridLimit: Double
    var state = BalancingState()
    var outcome: BalancingOutcome?
    var input: BalancingInput?
    var decidedAt: Date?
    var trigger = ""
    /// The latest meter statuses the loop fetched.
    var meters: [MeterStatus] = []
    /// The latest grid reading and consumer readings that describe the same moment (see
    /// `BalancingSiteMapping.isConsistent`); used while a socket that just switched settles.
    var consistent: Measurements?
    /// True when the last step used `consistent` instead of the newest readings.
    var heldSnapshot = false
    /// The newest grid reading the loop has looked at.
    var gridSeenAt: Date?
    /// Recent switching times of each socket (relay as the hardware reports it).
    var switched: [ConsumerID: [Date]] = [:]
    var stepping = false
    var pending = false
    var steps = 0
    /// Since when the grid connection runs on its safe limit (nil: it does not).
    var safeLimitSince: Date?

    init(engine: LoadBalancer, configuration: SiteConfiguration) {
        self.engine = engine
        var consumers: [ConsumerID: ConsumerInfo] = [:]
        for compartment in configuration.compartments {
            consumers[balancingConsumerID(connectorId: compartment.connectorId)] = ConsumerInfo(
                connectorId: compartment.connectorId, name: compartment.name, kind: .socket)
        }
        for charger in configuration.chargers {
            consumers[balancingConsumerID(connectorId: charger.connectorId)] = ConsumerInfo(
                connectorId: charger.connectorId, name: charger.name, kind: .charger)
        }
        self.consumers = consumers
        interval = Double(configuration.balancing.controlIntervalSeconds)
        gridLimit = configuration.balancing.gridLimitAmpsPerPhase
    }

    mutating func noteSwitch(_ consumer: ConsumerID, at now: Date) {
        var times = (switched[consumer] ?? []).filter { now.timeIntervalSince($0) < Self.switchMemorySeconds }
        times.append(now)
        switched[consumer] = times
    }

    /// Why a step is due now, if one is: the control interval passed, an engine timer expired (rotation, delays,
    /// a reading turning stale), or a new grid reading shows a phase above the grid limit.
    func dueTrigger(at now: Date) -> String? {
        guard let decidedAt else { return "start" }
        if now.timeIntervalSince(decidedAt) >= interval { return "interval" }
        if let next = outcome?.nextDecisionAt, next.secondsSinceEpoch <= now.timeIntervalSince1970 { return "timer" }
        if let grid = meters.first(where: { $0.device.role == .grid }), !grid.stale, let time = grid.time,
           time > (gridSeenAt ?? .distantPast),
           let reading = MeterValues(grid.values).gridReading(at: Instant(secondsSinceEpoch: 0)),
           [reading.currents.l1, reading.currents.l2, reading.currents.l3].contains(where: { $0 > gridLimit })
        {
            return "gridAboveLimit"
        }
        return nil
    }
}

extension SiteController {
    /// Starts load balancing from the site file and decides once. A site the engine refuses (the validator keeps
    /// such files out) switches every socket off rather than charging without limits.
    func startBalancing(meters: [MeterStatus], at now: Date) {
        guard balancingView.loop == nil else { return }
        do {
            let engine = try LoadBalancer(site: BalancingSiteMapping.engineSite(configuration))
            var loop = BalancingLoopState(engine: engine, configuration: configuration)
            loop.meters = meters
            balancingView.loop = loop
        } catch {
            logger.critical("load balancing cannot start; every socket stays off", metadata: [
                "error": "\(error)", "fix": "correct the balancing section of the site file (edge-agent check-config)",
            ])
            for compartment in configuration.compartments { feedSession(compartment.name, .balancing(allowed: false)) }
            return
        }
        logger.info("load balancing started", metadata: [
            "mode": "\(configuration.balancing.mode.rawValue)", "strategy": "\(configuration.balancing.strategy.rawValue)",
            "gridLimitAmpsPerPhase": "\(configuration.balancing.gridLimitAmpsPerPhase)",
            "safeLimitAmpsPerPhase": "\(configuration.balancing.safeLimitAmpsPerPhase)",
        ])
        runBalancingStep(at: now, trigger: "start")
    }

    /// The control loop's wake-up (about every second): keeps the fresh meter statuses and decides when a step is due.
    func balancingPump(meters: [MeterStatus], at now: Date) {
        guard balancingView.loop != nil else { return }
        balancingView.loop?.meters = meters
        if let trigger = balancingView.loop?.dueTrigger(at: now) { runBalancingStep(at: now, trigger: trigger) }
    }

    /// Records a socket relay switching (from the hardware's reports), for the consistency of readings.
    func balancingNoteRelays(from old: [Int: SiteStatus.Compartment], to new: [Int: SiteStatus.Compartment]) {
        guard balancingView.loop != nil else { return }
        let now = Date()
        for (connectorId, state) in new where old[connectorId]?.relay != state.relay {
            balancingView.loop?.noteSwitch(balancingConsumerID(connectorId: connectorId), at: now)
        }
    }

    /// A compartment whose card was just accepted: decide as if its session had started, so the machine knows
    /// before the start whether its socket may go on (no Charging/SuspendedEVSE flicker, no unallocated draw).
    func balancingBeforeStart(_ name: String) {
        guard balancingView.loop != nil, let machine = sessionView.machines[name], machine.openSession == nil,
              machine.waitingSince != nil, let connectorId = configuration.compartment(named: name)?.connectorId
        else { return }
        runBalancingStep(at: Date(), trigger: "start of a session", starting: (connectorId, sessionNow()))
    }

    /// One control step (or several, when a step itself changed what sessions want). Synchronous on the actor,
    /// so a session that starts gets its decision before its lock can confirm.
    func runBalancingStep(at now: Date, trigger: String, starting: (connectorId: Int, at: Date)? = nil) {
        guard let loop = balancingView.loop else { return }
        guard !loop.stepping else {
            balancingView.loop?.pending = true
            return
        }
        balancingView.loop?.stepping = true
        var trigger = trigger
        var starting = starting
        for _ in 0..<4 {
            balancingView.loop?.pending = false
            balancingStepOnce(at: now, trigger: trigger, starting: starting)
            guard balancingView.loop?.pending == true else { break }
            trigger = "request"
            starting = nil
        }
        balancingView.loop?.stepping = false
    }

    private func balancingStepOnce(at now: Date, trigger: String, starting: (connectorId: Int, at: Date)?) {
        guard var loop = balancingView.loop else { return }
        var measurements = BalancingSiteMapping.measurements(loop.meters, configuration: configuration)
        loop.heldSnapshot = false
        if BalancingSiteMapping.isConsistent(measurements, changes: loop.switched, settleSeconds: BalancingLoopState.settleSeconds) {
            if measurements.circuits[BalancingSiteMapping.gridCircuit] != nil { loop.consistent = measurements }
        } else {
            // A socket switched while the meters were read: decide from the last readings that agree (they age
            // like any reading, so the safe limit still applies in time).
            measurements.circuits = loop.consistent?.circuits ?? [:]
            measurements.consumers = loop.consistent?.consumers ?? [:]
            loop.heldSnapshot = true
        }
        if let grid = loop.meters.first(where: { $0.device.role == .grid })?.time { loop.gridSeenAt = grid }

        var sessions: [LoadBalancing.Session] = []
        for compartment in configuration.compartments {
            guard let since = sessionView.machines[compartment.name]?.balancingDemandSince else { continue }
            sessions.append(LoadBalancing.Session(
                consumer: balancingConsumerID(connectorId: compartment.connectorId), startedAt: instant(since)))
        }
        if let starting {
            sessions.append(LoadBalancing.Session(
                consumer: balancingConsumerID(connectorId: starting.connectorId), startedAt: instant(starting.at)))
        }
        for demand in balancingView.chargerDemands.values.sorted(by: { $0.connectorId < $1.connectorId }) {
            sessions.append(LoadBalancing.Session(
                consumer: balancingConsumerID(connectorId: demand.connectorId),
                startedAt: instant(demand.sessionStartedAt), priority: demand.priority))
        }
        let input = BalancingInput(measurements: measurements, sessions: sessions, centralLimits: balancingView.centralLimits)
        // Schedules run in local time: follow a daylight-saving change without a restart.
        let offset = Double(TimeZone.current.secondsFromGMT(for: now))
        if offset != loop.engine.site.settings.utcOffset, !loop.engine.site.schedule.isEmpty {
            var site = loop.engine.site
            site.settings.utcOffset = offset
            if let updated = try? LoadBalancer(site: site) { loop.engine = updated }
        }
        let (outcome, next) = loop.engine.allocate(input, previous: loop.state, now: instant(now))
        loop.state = next
        loop.outcome = outcome
        loop.input = input
        loop.decidedAt = now
        loop.trigger = trigger
        loop.steps += 1
        balancingView.loop = loop

        for setpoint in outcome.setpoints {
            guard let info = loop.consumers[setpoint.consumer] else { continue }
            let before = balancingView.setpoints[info.connectorId]
            let decided = BalancingSetpoint(
                connectorId: info.connectorId, allowed: setpoint.on, currentAmps: setpoint.current,
                reason: setpoint.reason.rawValue, decidedAt: now)
            balancingView.setpoints[info.connectorId] = decided
            if let before, before.allowed != decided.allowed || abs(before.currentAmps - decided.currentAmps) >= 0.5 {
                // Pauses and resumes are news; a charger's current moving within its range is routine.
                let level: Logger.Level = before.allowed != decided.allowed ? .info : .debug
                logger.log(level: level, decided.allowed ? "load balancing allows" : "load balancing pauses", metadata: [
                    "connector": "\(info.connectorId)", "name": "\(info.name)",
                    "amps": "\(String(format: "%.1f", decided.currentAmps))", "reason": "\(decided.reason)",
                    "limitedBy": "\(setpoint.limitedBy ?? "-")", "trigger": "\(trigger)",
                ])
            }
        }
        let onSafeLimit = outcome.circuit(BalancingSiteMapping.gridCircuit)?.onSafeLimit ?? false
        if onSafeLimit, loop.safeLimitSince == nil {
            balancingView.loop?.safeLimitSince = now
            logger.warning("grid meter stale or missing: our consumers share the safe limit", metadata: [
                "safeLimitAmpsPerPhase": "\(configuration.balancing.safeLimitAmpsPerPhase)",
            ])
        } else if !onSafeLimit, loop.safeLimitSince != nil {
            balancingView.loop?.safeLimitSince = nil
            logger.notice("grid meter fresh again: back to the grid limit minus the measured base load")
        }
        for compartment in configuration.compartments {
            guard let setpoint = balancingView.setpoints[compartment.connectorId] else { continue }
            feedSession(compartment.name, .balancing(allowed: setpoint.allowed))
        }
        BalancingMetrics.record(outcome, consumers: loop.consumers)
    }

    private func instant(_ date: Date) -> Instant { Instant(secondsSinceEpoch: date.timeIntervalSince1970) }
}
