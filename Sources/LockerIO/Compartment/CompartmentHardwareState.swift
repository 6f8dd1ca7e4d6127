/// The compartment's lock, door, relay and indicator as a pure state machine.
///
/// Inputs (commands and debounced readings) come in with the time they happened; line commands
/// and reportable events come out. No clocks, no I/O: the `CompartmentHardware` actor feeds it
/// and carries out its commands, and asks `nextDeadline` when to send `.tick`.
///
/// Rules kept here:
/// - Start-up drives outputs to their safe state from the doors and lock as read; a restart never unlocks.
/// - An unlock is confirmed by feedback or by the door opening; unconfirmed attempts are retried,
///   then the lock is reported jammed and driven back to locked.
/// - The door opening while locked with no unlock in progress is a forced door.
/// - The relay is on only while the door is closed and locked (unless the site allows otherwise)
///   and never during an emergency.
/// - The emergency input unlocks and switches the relay off; clearing it re-locks closed doors.
public struct CompartmentHardwareState: Sendable, Hashable {
    public let policy: CompartmentPolicy
    public private(set) var door: DoorState
    public private(set) var lock: LockState
    public private(set) var lockFeedback: LockFeedback?
    public private(set) var relayOn: Bool = false
    public private(set) var faults: Set<CompartmentFault> = []
    public private(set) var emergency: Bool = false
    /// The pattern the daemon asked for; `status.indicator` is what is shown.
    public private(set) var requestedIndicator: IndicatorPattern
    /// The 1-based attempt while unlocking, 0 otherwise.
    public private(set) var unlockAttempt: Int = 0
    public private(set) var doorOpenedAt: MonotonicInstant?

    // Timers. Each is a deadline on the injected time line.
    public private(set) var pulseEndsAt: MonotonicInstant?
    public private(set) var unlockDeadline: MonotonicInstant?
    public private(set) var relockDeadline: MonotonicInstant?

    /// Builds the start-up state from the inputs as read, and the commands that put every output
    /// in its safe state: relay off, lock line at its locked level (no pulse for a solenoid).
    public static func start(
        policy: CompartmentPolicy, door: DoorState, lockFeedback: LockFeedback?,
        indicator: IndicatorPattern = .free, at time: MonotonicInstant
    ) -> (CompartmentHardwareState, CompartmentOutput) {
        let feedback = policy.hasLockFeedback ? lockFeedback : nil
        let state = CompartmentHardwareState(
            policy: policy, door: door, lock: feedback == .unlocked ? .unlocked : .locked,
            lockFeedback: feedback, requestedIndicator: indicator,
            doorOpenedAt: door == .open ? time : nil)
        let output = CompartmentOutput(commands: [
            .setLockLine(policy.lockedLineLevel),
            .setRelayLine(.inactive),
            .setIndicator(state.status.indicator),
        ])
        return (state, output)
    }

    public var status: CompartmentStatus {
        let shown: IndicatorPattern =
            emergency ? .emergency
            : faults.subtracting([.doorLeftOpen]).isEmpty ? requestedIndicator : .fault
        return CompartmentStatus(
            door: door, lock: lock, relayOn: relayOn, lockFeedback: lockFeedback,
            faults: faults, emergency: emergency, indicator: shown)
    }

    /// The earliest time at which `.tick` has something to do.
    public var nextDeadline: MonotonicInstant? {
        let leftOpen = doorOpenedAt.flatMap { faults.contains(.doorLeftOpen) ? nil : $0 + policy.doorLeftOpenAfter }
        return [pulseEndsAt, unlockDeadline, relockDeadline, leftOpen].compactMap { $0 }.min()
    }

    /// Applies one input at `time`. Due timers fire first, so a late tick never reorders events.
    public mutating func handle(_ input: CompartmentInput, at time: MonotonicInstant) -> CompartmentOutput {
        let shownBefore = status.indicator
        var out = CompartmentOutput()
        fireTimers(at: time, into: &out)
        switch input {
        case .tick: break
        case .unlock: beginUnlock(at: time, into: &out)
        case .lock: relockHoldLock(into: &out)
        case .relay(let on): switchRelay(on: on, into: &out)
        case .indicator(let pattern): requestedIndicator = pattern
        case .clearFaults:
            if !faults.isDisjoint(with: [.jammedLock, .forcedOpen]) {
                faults.subtract([.jammedLock, .forcedOpen])
                out.events.append(.faultsCleared)
            }
        case .door(let newDoor): doorChanged(to: newDoor, at: time, into: &out)
        case .lockFeedback(let feedback): feedbackChanged(to: feedback, at: time, into: &out)
        case .emergency(let active): emergencyChanged(active: active, at: time, into: &out)
        }
        enforceRelayInterlock(into: &out)
        if status.indicator != shownBefore { out.commands.append(.setIndicator(status.indicator)) }
        return out
    }

    // MARK: Lock

    private var relayPermitted: Bool {
        !emergency && (policy.relayAllowedWhileOpen || (door == .closed && lock == .locked))
    }

    private mutating func beginUnlock(at time: MonotonicInstant, into out: inout CompartmentOutput) {
        // During an emergency the lock is already released; an unlock in progress keeps its attempts.
        guard !emergency, lock == .locked else {
            if lock == .unlocked, door == .closed, relockDeadline != nil {
                relockDeadline = time + policy.relockIfUnopenedAfter
            }
            return
        }
        if door == .open {
            faults.remove(.jammedLock)
            // Nothing holds an open door; release a hold lock so it cannot catch as it shuts.
            if case .hold = policy.lock { out.commands.append(.setLockLine(unlockedLineLevel)) }
            lock = .unlocked
            out.events.append(.unlockConfirmed(.doorOpened))
            return
        }
        unlockAttempt = 1
        lock = .unlocking
        energizeUnlock(at: time, into: &out)
    }

    private mutating func energizeUnlock(at time: MonotonicInstant, into out: inout CompartmentOutput) {
        switch policy.lock {
        case .pulse(let length):
            out.commands.append(.setLockLine(.active))
            pulseEndsAt = time + length
        case .hold:
            out.commands.append(.setLockLine(unlockedLineLevel))
        }
        unlockDeadline = time + policy.unlockConfirmTimeout
    }

    private var unlockedLineLevel: LineLevel {
        LineLevel(isActive: !policy.lockedLineLevel.isActive)
    }

    private mutating func confirmUnlock(by confirmation: UnlockConfirmation, at time: MonotonicInstant,
                                        into out: inout CompartmentOutput) {
        lock = .unlocked
        unlockAttempt = 0
        unlockDeadline = nil
        faults.remove(.jammedLock)
        out.events.append(.unlockConfirmed(confirmation))
        if case .hold = policy.lock, door == .closed {
            relockDeadline = time + policy.relockIfUnopenedAfter
        }
    }

    private mutating func relockHoldLock(into out: inout CompartmentOutput) {
        guard case .hold = policy.lock, !emergency, lock != .locked else { return }
        out.commands.append(.setLockLine(policy.lockedLineLevel))
        lock = .locked
        unlockAttempt = 0
        unlockDeadline = nil
        relockDeadline = nil
        out.events.append(.relocked)
    }

    private mutating func fireTimers(at time: MonotonicInstant, into out: inout CompartmentOutput) {
        if let end = pulseEndsAt, end <= time {
            pulseEndsAt = nil
            out.commands.append(.setLockLine(.inactive))
        }
        if let deadline = unlockDeadline, deadline <= time, lock == .unlocking {
            if unlockAttempt <= policy.unlockRetries {
                unlockAttempt += 1
                out.events.append(.unlockRetried(attempt: unlockAttempt))
                // A hold lock is driven back to locked first so the motor makes a full new stroke.
                if case .hold = policy.lock { out.commands.append(.setLockLine(policy.lockedLineLevel)) }
                energizeUnlock(at: time, into: &out)
            } else {
                out.events.append(.lockJammed(attempts: unlockAttempt))
                faults.insert(.jammedLock)
                lock = .locked
                unlockAttempt = 0
                unlockDeadline = nil
                if pulseEndsAt != nil {
                    pulseEndsAt = nil
                    out.commands.append(.setLockLine(.inactive))
                } else if case .hold = policy.lock {
                    out.commands.append(.setLockLine(policy.lockedLineLevel))
                }
            }
        }
        if let deadline = relockDeadline, deadline <= time {
            relockDeadline = nil
            if door == .closed { relockHoldLock(into: &out) }
        }
        if let openedAt = doorOpenedAt, !faults.contains(.doorLeftOpen), time - openedAt >= policy.doorLeftOpenAfter {
            faults.insert(.doorLeftOpen)
            out.events.append(.doorLeftOpen(openFor: time - openedAt))
        }
    }

    // MARK: Door and feedback

    private mutating func doorChanged(to newDoor: DoorState, at time: MonotonicInstant, into out: inout CompartmentOutput) {
        guard newDoor != door else { return }
        door = newDoor
        switch newDoor {
        case .open:
            doorOpenedAt = time
            out.events.append(.doorOpened)
            relockDeadline = nil
            switch lock {
            case .unlocking: confirmUnlock(by: .doorOpened, at: time, into: &out)
            case .locked where !emergency:
                faults.insert(.forcedOpen)
                out.events.append(.forcedOpen)
            case .locked, .unlocked: break
            }
        case .closed:
            doorOpenedAt = nil
            faults.remove(.doorLeftOpen)
            out.events.append(.doorClosed)
            guard lock == .unlocked else { return }
            switch policy.lock {
            case .hold where !emergency: relockHoldLock(into: &out)
            case .hold: break
            case .pulse:
                // The latch re-engages as the door shuts; with feedback, wait for it to say so.
                if !policy.hasLockFeedback {
                    lock = .locked
                    out.events.append(.relocked)
                }
            }
        }
    }

    private mutating func feedbackChanged(to feedback: LockFeedback, at time: MonotonicInstant,
                                          into out: inout CompartmentOutput) {
        guard policy.hasLockFeedback, feedback != lockFeedback else { return }
        lockFeedback = feedback
        switch (feedback, lock) {
        case (.unlocked, .unlocking):
            confirmUnlock(by: .feedback, at: time, into: &out)
        case (.unlocked, .locked):
            lock = .unlocked
            if !emergency { out.events.append(.unexpectedLockRelease) }
        case (.locked, .unlocked):
            lock = .locked
            relockDeadline = nil
            out.events.append(.relocked)
        case (.locked, .unlocking), (.unlocked, .unlocked), (.locked, .locked):
            break
        }
    }

    // MARK: Relay and emergency

    private mutating func switchRelay(on: Bool, into out: inout CompartmentOutput) {
        guard on else {
            if relayOn {
                relayOn = false
                out.commands.append(.setRelayLine(.inactive))
                out.events.append(.relaySwitched(on: false))
            }
            return
        }
        guard !relayOn else { return }
        if emergency { return out.events.append(.relayRefused(.emergency)) }
        if !relayPermitted {
            return out.events.append(.relayRefused(door == .open ? .doorOpen : .notLocked))
        }
        relayOn = true
        out.commands.append(.setRelayLine(.active))
        out.events.append(.relaySwitched(on: true))
    }

    private mutating func enforceRelayInterlock(into out: inout CompartmentOutput) {
        guard relayOn, !relayPermitted else { return }
        relayOn = false
        out.commands.append(.setRelayLine(.inactive))
        out.events.append(.relayInterlocked)
    }

    private mutating func emergencyChanged(active: Bool, at time: MonotonicInstant, into out: inout CompartmentOutput) {
        guard active != emergency else { return }
        emergency = active
        if active {
            unlockDeadline = nil
            relockDeadline = nil
            unlockAttempt = 0
            switch policy.lock {
            case .pulse(let length):
                out.commands.append(.setLockLine(.active))
                pulseEndsAt = time + length
            case .hold:
                out.commands.append(.setLockLine(unlockedLineLevel))
            }
            lock = .unlocked
            out.events.append(.emergencyUnlocked)
        } else {
            out.events.append(.emergencyCleared)
            if case .hold = policy.lock, door == .closed { relockHoldLock(into: &out) }
        }
    }
}
