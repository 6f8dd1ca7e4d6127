// Limit periods by time of day and day of week, evaluated in local time (UTC + utcOffset).

/// A time of day, encoded as "HH:MM" or "HH:MM:SS" in JSON.
public struct TimeOfDay: Sendable, Equatable, Codable {
    public var secondsSinceMidnight: Double

    public init(hour: Int, minute: Int = 0, second: Int = 0) {
        secondsSinceMidnight = Double(hour * 3600 + minute * 60 + second)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        let parts = text.split(separator: ":").map { Int($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil }),
            let h = parts[0], let m = parts[1], (0...24).contains(h), (0..<60).contains(m)
        else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "time of day '\(text)' is not HH:MM or HH:MM:SS")
        }
        let s = parts.count == 3 ? (parts[2] ?? 0) : 0
        self.init(hour: h, minute: m, second: s)
    }

    public func encode(to encoder: any Encoder) throws {
        let total = Int(secondsSinceMidnight)
        var container = encoder.singleValueContainer()
        let hm = "\(pad(total / 3600)):\(pad(total / 60 % 60))"
        try container.encode(total % 60 == 0 ? hm : "\(hm):\(pad(total % 60))")
    }

    private func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

/// A recurring limit on what our consumers below `circuit` (default: the grid connection)
/// may draw together. `end` before `start` means the period runs past midnight into the next day.
public struct SchedulePeriod: Sendable, Equatable, Codable {
    /// ISO weekdays the period starts on: 1 = Monday ... 7 = Sunday.
    public var weekdays: [Int]
    public var start: TimeOfDay
    public var end: TimeOfDay
    public var circuit: CircuitID?
    /// Per-phase limit in amperes.
    public var maxCurrent: Double?
    /// Total power limit in watts.
    public var maxPower: Double?

    public init(
        weekdays: [Int], start: TimeOfDay, end: TimeOfDay, circuit: CircuitID? = nil,
        maxCurrent: Double? = nil, maxPower: Double? = nil
    ) {
        self.weekdays = weekdays
        self.start = start
        self.end = end
        self.circuit = circuit
        self.maxCurrent = maxCurrent
        self.maxPower = maxPower
    }

    /// Whether the period is in force at `instant`, given the local offset from UTC.
    public func isActive(at instant: Instant, utcOffset: Double) -> Bool {
        let local = instant.secondsSinceEpoch + utcOffset
        let day = (local / 86_400).rounded(.down)
        let second = local - day * 86_400
        let weekday = LocalCalendar.isoWeekday(dayNumber: Int(day))
        let previous = weekday == 1 ? 7 : weekday - 1
        let s = start.secondsSinceMidnight
        let e = end.secondsSinceMidnight
        if s < e {
            return weekdays.contains(weekday) && second >= s && second < e
        }
        return (weekdays.contains(weekday) && second >= s) || (weekdays.contains(previous) && second < e)
    }
}

enum LocalCalendar {
    /// 1970-01-01 (day 0) was a Thursday, ISO weekday 4.
    static func isoWeekday(dayNumber: Int) -> Int {
        ((dayNumber + 3) % 7 + 7) % 7 + 1
    }

    /// The first instant after `now` at which any period switches on or off (within 8 days).
    static func nextBoundary(after now: Instant, periods: [SchedulePeriod], utcOffset: Double) -> Instant? {
        guard !periods.isEmpty else { return nil }
        let localDay = ((now.secondsSinceEpoch + utcOffset) / 86_400).rounded(.down)
        var best: Instant?
        for period in periods {
            for offset in -1...8 {
                let dayStart = (localDay + Double(offset)) * 86_400 - utcOffset
                for time in [period.start.secondsSinceMidnight, period.end.secondsSinceMidnight] {
                    let candidate = Instant(secondsSinceEpoch: dayStart + time)
                    guard candidate > now, best.map({ candidate < $0 }) ?? true else { continue }
                    let before = period.isActive(at: candidate.adding(seconds: -0.5), utcOffset: utcOffset)
                    if before != period.isActive(at: candidate, utcOffset: utcOffset) { best = candidate }
                }
            }
        }
        return best
    }
}
