/// Debounce as a pure state machine over timestamped samples.
///
/// A new level becomes the stable level once the raw input has stayed at it for `settleTime`.
/// Bounces shorter than that are ignored. Time comes in with each call; the owner asks for
/// `nextDeadline` and calls `advance(to:)` when it passes, so no timer lives in here.
public struct Debouncer: Sendable, Hashable {
    public static let defaultSettleTime: Duration = .milliseconds(30)

    public let settleTime: Duration
    /// The last level that was held long enough.
    public private(set) var stable: LineLevel
    /// The raw level most recently sampled, and since when.
    public private(set) var candidate: LineLevel
    public private(set) var candidateSince: MonotonicInstant

    public init(initial: LineLevel, at time: MonotonicInstant, settleTime: Duration = Debouncer.defaultSettleTime) {
        self.settleTime = settleTime
        stable = initial
        candidate = initial
        candidateSince = time
    }

    /// When the pending candidate would become stable, if one is pending.
    public var nextDeadline: MonotonicInstant? {
        candidate == stable ? nil : candidateSince + settleTime
    }

    /// Feeds one raw sample. Returns the new stable level if this sample (or the time passed
    /// since the last one) settled a change.
    public mutating func sample(_ level: LineLevel, at time: MonotonicInstant) -> LineLevel? {
        // Time may have passed beyond the previous candidate's deadline before this sample arrived.
        let settled = advance(to: time)
        if level != candidate {
            candidate = level
            candidateSince = time
        }
        if settled != nil { return settled }
        return settleTime == .zero ? advance(to: time) : nil
    }

    /// Moves time forward. Returns the new stable level if the candidate has now settled.
    public mutating func advance(to time: MonotonicInstant) -> LineLevel? {
        guard candidate != stable, time - candidateSince >= settleTime else { return nil }
        stable = candidate
        return stable
    }
}
