import Foundation

/// The board's idea of wall-clock time, corrected by the central system's.
///
/// The rule (docs/ocpp.md, "The uplink in the daemon"): the board clock is trusted until the
/// central system says otherwise, unless it shows a year before 2024 (a board without a
/// real-time clock boots in 1970 or at its build date). Every BootNotification and Heartbeat
/// confirmation carries the central system's `currentTime`; when the board clock is
/// untrusted, or differs from it by more than 5 seconds, the difference becomes the offset
/// added to every timestamp we send. Within 5 seconds the board clock (kept by NTP) wins and
/// the offset is zero. Pure: board time comes in as a value.
public struct CentralSystemClock: Sendable, Equatable {
    /// Larger differences to the central system's time are corrected.
    public static let tolerance: TimeInterval = 5
    /// A board clock showing an earlier year has never been set.
    public static let earliestTrustedYear = 2024
    private static let earliestTrustedDate = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01T00:00:00Z

    /// Seconds added to board time; zero until synchronized or when within tolerance.
    public private(set) var offset: TimeInterval = 0
    /// True once a central system's time has been received.
    public private(set) var isSynchronized = false

    public init() {}

    /// True when board time (after correction) can be sent as it is.
    public func isTrustworthy(boardTime: Date) -> Bool {
        isSynchronized || Self.boardClockLooksSet(boardTime)
    }

    public static func boardClockLooksSet(_ boardTime: Date) -> Bool { boardTime >= earliestTrustedDate }

    /// Takes the central system's `currentTime`, received when the board showed `boardTime`.
    public mutating func synchronize(centralTime: Date, boardTime: Date) {
        let difference = centralTime.timeIntervalSince(boardTime)
        if !Self.boardClockLooksSet(boardTime) || abs(difference) > Self.tolerance {
            offset = difference
        } else {
            offset = 0
        }
        isSynchronized = true
    }

    /// Board time corrected by the offset.
    public func now(boardTime: Date) -> Date { boardTime.addingTimeInterval(offset) }

    /// A timestamp taken before the first synchronization, corrected now that the offset is
    /// known (nil while it is not: such a timestamp must wait rather than go out as 1970).
    public func correctedEarlierStamp(_ stamp: Date) -> Date? {
        isSynchronized ? stamp.addingTimeInterval(offset) : nil
    }
}
