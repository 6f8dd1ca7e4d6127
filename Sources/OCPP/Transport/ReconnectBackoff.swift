/// How long to wait before the next connection attempt to the central system.
///
/// Exponential: the first retry comes after `initialDelay`, each further failure doubles the wait
/// up to `maximumDelay`. Jitter only ever shortens a delay (by up to `jitterFraction` of it), so the
/// cap holds and a fleet of stations that lost the central system at the same moment does not
/// reconnect in lockstep when it comes back.
public struct ReconnectBackoffSettings: Sendable, Equatable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var multiplier: Double
    /// 0 = no jitter, 0.5 = each delay is drawn from [50 %, 100 %] of the exponential value.
    public var jitterFraction: Double

    public init(
        initialDelay: Duration = .seconds(2),
        maximumDelay: Duration = .seconds(120),
        multiplier: Double = 2,
        jitterFraction: Double = 0.25
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitterFraction = jitterFraction
    }
}

/// The retry schedule as a pure value: it counts failures and turns them into delays.
/// Randomness comes in as a generator so tests can seed it.
public struct ReconnectBackoff: Sendable, Equatable {
    public let settings: ReconnectBackoffSettings
    /// Consecutive failed attempts since the last successful connection.
    public private(set) var failures: Int = 0

    public init(settings: ReconnectBackoffSettings = .init()) {
        self.settings = settings
    }

    /// The delay before the next attempt without jitter (the upper bound of what `nextDelay` returns).
    public var currentCeiling: Duration {
        let initial = Self.seconds(settings.initialDelay)
        let cap = max(Self.seconds(settings.maximumDelay), initial)
        let growth = pow2(settings.multiplier, failures)
        return .seconds(min(cap, initial * growth))
    }

    /// Records one failed attempt and returns how long to wait before the next one.
    public mutating func nextDelay<Random: RandomNumberGenerator>(using random: inout Random) -> Duration {
        let ceiling = Self.seconds(currentCeiling)
        let fraction = min(max(settings.jitterFraction, 0), 1)
        let draw = fraction > 0 ? Double.random(in: 0..<1, using: &random) : 0
        failures += 1
        return .seconds(ceiling * (1 - fraction * draw))
    }

    /// A connection succeeded: the next failure starts again from `initialDelay`.
    public mutating func reset() {
        failures = 0
    }

    private func pow2(_ base: Double, _ exponent: Int) -> Double {
        // Stops multiplying once far past any sane cap, so a long outage cannot overflow.
        var result = 1.0
        for _ in 0..<min(exponent, 64) { result *= max(base, 1) }
        return result
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
