public enum DoorState: String, Sendable, Hashable, Codable {
    case closed
    case open
}

/// What the daemon believes about the lock.
public enum LockState: String, Sendable, Hashable, Codable {
    case locked
    /// An unlock was commanded and is waiting for confirmation (feedback or the door opening).
    case unlocking
    case unlocked
}

/// What the optional lock-feedback switch reports (its line is `active` while the bolt is engaged).
public enum LockFeedback: String, Sendable, Hashable, Codable {
    case locked
    case unlocked

    public init(line: LineLevel) { self = line.isActive ? .locked : .unlocked }
}

public enum CompartmentFault: String, Sendable, Hashable, Codable, Comparable {
    /// Every unlock attempt went unconfirmed.
    case jammedLock
    /// The door opened while locked and no unlock was commanded. Cleared by `clearFaults`.
    case forcedOpen
    /// The door has been open longer than the configured time. Cleared when it closes.
    case doorLeftOpen

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What the indicator LED shows.
public enum IndicatorPattern: String, Sendable, Hashable, Codable {
    case free
    case occupied
    case charging
    case fault
    case emergency

    /// On/off phases of the blink cycle; one phase with `off == .zero` means steady.
    public var phases: (on: Duration, off: Duration) {
        switch self {
        case .free: (.seconds(1), .zero)
        case .occupied: (.zero, .seconds(1))
        case .charging: (.milliseconds(1000), .milliseconds(1000))
        case .fault: (.milliseconds(200), .milliseconds(200))
        case .emergency: (.milliseconds(100), .milliseconds(100))
        }
    }
}

/// How the lock is driven.
public enum LockActuator: Sendable, Hashable {
    /// A solenoid latch: the line is energized for `length` to release it; the latch re-engages
    /// mechanically when the door shuts. Its safe state is "no pulse".
    case pulse(length: Duration)
    /// A motor lock or magnet that holds a level. `lockedWhenEnergized` says which logical level
    /// means locked (true for a magnet, false for a fail-secure motor lock).
    case hold(lockedWhenEnergized: Bool)
}

/// Behaviour of one compartment's hardware: the pure state machine's configuration.
public struct CompartmentPolicy: Sendable, Hashable {
    public var lock: LockActuator
    public var hasLockFeedback: Bool
    /// How long an unlock may take to be confirmed (feedback or door opening) before a retry.
    public var unlockConfirmTimeout: Duration
    /// Retries after the first attempt before the lock is reported jammed.
    public var unlockRetries: Int
    /// A hold lock that was unlocked but whose door never opened is re-locked after this.
    public var relockIfUnopenedAfter: Duration
    /// An open door is reported (and shown as a fault) after this long.
    public var doorLeftOpenAfter: Duration
    /// Whether the socket may be on while the door is open or unlocked (site setting).
    public var relayAllowedWhileOpen: Bool

    public init(
        lock: LockActuator,
        hasLockFeedback: Bool = false,
        unlockConfirmTimeout: Duration = .seconds(3),
        unlockRetries: Int = 2,
        relockIfUnopenedAfter: Duration = .seconds(15),
        doorLeftOpenAfter: Duration = .seconds(120),
        relayAllowedWhileOpen: Bool = false
    ) {
        self.lock = lock
        self.hasLockFeedback = hasLockFeedback
        self.unlockConfirmTimeout = unlockConfirmTimeout
        self.unlockRetries = max(0, unlockRetries)
        self.relockIfUnopenedAfter = relockIfUnopenedAfter
        self.doorLeftOpenAfter = doorLeftOpenAfter
        self.relayAllowedWhileOpen = relayAllowedWhileOpen
    }

    /// The lock line level that keeps the compartment locked (its safe state).
    public var lockedLineLevel: LineLevel {
        switch lock {
        case .pulse: .inactive
        case .hold(let lockedWhenEnergized): LineLevel(isActive: lockedWhenEnergized)
        }
    }
}

/// The compartment's hardware as the rest of the daemon sees it.
public struct CompartmentStatus: Sendable, Hashable, Codable {
    public var door: DoorState
    public var lock: LockState
    public var relayOn: Bool
    public var lockFeedback: LockFeedback?
    public var faults: Set<CompartmentFault>
    public var emergency: Bool
    /// What the indicator shows (faults and emergency override the requested pattern).
    public var indicator: IndicatorPattern
}

/// Inputs to the state machine: commands from the daemon and debounced hardware readings.
public enum CompartmentInput: Sendable, Hashable {
    case unlock
    /// Re-lock a hold lock now (a pulse lock re-latches by itself when the door shuts).
    case lock
    case relay(on: Bool)
    case indicator(IndicatorPattern)
    /// The operator acknowledged the faults (jammed lock, forced door).
    case clearFaults
    case door(DoorState)
    case lockFeedback(LockFeedback)
    case emergency(active: Bool)
    /// Time passed; due timers fire.
    case tick
}

/// Line changes the shell must make, in order.
public enum CompartmentCommand: Sendable, Hashable {
    case setLockLine(LineLevel)
    case setRelayLine(LineLevel)
    case setIndicator(IndicatorPattern)
}

public enum UnlockConfirmation: String, Sendable, Hashable, Codable {
    case feedback
    case doorOpened
}

public enum RelayRefusal: String, Sendable, Hashable, Codable {
    case doorOpen
    case notLocked
    case emergency
}

/// Things worth reporting upstream (audit log, OCPP status, alarms).
public enum CompartmentEvent: Sendable, Hashable {
    case unlockConfirmed(UnlockConfirmation)
    case unlockRetried(attempt: Int)
    /// Every attempt failed; the lock is reported jammed.
    case lockJammed(attempts: Int)
    case relocked
    /// The feedback switch reports unlocked though nothing commanded it.
    case unexpectedLockRelease
    case doorOpened
    case doorClosed
    case forcedOpen
    case doorLeftOpen(openFor: Duration)
    case relaySwitched(on: Bool)
    case relayRefused(RelayRefusal)
    /// The relay was switched off because the door opened or the lock was released.
    case relayInterlocked
    case emergencyUnlocked
    case emergencyCleared
    case faultsCleared
}

/// What one step of the state machine asks for.
public struct CompartmentOutput: Sendable, Hashable {
    public var commands: [CompartmentCommand] = []
    public var events: [CompartmentEvent] = []

    public init(commands: [CompartmentCommand] = [], events: [CompartmentEvent] = []) {
        self.commands = commands
        self.events = events
    }
}
