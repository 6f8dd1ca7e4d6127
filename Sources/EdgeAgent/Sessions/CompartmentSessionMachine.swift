import Foundation

/// One compartment's locker flow as a pure state machine: free -> door closed on the driver's things
/// (Preparing) -> card authorized -> lock confirmed -> socket on + StartTransaction (Charging) -> ended by the
/// owner, the operator or the emergency input -> socket off + StopTransaction + door released (Finishing) ->
/// door opened and shut (Available).
///
/// Inputs come in with the time they happened; commands come out in the order they must be carried out, a
/// `persist` always before the effects it covers (DESIGN invariant 5). No clocks, no I/O.
///
/// Rules kept here:
/// - A lock is released only for the session's owner, for a closed door nobody claimed within
///   ConnectionTimeOut (nobody owns it), or to leave a compartment free once its ended session's owner opened
///   and shut the door (`keepFreeUnlocked`). The operator and the emergency input act on the hardware themselves;
///   the machine only ends the session (DESIGN invariant 1).
/// - The socket is switched on only for an authorized session whose door is closed and confirmed locked
///   (unless `chargeWithDoorOpen`), and off whenever that stops being true (DESIGN invariant 2).
/// - Implausible meter readings are logged and never sent.
public struct CompartmentSessionMachine: Sendable, Equatable {
    public let connectorId: Int
    public let compartment: String
    public var policy: SessionPolicy
    public internal(set) var reading: DoorLockReading?
    /// The door closed on a free compartment at this time; waiting for authorization (Preparing).
    public internal(set) var waitingSince: Date?
    /// The open or finishing session.
    public internal(set) var session: SessionRecord?
    public internal(set) var fault: SessionFault?
    /// The latest meter reading, plausible or not checked (before a session).
    public internal(set) var latestMeter: CompartmentMeterReading?
    var lockRequestedAt: Date?
    var lastSampleAt: Date?
    var lowPowerSince: Date?
    var finishingDoorOpened = false
    /// The door of a free compartment was opened while locked (forced): shutting it again is not a driver
    /// putting things in.
    var openedWhileLocked = false
    /// Readings are being rejected: only the first of a run is logged.
    var rejectingMeter = false
    /// The clock-aligned interval the last aligned value (or the start) fell in.
    var lastAlignedSlot: Double?
    /// When the machine last switched the socket off (nil: not since it started, treated as long ago).
    var relayOffAt: Date?
    /// The compartment meter gave no reading for `policy.meterStaleAfter` while charging (SessionAmounts.swift).
    public internal(set) var meterStale = false
    /// When the last meter reading came in.
    var lastMeterInputAt: Date?
    /// The socket is on and `chargingSeconds` counts up to this time (SessionAmounts.swift).
    var chargingCountedAt: Date?
    /// Load balancing's latest decision (Balancing/CompartmentSessionMachine+Balancing.swift); nil: no decision
    /// yet (no balancing runs), the socket is allowed.
    public internal(set) var balancingAllowed: Bool?
    /// False while the connector is inoperative (ChangeAvailability, Operations/AvailabilityRules.swift): no new
    /// session starts, a running one goes on until its owner ends it, then the connector shows Unavailable.
    public var operative = true

    public init(connectorId: Int, compartment: String, policy: SessionPolicy) {
        self.connectorId = connectorId
        self.compartment = compartment
        self.policy = policy
    }

    // MARK: What it shows

    public var status: SessionConnectorStatus {
        if fault != nil { return .faulted }
        switch session?.state {
        case .locking?: return .preparing
        case .charging?: return session?.relayOn == false ? .suspendedEVSE : .charging  // off: paused by balancing
        case .chargeComplete?: return .suspendedEV
        case .suspendedByLocker?: return .suspendedEVSE
        case .finishing?: return .finishing
        case .closed?, nil:
            if !operative { return .unavailable }
            return waitingSince == nil ? .available : .preparing
        }
    }

    /// The owner's session, while it holds the compartment.
    public var openSession: SessionRecord? { session.flatMap { $0.isOpen ? $0 : nil } }

    // MARK: Inputs

    public mutating func handle(_ input: SessionInput, at now: Date) -> [SessionCommand] {
        var out: [SessionCommand] = []
        switch input {
        case .hardware(let new):
            hardwareChanged(to: new, at: now, into: &out)
        case let .cardAuthorized(idTag, outcome, method, sessionId):
            cardAuthorized(idTag: idTag, outcome: outcome, method: method, sessionId: sessionId, at: now, into: &out)
        case let .stopWithCard(idTag, parentIdTag):
            if let ended = session, ended.state == .finishing, !finishingDoorOpened, reading?.locked == true,
               ended.isOwner(idTag: idTag, parentIdTag: parentIdTag)
            {
                // The session ended but the door is still latched (a restart between socket off and unlock):
                // the owner's card releases it.
                out += [.unlock(.ownerAgain), .feedback(.ended)]
                break
            }
            guard let open = openSession, open.state != .locking else {
                out.append(.feedback(.noWaitingDoor))
                break
            }
            if open.isOwner(idTag: idTag, parentIdTag: parentIdTag) {
                endSession(reason: .local, idTag: idTag, releaseLock: true, at: now, into: &out)
            } else {
                out.append(.feedback(.notOwner))
            }
        case .meter(let meter):
            meterAnswered(at: now, into: &out)
            meterReading(meter, into: &out)
        case .forcedOpen:
            guard var open = openSession else { break }
            fault = .forcedOpen
            out.append(.fault(.forcedOpen))
            if open.state == .locking {
                closeWithoutTransaction(reason: .doorOpenedBeforeStart, at: now, into: &out)
            } else if open.relayOn || open.state != .suspendedByLocker {
                open.relayOn = false
                open.state = .suspendedByLocker
                session = open
                out += [.persist(open), .relay(on: false)]
            }
        case .operatorUnlocked:
            endAfterExternalUnlock(reason: .unlockCommand, at: now, into: &out)
        case .emergency:
            endAfterExternalUnlock(reason: .emergencyStop, at: now, into: &out)
        case .deauthorized(let sessionId):
            guard openSession?.id == sessionId else { break }
            stopTransactionKeepingDoor(reason: .deAuthorized, at: now, into: &out)
        case .stopTransactionKeepingDoor(let reason):
            stopTransactionKeepingDoor(reason: reason, at: now, into: &out)
        case let .authorizedStart(idTag, outcome, method, sessionId, reservationId):
            cardAuthorized(
                idTag: idTag, outcome: outcome, method: method, sessionId: sessionId, reservationId: reservationId, at: now,
                into: &out)
        case .remoteStop(let releaseLock):
            guard let open = openSession, open.state != .locking, open.transactionStoppedAt == nil else { break }
            if releaseLock {
                endSession(reason: .remote, idTag: nil, releaseLock: true, unlockReason: .remoteStop, at: now, into: &out)
            } else {
                stopTransactionKeepingDoor(reason: .remote, at: now, into: &out)
            }
        case .balancing(let allowed):
            balancingChanged(allowed: allowed, at: now, into: &out)
        case .tick:
            break
        }
        timersDue(at: now, into: &out)
        if out.contains(.relay(on: false)) { relayOffAt = now }
        countChargingTime(at: now, into: &out)
        return out
    }

    /// The transaction ends; the door stays locked for the owner, whose card still ends the session.
    private mutating func stopTransactionKeepingDoor(reason: SessionStopReason, at now: Date, into out: inout [SessionCommand]) {
        guard var open = openSession, open.chargingStartedAt != nil, open.transactionStoppedAt == nil else { return }
        open.state = .suspendedByLocker
        open.relayOn = false
        open.transactionStoppedAt = now
        open.stopReason = reason
        open.meterStopWh = Int((open.lastMeterWh ?? Double(open.meterStartWh ?? 0)).rounded())
        session = open
        out += [
            .persist(open), .relay(on: false),
            .stopTransaction(sessionId: open.id, meterStopWh: open.meterStopWh ?? 0, reason: reason, idTag: nil, at: now),
        ]
    }

    private mutating func hardwareChanged(to new: DoorLockReading, at now: Date, into out: inout [SessionCommand]) {
        let old = reading
        reading = new
        let opened = old?.doorClosed == true && !new.doorClosed
        let closed = old?.doorClosed == false && new.doorClosed
        if opened, session?.isOpen != true { fault = nil }
        switch session?.state {
        case .finishing?:
            if opened { finishingDoorOpened = true }
            if closed, finishingDoorOpened, var done = session {
                done.state = .closed
                session = nil
                out.append(.persist(done))
                if policy.keepFreeUnlocked { out.append(.unlock(.freed)) }
            }
        case .locking?:
            break  // settled in timersDue: confirmed, door opened or timed out
        case .charging?, .chargeComplete?, .suspendedByLocker?:
            if var open = session, open.relayOn, !policy.chargeWithDoorOpen, !(new.doorClosed && new.locked) {
                // The hardware interlock already cut the socket; the session follows it.
                open.relayOn = false
                open.state = .suspendedByLocker
                session = open
                out += [.persist(open), .relay(on: false)]
            }
        case .closed?, nil:
            if opened {
                waitingSince = nil
                openedWhileLocked = old?.locked == true
            } else if closed, !openedWhileLocked {
                waitingSince = now
            }
        }
    }

    private mutating func cardAuthorized(
        idTag: String, outcome: AuthorizationOutcome, method: SessionAuthorizationMethod, sessionId: String,
        reservationId: Int? = nil, at now: Date, into out: inout [SessionCommand]
    ) {
        guard session?.isOpen != true, let since = waitingSince else {
            out.append(.feedback(openSession == nil ? .noWaitingDoor : .notOwner))
            return
        }
        guard operative else {
            out.append(.feedback(.unavailable))
            return
        }
        guard outcome.isAccepted else {
            out.append(.feedback(.rejected))
            return
        }
        var record = SessionRecord(
            id: sessionId, connectorId: connectorId, compartment: compartment, idTag: idTag,
            parentIdTag: outcome.parentIdTag, authorizationMethod: method, authorizationSource: outcome.source.rawValue,
            authorizedAt: now, occupiedSince: since)
        record.reservationId = reservationId
        record.state = .locking
        waitingSince = nil
        session = record
        lockRequestedAt = now
        fault = nil
        out += [.persist(record), .lock]
    }

    private mutating func meterReading(_ meter: CompartmentMeterReading, into out: inout [SessionCommand]) {
        checkPowerWhileOff(meter, into: &out)
        guard var open = openSession, open.state != .locking else {
            latestMeter = meter
            return
        }
        if let problem = MeterPlausibility.problem(
            with: meter, after: open.lastMeterWh.flatMap { wh in open.lastMeterAt.map { (wh, $0) } },
            maxPowerWatts: policy.maxPowerWatts)
        {
            if !rejectingMeter {
                out.append(.log("implausible reading of the compartment meter rejected, not sent (and the same until a plausible one): \(problem)"))
            }
            rejectingMeter = true
            return
        }
        if rejectingMeter { out.append(.log("the compartment meter reads plausibly again")) }
        rejectingMeter = false
        latestMeter = meter
        open.lastMeterWh = meter.energyWh
        open.lastMeterAt = meter.at
        session = open
        if let limit = policy.maxEnergyWh, let energy = open.energyWh, energy >= limit, open.relayOn {
            suspendByLocker(into: &out)
            out.append(.log("energy limit of \(Int(limit)) Wh reached; socket off, door stays locked for the owner"))
        }
        chargeComplete(meter, into: &out)
        if policy.meterSampleInterval > 0, let open = session, open.chargingStartedAt != nil,
           meter.at.timeIntervalSince(lastSampleAt ?? .distantPast) >= policy.meterSampleInterval
        {
            lastSampleAt = meter.at
            out += [.persist(open), .meterValues(sessionId: open.id, reading: meter, aligned: false)]
        }
        if policy.clockAlignedInterval > 0, let open = session, open.chargingStartedAt != nil {
            let slot = (meter.at.timeIntervalSince1970 / policy.clockAlignedInterval).rounded(.down)
            if let last = lastAlignedSlot, slot > last {
                out.append(.meterValues(sessionId: open.id, reading: meter, aligned: true))
            }
            lastAlignedSlot = slot
        }
    }

    private mutating func checkPowerWhileOff(_ meter: CompartmentMeterReading, into out: inout [SessionCommand]) {
        guard openSession?.relayOn != true, let power = meter.powerWatts,
              meter.at.timeIntervalSince(relayOffAt ?? .distantPast) >= policy.relayOffGrace else { return }
        if power > policy.standbyPowerWatts, fault != .powerWhileOff {
            fault = .powerWhileOff
            out += [.fault(.powerWhileOff), .log("the meter reads \(Int(power)) W with the socket switched off: relay stuck on?")]
        } else if power <= policy.standbyPowerWatts, fault == .powerWhileOff {
            fault = nil
        }
    }

    private mutating func chargeComplete(_ meter: CompartmentMeterReading, into out: inout [SessionCommand]) {
        guard let threshold = policy.chargeCompleteBelowWatts, let power = meter.powerWatts, var open = session else { return }
        if power >= threshold {
            lowPowerSince = nil
            if open.state == .chargeComplete, open.relayOn {
                open.state = .charging
                session = open
                out.append(.persist(open))
            }
            return
        }
        guard open.state == .charging, open.relayOn else { return }  // not while paused by balancing
        let since = lowPowerSince ?? meter.at
        lowPowerSince = since
        guard meter.at.timeIntervalSince(since) >= policy.chargeCompleteAfter else { return }
        open.state = .chargeComplete
        if policy.switchOffWhenComplete { open.relayOn = false }
        session = open
        out.append(.persist(open))
        if policy.switchOffWhenComplete { out.append(.relay(on: false)) }
    }

    mutating func timersDue(at now: Date, into out: inout [SessionCommand]) {
        if let since = waitingSince, session?.isOpen != true, now.timeIntervalSince(since) >= policy.connectionTimeOut {
            waitingSince = nil
            out.append(.log("nobody authorized the closed door within ConnectionTimeOut; back to Available"))
            if reading?.locked == true { out.append(.unlock(.unclaimed)) }
        }
        guard let open = openSession else { return }
        if open.state == .locking { settleLock(at: now, into: &out) }
        checkCostLimit(at: now, into: &out)
        checkMeterStale(at: now, into: &out)
        if let limit = policy.maxOccupancy, open.isOpen, open.state != .locking, open.relayOn || open.state == .charging,
           open.occupiedSeconds(now: now) >= limit
        {
            suspendByLocker(into: &out)
            out.append(.log("occupancy limit of \(Int(limit)) s reached; socket off, door stays locked for the owner"))
        }
    }

    private mutating func settleLock(at now: Date, into out: inout [SessionCommand]) {
        guard let reading else { return }
        if !reading.doorClosed {
            closeWithoutTransaction(reason: .doorOpenedBeforeStart, at: now, into: &out)
            out.append(.feedback(.lockFailed))
        } else if reading.locked {
            startCharging(at: now, into: &out)
        } else if now.timeIntervalSince(lockRequestedAt ?? now) >= policy.lockConfirmTimeout {
            closeWithoutTransaction(reason: .lockFailed, at: now, into: &out)
            fault = .lockFailed
            out += [.fault(.lockFailed), .feedback(.lockFailed)]
        }
    }

    private mutating func startCharging(at now: Date, into out: inout [SessionCommand]) {
        guard var open = session else { return }
        let meterStart = Int((latestMeter?.energyWh ?? 0).rounded())
        open.state = .charging
        open.relayOn = balancingAllowed != false  // else the transaction starts paused by balancing (SuspendedEVSE)
        open.chargingStartedAt = now
        open.meterStartWh = meterStart
        // Without a reading, the first one after the start is taken as it comes (the meterStart was 0).
        open.lastMeterWh = latestMeter?.energyWh
        open.lastMeterAt = latestMeter?.at
        session = open
        lockRequestedAt = nil
        lastSampleAt = now
        lastMeterInputAt = now
        lastAlignedSlot = policy.clockAlignedInterval > 0
            ? (now.timeIntervalSince1970 / policy.clockAlignedInterval).rounded(.down) : nil
        lowPowerSince = nil
        out += [
            .persist(open), .relay(on: open.relayOn),
            .startTransaction(sessionId: open.id, idTag: open.idTag, meterStartWh: meterStart, at: now),
            .feedback(.charging),
        ]
    }

    private mutating func suspendByLocker(into out: inout [SessionCommand]) {
        guard var open = session else { return }
        open.state = .suspendedByLocker
        open.relayOn = false
        session = open
        out += [.persist(open), .relay(on: false)]
    }

    private mutating func closeWithoutTransaction(reason: SessionStopReason, at now: Date, into out: inout [SessionCommand]) {
        guard var open = session else { return }
        open.state = .closed
        open.stopReason = reason
        open.stoppedAt = now
        open.relayOn = false
        session = nil
        lockRequestedAt = nil
        meterStale = false
        out.append(.persist(open))
    }

    private mutating func endAfterExternalUnlock(reason: SessionStopReason, at now: Date, into out: inout [SessionCommand]) {
        guard let open = openSession else { return }
        if open.state == .locking {
            closeWithoutTransaction(reason: reason, at: now, into: &out)
        } else {
            endSession(reason: reason, idTag: nil, releaseLock: false, at: now, into: &out)
        }
    }

    /// Socket off, StopTransaction, door released for the owner (when asked to): Finishing.
    private mutating func endSession(
        reason: SessionStopReason, idTag: String?, releaseLock: Bool, unlockReason: UnlockReason = .owner, at now: Date,
        into out: inout [SessionCommand]
    ) {
        guard var open = session else { return }
        let alreadyStopped = open.transactionStoppedAt != nil
        let meterStop = alreadyStopped
            ? open.meterStopWh ?? 0 : Int((open.lastMeterWh ?? Double(open.meterStartWh ?? 0)).rounded())
        open.state = .finishing
        open.relayOn = false
        open.stoppedAt = now
        open.meterStopWh = max(meterStop, open.meterStartWh ?? meterStop)
        if !alreadyStopped { open.stopReason = reason }
        open.settleAmount(by: policy.tariff, at: now)
        session = open
        meterStale = false
        finishingDoorOpened = reading?.doorClosed == false
        if fault == .forcedOpen { fault = nil }
        out += [.persist(open), .relay(on: false)]
        if open.chargingStartedAt != nil, !alreadyStopped {
            out.append(.stopTransaction(
                sessionId: open.id, meterStopWh: open.meterStopWh ?? meterStop, reason: reason, idTag: idTag, at: now))
        }
        if releaseLock { out.append(.unlock(unlockReason)) }
        out.append(.feedback(.ended))
    }
}
