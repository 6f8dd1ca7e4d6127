import Testing
@testable import LockerIO

/// Drives the pure compartment state machine with an explicit time line.
private struct Bench {
    var state: CompartmentHardwareState
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)
    var startOutput: CompartmentOutput

    init(_ policy: CompartmentPolicy, door: DoorState = .closed, feedback: LockFeedback? = nil) {
        let (state, output) = CompartmentHardwareState.start(
            policy: policy, door: door, lockFeedback: feedback, at: MonotonicInstant(nanoseconds: 1_000_000_000))
        self.state = state
        startOutput = output
    }

    mutating func send(_ input: CompartmentInput, after delay: Duration = .zero) -> CompartmentOutput {
        now = now + delay
        return state.handle(input, at: now)
    }

    /// Moves time to each deadline in turn until `delay` has passed, collecting outputs.
    mutating func wait(_ delay: Duration) -> CompartmentOutput {
        let end = now + delay
        var all = CompartmentOutput()
        while let deadline = state.nextDeadline, deadline <= end {
            now = max(now, deadline)
            let out = state.handle(.tick, at: now)
            all.commands += out.commands
            all.events += out.events
        }
        now = end
        return all
    }
}

private let solenoid = CompartmentPolicy(lock: .pulse(length: .milliseconds(500)), unlockConfirmTimeout: .seconds(3),
                                         unlockRetries: 2, doorLeftOpenAfter: .seconds(60))
private let magnet = CompartmentPolicy(lock: .hold(lockedWhenEnergized: true), unlockConfirmTimeout: .seconds(3),
                                       unlockRetries: 1, relockIfUnopenedAfter: .seconds(10))
private let motorWithFeedback = CompartmentPolicy(lock: .hold(lockedWhenEnergized: false), hasLockFeedback: true,
                                                  unlockConfirmTimeout: .seconds(2), unlockRetries: 1)

@Suite("Compartment state machine: start-up safe state")
struct CompartmentStartupTests {
    @Test("a pulse lock starts with no pulse, relay off, inputs as read", arguments: [DoorState.closed, .open])
    func pulseLockStart(door: DoorState) {
        let bench = Bench(solenoid, door: door)
        #expect(bench.startOutput.commands == [.setLockLine(.inactive), .setRelayLine(.inactive), .setIndicator(.free)])
        #expect(bench.state.door == door)
        #expect(bench.state.lock == .locked)
        #expect(!bench.state.relayOn)
        #expect(bench.startOutput.events.isEmpty)
    }

    @Test("a restart keeps a hold lock at its locked level, whichever level that is")
    func holdLockStart() {
        #expect(Bench(magnet).startOutput.commands.first == .setLockLine(.active))
        #expect(Bench(motorWithFeedback, feedback: .locked).startOutput.commands.first == .setLockLine(.inactive))
    }

    @Test("a restart with an open door is not a forced door and never unlocks")
    func restartWithOpenDoor() {
        var bench = Bench(solenoid, door: .open)
        #expect(bench.state.faults.isEmpty)
        let out = bench.send(.door(.closed), after: .seconds(1))
        #expect(out.events == [.doorClosed])
        #expect(!out.commands.contains(.setLockLine(.active)))
    }

    @Test("feedback read at start-up decides the lock state")
    func feedbackAtStart() {
        #expect(Bench(motorWithFeedback, feedback: .unlocked).state.lock == .unlocked)
        #expect(Bench(motorWithFeedback, feedback: .locked).state.lock == .locked)
        // Feedback is ignored when the policy has no feedback line.
        #expect(Bench(solenoid, feedback: .unlocked).state.lockFeedback == nil)
    }
}

@Suite("Compartment state machine: unlocking")
struct CompartmentUnlockTests {
    @Test("a solenoid pulse lasts the configured length and the door opening confirms it")
    func pulseConfirmedByDoor() {
        var bench = Bench(solenoid)
        #expect(bench.send(.unlock).commands == [.setLockLine(.active)])
        #expect(bench.state.lock == .unlocking)
        #expect(bench.state.nextDeadline == bench.now + .milliseconds(500))
        #expect(bench.wait(.milliseconds(500)).commands == [.setLockLine(.inactive)])
        let out = bench.send(.door(.open), after: .milliseconds(300))
        #expect(out.events == [.doorOpened, .unlockConfirmed(.doorOpened)])
        #expect(bench.state.lock == .unlocked)
        #expect(!bench.state.faults.contains(.forcedOpen))
        // The latch re-engages when the door shuts.
        #expect(bench.send(.door(.closed), after: .seconds(5)).events == [.doorClosed, .relocked])
        #expect(bench.state.lock == .locked)
    }

    @Test("an unconfirmed unlock is retried, then reported as a jammed lock")
    func jammedPulseLock() {
        var bench = Bench(solenoid)
        _ = bench.send(.unlock)
        let first = bench.wait(.seconds(3))
        #expect(first.events == [.unlockRetried(attempt: 2)])
        #expect(first.commands == [.setLockLine(.inactive), .setLockLine(.active)])
        #expect(bench.wait(.seconds(3)).events == [.unlockRetried(attempt: 3)])
        let last = bench.wait(.seconds(3))
        #expect(last.events == [.lockJammed(attempts: 3)])
        #expect(last.commands == [.setLockLine(.inactive), .setIndicator(.fault)])
        #expect(bench.state.lock == .locked)
        #expect(bench.state.faults == [.jammedLock])
        #expect(bench.state.status.indicator == .fault)
        #expect(bench.state.nextDeadline == nil)
    }

    @Test("a new unlock after a jam clears the fault once it is confirmed")
    func unlockAfterJam() {
        var bench = Bench(solenoid)
        _ = bench.send(.unlock)
        _ = bench.wait(.seconds(10))
        #expect(bench.state.faults == [.jammedLock])
        _ = bench.send(.unlock)
        #expect(bench.state.faults == [.jammedLock])
        let out = bench.send(.door(.open), after: .seconds(1))
        #expect(out.events.contains(.unlockConfirmed(.doorOpened)))
        #expect(bench.state.faults.isEmpty)
        #expect(out.commands.contains(.setIndicator(.free)))
    }

    @Test("a hold lock with feedback is confirmed by feedback and re-locks when the door shuts")
    func holdLockFeedback() {
        var bench = Bench(motorWithFeedback, feedback: .locked)
        #expect(bench.send(.unlock).commands == [.setLockLine(.active)])
        let confirmed = bench.send(.lockFeedback(.unlocked), after: .milliseconds(400))
        #expect(confirmed.events == [.unlockConfirmed(.feedback)])
        _ = bench.send(.door(.open), after: .seconds(2))
        let closed = bench.send(.door(.closed), after: .seconds(20))
        #expect(closed.commands == [.setLockLine(.inactive)])
        #expect(closed.events == [.doorClosed, .relocked])
    }

    @Test("a hold lock retry drives it back to locked first, then reports the jam and stays locked")
    func holdLockJam() {
        var bench = Bench(magnet)
        #expect(bench.send(.unlock).commands == [.setLockLine(.inactive)])
        let retry = bench.wait(.seconds(3))
        #expect(retry.commands == [.setLockLine(.active), .setLockLine(.inactive)])
        let jam = bench.wait(.seconds(3))
        #expect(jam.events == [.lockJammed(attempts: 2)])
        #expect(jam.commands.first == .setLockLine(.active))
    }

    @Test("a hold lock whose door is never opened re-locks after the configured time")
    func holdLockRelocksIfUnopened() {
        var bench = Bench(CompartmentPolicy(lock: .hold(lockedWhenEnergized: true), hasLockFeedback: true,
                                            relockIfUnopenedAfter: .seconds(10)), feedback: .locked)
        _ = bench.send(.unlock)
        _ = bench.send(.lockFeedback(.unlocked), after: .milliseconds(300))
        #expect(bench.wait(.seconds(9)).commands.isEmpty)
        let relock = bench.wait(.seconds(1))
        #expect(relock.commands == [.setLockLine(.active)])
        #expect(relock.events == [.relocked])
    }

    @Test("unlocking with the door already open confirms at once without a pulse")
    func unlockWithDoorOpen() {
        var bench = Bench(solenoid, door: .open)
        let out = bench.send(.unlock)
        #expect(out.commands.isEmpty)
        #expect(out.events == [.unlockConfirmed(.doorOpened)])
        #expect(bench.state.lock == .unlocked)
    }

    @Test("a repeated unlock while one is in progress does not restart the attempts")
    func repeatedUnlock() {
        var bench = Bench(solenoid)
        _ = bench.send(.unlock)
        #expect(bench.send(.unlock, after: .milliseconds(100)).commands.isEmpty)
        #expect(bench.state.unlockAttempt == 1)
    }
}

@Suite("Compartment state machine: door")
struct CompartmentDoorTests {
    @Test("the door opening while locked with no unlock commanded is a forced door")
    func forcedDoor() {
        var bench = Bench(solenoid)
        let out = bench.send(.door(.open), after: .seconds(5))
        #expect(out.events == [.doorOpened, .forcedOpen])
        #expect(out.commands == [.setIndicator(.fault)])
        #expect(bench.state.faults == [.forcedOpen])
        // The fault stays after the door closes, until the operator clears it.
        _ = bench.send(.door(.closed), after: .seconds(5))
        #expect(bench.state.faults == [.forcedOpen])
        let cleared = bench.send(.clearFaults)
        #expect(cleared.events == [.faultsCleared])
        #expect(cleared.commands == [.setIndicator(.free)])
        #expect(bench.state.faults.isEmpty)
    }

    @Test("a door left open is reported once after the configured time, and cleared when it closes")
    func doorLeftOpen() {
        var bench = Bench(solenoid)
        _ = bench.send(.unlock)
        _ = bench.send(.door(.open), after: .seconds(1))
        #expect(bench.wait(.seconds(59)).events.isEmpty)
        #expect(bench.wait(.seconds(1)).events == [.doorLeftOpen(openFor: .seconds(60))])
        #expect(bench.wait(.seconds(600)).events.isEmpty)
        #expect(bench.state.faults == [.doorLeftOpen])
        // A door left open is reported, not shown as a fault pattern.
        #expect(bench.state.status.indicator == .free)
        _ = bench.send(.door(.closed))
        #expect(bench.state.faults.isEmpty)
        #expect(bench.state.nextDeadline == nil)
    }

    @Test("a door open at start-up is reported as left open after the configured time")
    func leftOpenSinceStart() {
        var bench = Bench(solenoid, door: .open)
        #expect(bench.wait(.seconds(60)).events == [.doorLeftOpen(openFor: .seconds(60))])
    }

    @Test("feedback reporting unlocked with nothing commanded is reported")
    func unexpectedRelease() {
        var bench = Bench(motorWithFeedback, feedback: .locked)
        #expect(bench.send(.lockFeedback(.unlocked)).events == [.unexpectedLockRelease])
        #expect(bench.state.lock == .unlocked)
    }
}

@Suite("Compartment state machine: relay interlock")
struct CompartmentRelayTests {
    @Test("the relay switches on with the door closed and locked")
    func relayOn() {
        var bench = Bench(solenoid)
        let out = bench.send(.relay(on: true))
        #expect(out.commands == [.setRelayLine(.active)])
        #expect(out.events == [.relaySwitched(on: true)])
        #expect(bench.send(.relay(on: false)).commands == [.setRelayLine(.inactive)])
    }

    @Test("the relay is refused while the door is open")
    func refusedWhileOpen() {
        var bench = Bench(solenoid, door: .open)
        let out = bench.send(.relay(on: true))
        #expect(out.commands.isEmpty)
        #expect(out.events == [.relayRefused(.doorOpen)])
    }

    @Test("the relay is refused while the lock is not locked")
    func refusedWhileUnlocked() {
        var bench = Bench(solenoid)
        _ = bench.send(.unlock)
        #expect(bench.send(.relay(on: true)).events == [.relayRefused(.notLocked)])
    }

    @Test("the relay goes off when the door is opened, forced or not")
    func interlockOnDoorOpen() {
        var bench = Bench(solenoid)
        _ = bench.send(.relay(on: true))
        let out = bench.send(.door(.open), after: .seconds(1))
        #expect(out.commands.contains(.setRelayLine(.inactive)))
        #expect(out.events.contains(.relayInterlocked))
        #expect(!bench.state.relayOn)
    }

    @Test("an unlock switches the relay off before the driver can reach the plug")
    func interlockOnUnlock() {
        var bench = Bench(solenoid)
        _ = bench.send(.relay(on: true))
        let out = bench.send(.unlock)
        #expect(out.commands == [.setLockLine(.active), .setRelayLine(.inactive)])
    }

    @Test("a site that allows it keeps the relay on with the door open")
    func allowedWhileOpen() {
        var policy = solenoid
        policy.relayAllowedWhileOpen = true
        var bench = Bench(policy, door: .open)
        #expect(bench.send(.relay(on: true)).commands == [.setRelayLine(.active)])
        _ = bench.send(.door(.closed))
        #expect(!bench.send(.door(.open)).commands.contains(.setRelayLine(.inactive)))
        #expect(bench.state.relayOn)
    }
}

@Suite("Compartment state machine: emergency input")
struct CompartmentEmergencyTests {
    @Test("the emergency input unlocks a hold lock, switches the relay off and refuses it while active")
    func emergencyHoldLock() {
        var bench = Bench(magnet)
        _ = bench.send(.relay(on: true))
        let out = bench.send(.emergency(active: true), after: .seconds(1))
        #expect(out.commands == [.setLockLine(.inactive), .setRelayLine(.inactive), .setIndicator(.emergency)])
        #expect(out.events == [.emergencyUnlocked, .relayInterlocked])
        #expect(bench.state.lock == .unlocked)
        #expect(bench.send(.relay(on: true)).events == [.relayRefused(.emergency)])
        // Doors opening and closing during the emergency are neither forced nor re-locked.
        #expect(bench.send(.door(.open)).events == [.doorOpened])
        #expect(bench.send(.door(.closed)).commands.isEmpty)
        let cleared = bench.send(.emergency(active: false), after: .seconds(60))
        #expect(cleared.commands == [.setLockLine(.active), .setIndicator(.free)])
        #expect(cleared.events == [.emergencyCleared, .relocked])
    }

    @Test("the emergency input pulses a solenoid once")
    func emergencyPulseLock() {
        var bench = Bench(solenoid)
        #expect(bench.send(.emergency(active: true)).commands.first == .setLockLine(.active))
        #expect(bench.wait(.milliseconds(500)).commands == [.setLockLine(.inactive)])
        #expect(bench.wait(.seconds(30)).commands.isEmpty)
    }

    @Test("an emergency during an unlock ends the attempts without a jam")
    func emergencyDuringUnlock() {
        var bench = Bench(magnet)
        _ = bench.send(.unlock)
        _ = bench.send(.emergency(active: true), after: .seconds(1))
        #expect(bench.wait(.seconds(30)).events.isEmpty)
        #expect(!bench.state.faults.contains(.jammedLock))
    }
}

@Suite("Compartment state machine: indicator")
struct CompartmentIndicatorTests {
    @Test("the requested pattern is shown unless a fault or the emergency overrides it")
    func indicatorOverrides() {
        var bench = Bench(solenoid)
        #expect(bench.send(.indicator(.charging)).commands == [.setIndicator(.charging)])
        #expect(bench.send(.indicator(.charging)).commands.isEmpty)
        _ = bench.send(.door(.open))
        #expect(bench.state.status.indicator == .fault)
        #expect(bench.send(.indicator(.occupied)).commands.isEmpty)
        _ = bench.send(.clearFaults)
        #expect(bench.state.status.indicator == .occupied)
    }
}
