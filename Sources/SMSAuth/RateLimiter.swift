import Foundation

/// A token bucket: `capacity` messages at once, refilled by one token every
/// `refillInterval`. Pure: time comes in as a value.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    public let refillInterval: TimeInterval
    public private(set) var tokens: Double
    public private(set) var updatedAt: Date

    public init(capacity: Int, refillInterval: TimeInterval, now: Date) {
        precondition(capacity > 0 && refillInterval > 0, "a token bucket needs a positive capacity and refill interval")
        self.capacity = Double(capacity)
        self.refillInterval = refillInterval
        self.tokens = Double(capacity)
        self.updatedAt = now
    }

    /// Tokens available at `now` (clock going backwards counts as no time passed).
    public func available(at now: Date) -> Double {
        let elapsed = max(0, now.timeIntervalSince(updatedAt))
        return min(capacity, tokens + elapsed / refillInterval)
    }

    /// Seconds until one token is available; 0 when one is available now.
    public func waitTime(at now: Date) -> TimeInterval {
        let missing = 1 - available(at: now)
        return missing <= 0 ? 0 : missing * refillInterval
    }

    public func isFull(at now: Date) -> Bool { available(at: now) >= capacity }

    public mutating func take(at now: Date) -> Bool {
        let current = available(at: now)
        tokens = current
        updatedAt = max(updatedAt, now)
        guard current >= 1 else { return false }
        tokens = current - 1
        return true
    }
}

/// Limits for incoming commands, per sender and for the whole site.
public struct RateLimitPolicy: Sendable, Equatable {
    public var perSenderBurst: Int
    public var perSenderRefill: TimeInterval
    public var perSiteBurst: Int
    public var perSiteRefill: TimeInterval

    /// Defaults: 5 texts at once then one per minute per sender; 30 at once then one every
    /// 6 seconds for the site (the modem's send rate is the real bottleneck).
    public init(perSenderBurst: Int = 5, perSenderRefill: TimeInterval = 60, perSiteBurst: Int = 30, perSiteRefill: TimeInterval = 6) {
        self.perSenderBurst = perSenderBurst
        self.perSenderRefill = perSenderRefill
        self.perSiteBurst = perSiteBurst
        self.perSiteRefill = perSiteRefill
    }
}

/// Decides whether an incoming SMS is handled. A sender over the limit gets one notice
/// per limited stretch, then silence, so a looping robot cannot make us loop too.
public struct SMSRateLimiter: Sendable {
    public enum Decision: Sendable, Equatable {
        case allow
        /// Over the limit; `notify` is true only for the first rejection of a stretch.
        case senderLimited(retryAfter: TimeInterval, notify: Bool)
        case siteLimited(retryAfter: TimeInterval, notify: Bool)
    }

    public let policy: RateLimitPolicy
    private var senders: [E164Number: TokenBucket] = [:]
    private var notified: Set<E164Number> = []
    private var site: TokenBucket?

    public init(policy: RateLimitPolicy = RateLimitPolicy()) {
        self.policy = policy
    }

    /// Number of senders currently tracked (for tests and metrics).
    public var trackedSenders: Int { senders.count }

    public mutating func admit(_ sender: E164Number, at now: Date) -> Decision {
        var senderBucket = senders[sender]
            ?? TokenBucket(capacity: policy.perSenderBurst, refillInterval: policy.perSenderRefill, now: now)
        var siteBucket = site ?? TokenBucket(capacity: policy.perSiteBurst, refillInterval: policy.perSiteRefill, now: now)
        defer { prune(at: now) }

        guard senderBucket.available(at: now) >= 1 else {
            let notify = notified.insert(sender).inserted
            senders[sender] = senderBucket
            return .senderLimited(retryAfter: senderBucket.waitTime(at: now), notify: notify)
        }
        guard siteBucket.available(at: now) >= 1 else {
            let notify = notified.insert(sender).inserted
            senders[sender] = senderBucket
            return .siteLimited(retryAfter: siteBucket.waitTime(at: now), notify: notify)
        }
        _ = senderBucket.take(at: now)
        _ = siteBucket.take(at: now)
        senders[sender] = senderBucket
        site = siteBucket
        notified.remove(sender)
        return .allow
    }

    /// Forgets senders whose buckets are full again: they behave like new senders.
    private mutating func prune(at now: Date) {
        senders = senders.filter { !$0.value.isFull(at: now) }
        notified = notified.filter { senders[$0] != nil }
    }
}
