#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point on the monotonic clock (CLOCK_MONOTONIC), in nanoseconds since an unspecified origin.
///
/// The kernel stamps GPIO edge events on this clock, so line events, debounce samples and the
/// compartment timers all share one time base. Pure logic receives instants as values and never
/// reads the clock itself.
public struct MonotonicInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: Self, rhs: Duration) -> Self {
        Self(nanoseconds: lhs.nanoseconds + rhs.totalNanoseconds)
    }

    public static func - (lhs: Self, rhs: Self) -> Duration {
        .nanoseconds(lhs.nanoseconds - rhs.nanoseconds)
    }

    public var description: String { "t+\(Double(nanoseconds) / 1e9)s" }
}

extension Duration {
    /// Whole nanoseconds in this duration (sub-nanosecond parts are dropped).
    var totalNanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}

/// Where the shells get "now" from; tests inject their own.
public protocol MonotonicClock: Sendable {
    func now() -> MonotonicInstant
    /// Suspends until `deadline` (or returns at once if it has passed).
    func sleep(until deadline: MonotonicInstant) async throws
}

/// The system's CLOCK_MONOTONIC, the same clock the kernel uses for GPIO line events.
public struct SystemMonotonicClock: MonotonicClock {
    public init() {}

    public func now() -> MonotonicInstant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    public func sleep(until deadline: MonotonicInstant) async throws {
        let remaining = deadline - now()
        if remaining > .zero { try await Task.sleep(for: remaining) }
    }
}
