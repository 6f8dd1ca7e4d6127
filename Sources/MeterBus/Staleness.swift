import Foundation

/// Why a device's values must not be trusted any more.
public struct StaleNotice: Sendable, Hashable, Codable {
    public var device: String
    /// Time of the last good reading (nil if the device never answered).
    public var lastReadingAt: Date?
    /// When staleness was detected.
    public var detectedAt: Date
    /// The most recent failure, as a user-facing message.
    public var lastError: String
}

/// What a device stream carries: a fresh reading, or an explicit "stale" so consumers
/// (load balancing) fall back instead of using an old value as if fresh.
public enum MeterUpdate: Sendable, Hashable {
    case reading(MeterReading)
    case stale(StaleNotice)

    public var reading: MeterReading? {
        if case let .reading(reading) = self { return reading }
        return nil
    }

    public var isStale: Bool {
        if case .stale = self { return true }
        return false
    }
}

/// The staleness state machine: a device whose reads keep failing for `staleAfter` becomes
/// stale; the next good read recovers it. Pure: time comes in as values.
public struct StalenessTracker: Sendable, Hashable {
    public enum Transition: Sendable, Hashable {
        case becameStale(StaleNotice)
        case recovered
    }

    public let device: String
    public let staleAfter: TimeInterval
    public private(set) var lastSuccess: Date?
    public private(set) var isStale = false
    public private(set) var lastError: String?
    private let startedAt: Date

    /// A device that never answers becomes stale `staleAfter` after `startedAt`.
    public init(device: String, staleAfter: TimeInterval, startedAt: Date) {
        self.device = device
        self.staleAfter = staleAfter
        self.startedAt = startedAt
    }

    public mutating func recordSuccess(at time: Date) -> Transition? {
        lastSuccess = time
        lastError = nil
        guard isStale else { return nil }
        isStale = false
        return .recovered
    }

    public mutating func recordFailure(at time: Date, error: String) -> Transition? {
        lastError = error
        return check(at: time)
    }

    /// Time passing without any good read can make a device stale too.
    public mutating func check(at time: Date) -> Transition? {
        guard !isStale else { return nil }
        let reference = lastSuccess ?? startedAt
        guard time.timeIntervalSince(reference) >= staleAfter else { return nil }
        isStale = true
        return .becameStale(StaleNotice(
            device: device, lastReadingAt: lastSuccess, detectedAt: time,
            lastError: lastError ?? "no successful read for \(staleAfter) s"))
    }
}
