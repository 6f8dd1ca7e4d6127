import Foundation

/// Wrong-PIN limiter for one keypad: after `freeAttempts` wrong PINs the keypad locks, each
/// further wrong PIN doubles the lock (up to `maxDelay`). A correct PIN, or `forgetAfter`
/// without wrong entries, clears the count. Pure: time comes in as a value.
public struct KeypadLockoutPolicy: Sendable, Equatable {
    public var freeAttempts: Int
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    public var forgetAfter: TimeInterval

    public init(freeAttempts: Int = 3, baseDelay: TimeInterval = 30, maxDelay: TimeInterval = 900, forgetAfter: TimeInterval = 3600) {
        self.freeAttempts = freeAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.forgetAfter = forgetAfter
    }

    /// Lock length after the `failures`-th consecutive wrong PIN; 0 while attempts are free.
    public func delay(afterFailures failures: Int) -> TimeInterval {
        let over = failures - freeAttempts
        guard over >= 0 else { return 0 }
        return min(maxDelay, baseDelay * pow(2, Double(min(over, 30))))
    }
}

public struct KeypadLockout: Sendable, Equatable {
    public enum Check: Sendable, Equatable {
        case allowed
        case locked(until: Date)
    }

    public let policy: KeypadLockoutPolicy
    public private(set) var failures = 0
    public private(set) var lastFailure: Date?
    public private(set) var lockedUntil: Date?

    public init(policy: KeypadLockoutPolicy = KeypadLockoutPolicy()) {
        self.policy = policy
    }

    /// Whether a PIN may be tried now. Entries during a lock are not checked at all.
    public mutating func check(at now: Date) -> Check {
        forgetIfQuiet(at: now)
        if let lockedUntil, now < lockedUntil { return .locked(until: lockedUntil) }
        return .allowed
    }

    /// Records a wrong PIN; returns the resulting state.
    @discardableResult
    public mutating func recordFailure(at now: Date) -> Check {
        forgetIfQuiet(at: now)
        failures += 1
        lastFailure = now
        let delay = policy.delay(afterFailures: failures)
        guard delay > 0 else { return .allowed }
        let until = now.addingTimeInterval(delay)
        lockedUntil = until
        return .locked(until: until)
    }

    public mutating func recordSuccess() {
        failures = 0
        lastFailure = nil
        lockedUntil = nil
    }

    private mutating func forgetIfQuiet(at now: Date) {
        guard let lastFailure, now.timeIntervalSince(lastFailure) >= policy.forgetAfter,
              lockedUntil.map({ now >= $0 }) ?? true else { return }
        recordSuccess()
    }
}

/// Lockouts for all keypads of a site, keyed by the keypad's identifier.
public struct KeypadLockouts: Sendable {
    public let policy: KeypadLockoutPolicy
    private var keypads: [String: KeypadLockout] = [:]

    public init(policy: KeypadLockoutPolicy = KeypadLockoutPolicy()) {
        self.policy = policy
    }

    public mutating func check(keypad: String, at now: Date) -> KeypadLockout.Check {
        guard var lockout = keypads[keypad] else { return .allowed }
        defer { keypads[keypad] = lockout }
        return lockout.check(at: now)
    }

    @discardableResult
    public mutating func recordFailure(keypad: String, at now: Date) -> KeypadLockout.Check {
        var lockout = keypads[keypad] ?? KeypadLockout(policy: policy)
        defer { keypads[keypad] = lockout }
        return lockout.recordFailure(at: now)
    }

    public mutating func recordSuccess(keypad: String) {
        keypads[keypad] = nil
    }
}
