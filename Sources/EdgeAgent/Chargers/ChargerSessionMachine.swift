import Foundation

/// One Modbus-controlled charger's sessions as a pure state machine. The charger's pilot state drives it:
/// Available (no car) -> Preparing (plugged in) -> authorized by a card at the charger's reader or a remote start
/// -> current setpoint + enable + StartTransaction -> Charging (the car draws) / SuspendedEV (it does not) /
/// SuspendedEVSE (load balancing allows less than the minimum) -> ended by the owner's card (or its group),
/// a remote stop or unplugging -> Finishing while the car is still plugged in -> Available once unplugged.
///
/// An authorization may also come first (remote start, or a card before the cable): the session then waits for
/// the car for ConnectionTimeOut. A plugged car nobody authorizes within ConnectionTimeOut goes back to
/// Available (a card still starts it while it stays plugged in).
///
/// Session records use the compartment model: `locking` = authorized, waiting for the car; `charging` = the
/// transaction runs (`relayOn` = charging enabled at the charger); `finishing` = stopped, car still plugged in.
/// Inputs come with the time they happened; no clocks, no I/O.
public struct ChargerSessionMachine: Sendable, Equatable {
    public let connectorId: Int
    public let charger: String
    public var policy: ChargerPolicy
    /// The latest good reading (kept while the charger does not answer).
    public internal(set) var latest: ChargerReading?
    /// nil until the first reading: whether a car is plugged in is not known.
    public internal(set) var plugged: Bool?
    /// A car plugged in with no session, waiting for authorization (Preparing) since then.
    public internal(set) var waitingSince: Date?
    public internal(set) var session: SessionRecord?
    public internal(set) var pilotFault: ChargerFault?
    public internal(set) var answering = true
    public internal(set) var writeFailure: String?
    /// False while the connector is inoperative (ChangeAvailability): no new session starts.
    public internal(set) var operative = true
    /// The current balancing allows (nil: below the minimum, paused).
    public internal(set) var allowedAmps: Double?
    /// What the machine last asked of the charger (nil: nothing yet, so the first decision is always written).
    public internal(set) var commandedEnabled: Bool?
    public internal(set) var commandedAmps: Double?
    var commandedAt: Date?
    var lastSampleAt: Date?
    var lastDemand: ChargerDemand??
    var rejectingMeter = false

    public init(connectorId: Int, charger: String, policy: ChargerPolicy) {
        self.connectorId = connectorId
        self.charger = charger
        self.policy = policy
        self.allowedAmps = policy.maxCurrentAmps
    }

    // MARK: What it shows

    public var fault: ChargerFault? {
        if !answering { return .notAnswering }
        return pilotFault ?? (writeFailure == nil ? nil : .setpointNotAccepted)
    }

    public var status: SessionConnectorStatus {
        if fault != nil { return .faulted }
        if !operative, openSession == nil, session?.state != .finishing { return .unavailable }
        switch session?.state {
        case .locking?: return .preparing
        case .charging?, .chargeComplete?, .suspendedByLocker?:
            if plugged == true, allowedAmps == nil { return .suspendedEVSE }
            return latest?.pilot?.isCharging == true && plugged == true ? .charging : .suspendedEV
        case .finishing?: return .finishing
        case .closed?, nil: return waitingSince == nil ? .available : .preparing
        }
    }

    /// The session while it holds the charger (authorized or charging).
    public var openSession: SessionRecord? { session.flatMap { $0.isOpen ? $0 : nil } }

    /// The running transaction's session (started, not stopped).
    public var runningSession: SessionRecord? {
        guard let open = openSession, open.state != .locking, open.transactionStoppedAt == nil else { return nil }
        return open
    }

    // MARK: Inputs

    public mutating func handle(_ input: ChargerInput, at now: Date) -> [ChargerCommand] {
        var out: [ChargerCommand] = []
        switch input {
        case .reading(let reading):
            readingArrived(reading, at: now, into: &out)
        case .notAnswering:
            if answering {
                answering = false
                out += [.fault(.notAnswering), .log("the charge controller does not answer; its session keeps its transaction")]
            }
        case let .authorized(idTag, outcome, method, sessionId):
            authorized(idTag: idTag, outcome: outcome, method: method, sessionId: sessionId, at: now, into: &out)
        case let .stopWithCard(idTag, parentIdTag):
            guard let open = openSession else {
                out.append(.feedback(.noWaitingDoor))
                break
            }
            if open.isOwner(idTag: idTag, parentIdTag: parentIdTag) {
                end(reason: .local, idTag: idTag, at: now, into: &out)
            } else {
                out.append(.feedback(.notOwner))
            }
        case .stop(let reason):
            end(reason: reason, idTag: nil, at: now, into: &out)
        case .balancing(let setpoint):
            allowedAmps = policy.allowedCurrent(setpoint)
        case .writeResult(let failure):
            if let failure, writeFailure == nil {
                out += [.fault(.setpointNotAccepted), .log("write to the charge controller failed: \(failure)")]
            }
            writeFailure = failure
        case .deauthorized(let sessionId):
            guard let running = runningSession, running.id == sessionId else { break }
            end(reason: .deAuthorized, idTag: nil, at: now, into: &out)
        case .availability(let isOperative):
            operative = isOperative
        case .tick:
            break
        }
        timersDue(at: now, into: &out)
        decideOutputs(at: now, into: &out)
        return out
    }

    private mutating func readingArrived(_ reading: ChargerReading, at now: Date, into out: inout [ChargerCommand]) {
        // After a failed write or a silence (it may have restarted) everything is written once more.
        if writeFailure != nil || !answering {
            commandedEnabled = nil
            commandedAmps = nil
        }
        if !answering {
            answering = true
            out.append(.log("the charge controller answers again"))
        }
        guard let pilot = reading.pilot else {
            if pilotFault != .unknownState {
                pilotFault = .unknownState
                out += [.fault(.unknownState), .log("the charger's state register holds no IEC 61851 state letter")]
            }
            return
        }
        let newFault: ChargerFault? = pilot == .e ? .pilotStateE : pilot == .f ? .pilotStateF : nil
        if let newFault, newFault != pilotFault { out.append(.fault(newFault)) }
        pilotFault = newFault
        // The charger's own view of its outputs: a reset or someone else's write is corrected at once.
        if let enabled = reading.enabled, let commanded = commandedEnabled, enabled != commanded,
           reading.at > (commandedAt ?? .distantPast)
        {
            commandedEnabled = nil
            commandedAmps = nil
        }
        meterArrived(reading, into: &out)
        latest = reading
        guard !pilot.isError else { return }  // plugged or not is unknown in an error state
        let wasPlugged = plugged
        plugged = pilot.isPlugged
        if pilot.isPlugged, wasPlugged != true {
            carPlugged(at: now, into: &out)
        } else if !pilot.isPlugged, wasPlugged != false {
            carUnplugged(at: now, known: wasPlugged != nil, into: &out)
        }
    }

    private mutating func carPlugged(at now: Date, into out: inout [ChargerCommand]) {
        switch session?.state {
        case .locking?:
            startTransaction(at: now, into: &out)
        case .charging?, .chargeComplete?, .suspendedByLocker?:
            out.append(.log("the car is plugged in again; the transaction goes on"))
        case .finishing?:
            break
        case .closed?, nil:
            waitingSince = now
        }
    }

    /// `known`: the car was seen plugged in before (not the first reading after a start).
    private mutating func carUnplugged(at now: Date, known: Bool, into out: inout [ChargerCommand]) {
        waitingSince = nil
        switch session?.state {
        case .charging?, .chargeComplete?, .suspendedByLocker?:
            if policy.stopOnEVSideDisconnect {
                end(reason: .evDisconnected, idTag: nil, at: now, into: &out)
            } else {
                out.append(.log("the car was unplugged; the transaction is suspended until its owner ends it (StopTransactionOnEVSideDisconnect is false)"))
            }
        case .finishing?:
            if var done = session {
                done.state = .closed
                session = nil
                out.append(.persist(done))
            }
        case .locking?, .closed?, nil:
            break
        }
    }

    private mutating func meterArrived(_ reading: ChargerReading, into out: inout [ChargerCommand]) {
        guard let energy = reading.energyWh, var open = runningSession else { return }
        let meter = CompartmentMeterReading(at: reading.at, energyWh: energy, powerWatts: reading.powerWatts)
        if let problem = MeterPlausibility.problem(
            with: meter, after: open.lastMeterWh.flatMap { wh in open.lastMeterAt.map { (wh, $0) } },
            maxPowerWatts: policy.maxPowerWatts)
        {
            if !rejectingMeter {
                out.append(.log("implausible reading of the charger meter rejected, not sent (and the same until a plausible one): \(problem)"))
            }
            rejectingMeter = true
            return
        }
        rejectingMeter = false
        if reading.pilot?.isCharging == true, let lastAt = open.lastMeterAt {
            open.chargingSeconds += reading.at.timeIntervalSince(lastAt)
        }
        open.lastMeterWh = energy
        open.lastMeterAt = reading.at
        session = open
        if policy.meterSampleInterval > 0, reading.at.timeIntervalSince(lastSampleAt ?? .distantPast) >= policy.meterSampleInterval {
            lastSampleAt = reading.at
            out += [.persist(open), .meterValues(sessionId: open.id, reading: meter)]
        }
    }

    private mutating func authorized(
        idTag: String, outcome: AuthorizationOutcome, method: SessionAuthorizationMethod, sessionId: String, at now: Date,
        into out: inout [ChargerCommand]
    ) {
        guard openSession == nil else {
            out.append(.feedback(.notOwner))
            return
        }
        guard session?.state != .finishing else {
            out += [.feedback(.rejected), .log("the last session's car is still plugged in; unplug it before the next session")]
            return
        }
        guard operative else {
            out += [.feedback(.rejected), .log("the charger is inoperative (ChangeAvailability); no session starts")]
            return
        }
        guard outcome.isAccepted else {
            out.append(.feedback(.rejected))
            return
        }
        var record = SessionRecord(
            id: sessionId, connectorId: connectorId, compartment: charger, idTag: idTag, parentIdTag: outcome.parentIdTag,
            authorizationMethod: method, authorizationSource: outcome.source.rawValue, authorizedAt: now,
            occupiedSince: plugged == true ? waitingSince ?? now : now)
        record.state = .locking
        session = record
        waitingSince = nil
        if plugged == true, pilotFault == nil {
            startTransaction(at: now, into: &out)
        } else {
            out += [.persist(record), .log("authorized; waiting for the car to be plugged in")]
        }
    }

    private mutating func startTransaction(at now: Date, into out: inout [ChargerCommand]) {
        guard var open = session else { return }
        let energy = latest?.energyWh
        open.state = .charging
        open.chargingStartedAt = now
        open.meterStartWh = Int((energy ?? 0).rounded())
        open.lastMeterWh = energy
        open.lastMeterAt = latest?.at
        session = open
        lastSampleAt = latest?.at ?? now
        out += [
            .persist(open),
            .startTransaction(sessionId: open.id, idTag: open.idTag, meterStartWh: open.meterStartWh ?? 0, at: now),
            .feedback(.charging),
        ]
    }

    /// Stops the transaction (or drops an authorization that never got a car): Finishing while the car is
    /// plugged in, else closed at once.
    private mutating func end(reason: SessionStopReason, idTag: String?, at now: Date, into out: inout [ChargerCommand]) {
        guard var open = openSession else { return }
        let started = open.state != .locking
        let alreadyStopped = open.transactionStoppedAt != nil
        open.stoppedAt = now
        open.relayOn = false
        if started {
            let meterStop = Int((open.lastMeterWh ?? Double(open.meterStartWh ?? 0)).rounded())
            if !alreadyStopped {
                open.meterStopWh = max(meterStop, open.meterStartWh ?? meterStop)
                open.transactionStoppedAt = now
            }
        }
        if !alreadyStopped {
            open.stopReason = reason
            open.settleAmount(by: policy.tariff, at: now)
        }
        open.state = started && plugged != false ? .finishing : .closed
        session = open.state == .closed ? nil : open
        out.append(.persist(open))
        if started, !alreadyStopped {
            out.append(.stopTransaction(
                sessionId: open.id, meterStopWh: open.meterStopWh ?? 0, reason: reason, idTag: idTag, at: now))
        }
        out.append(.feedback(.ended))
    }

    mutating func timersDue(at now: Date, into out: inout [ChargerCommand]) {
        if let since = waitingSince, openSession == nil, now.timeIntervalSince(since) >= policy.connectionTimeOut {
            waitingSince = nil
            out.append(.log("nobody authorized the plugged-in car within ConnectionTimeOut; back to Available"))
        }
        if let open = openSession, open.state == .locking, now.timeIntervalSince(open.authorizedAt) >= policy.connectionTimeOut {
            var expired = open
            expired.state = .closed
            expired.stoppedAt = now
            expired.stopReason = .other
            session = nil
            out += [.persist(expired), .log("no car was plugged in within ConnectionTimeOut; the authorization expired")]
        }
    }

    /// What the charger must do now: charge at the allowed current while a transaction runs on a plugged-in
    /// car with no fault, else be switched off. Only changes are written; demand follows the same rule.
    mutating func decideOutputs(at now: Date, into out: inout [ChargerCommand]) {
        let running = runningSession
        // A restored transaction waits for the first reading: whether its car is still plugged in decides.
        guard plugged != nil || running == nil else { return }
        let wantsCurrent = running != nil && plugged == true && pilotFault == nil && answering
        let amps = wantsCurrent ? allowedAmps : nil
        let demand = wantsCurrent ? ChargerDemand(connectorId: connectorId, sessionStartedAt: running?.chargingStartedAt ?? now) : nil
        if lastDemand != .some(demand) {
            lastDemand = .some(demand)
            out.append(.demand(demand))
        }
        guard answering else { return }  // nothing can be written to a charger that does not answer
        if let amps, commandedAmps != amps {
            commandedAmps = amps
            commandedAt = now
            out.append(.setCurrent(amps: amps))
        }
        let enable = amps != nil
        if commandedEnabled != enable {
            commandedEnabled = enable
            commandedAt = now
            out.append(.enable(enable))
        }
        if var open = running, open.relayOn != enable {
            open.relayOn = enable
            session = open
            out.insert(.persist(open), at: out.firstIndex { if case .enable = $0 { true } else { false } } ?? out.endIndex)
        }
    }

    /// The newest copy of a record the controller changed (transaction ids, queued flags).
    public mutating func adopt(_ record: SessionRecord) {
        guard session?.id == record.id else { return }
        session = record
    }
}
