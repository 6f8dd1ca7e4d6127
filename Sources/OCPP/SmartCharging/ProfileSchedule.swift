import Foundation

/// The period of one profile in force at an instant.
public struct ScheduledLimit: Sendable, Equatable {
    public var limit: Double
    public var unit: ChargingRateUnitType
    public var numberPhases: Int?
    public var profileId: Int
    public var purpose: ChargingProfilePurposeType
    public var stackLevel: Int
    public var connectorId: Int
    public var minChargingRate: Double?
}

extension InstalledChargingProfile {
    static let day: TimeInterval = 86_400
    static let week: TimeInterval = 7 * 86_400

    /// How long one recurrence lasts (nil: not recurring).
    var recurrence: TimeInterval? {
        guard profile.chargingProfileKind == .recurring else { return nil }
        return profile.recurrencyKind == .weekly ? Self.week : Self.day
    }

    /// Where Recurring schedules are anchored: startSchedule, else when the profile was installed.
    var anchor: Date { profile.chargingSchedule.startSchedule ?? installedAt }

    /// How long each schedule instance lasts (nil: until replaced, cleared or invalid). A recurrence never lasts
    /// longer than its day or week.
    var instanceDuration: TimeInterval? {
        let duration = profile.chargingSchedule.duration.map(TimeInterval.init)
        guard let recurrence else { return duration }
        return min(duration ?? recurrence, recurrence)
    }

    /// Whether validFrom/validTo allow the profile at `t`.
    func isValid(at t: Date) -> Bool {
        if let from = profile.validFrom, t < from { return false }
        if let to = profile.validTo, t >= to { return false }
        return true
    }

    /// The start of the schedule instance that covers `t`. `relativeStart` is where a Relative schedule starts
    /// (its transaction's start).
    func instanceStart(covering t: Date, relativeStart: Date) -> Date {
        switch profile.chargingProfileKind {
        case .absolute:
            // OCPP 1.6: without startSchedule the schedule is relative to the start of charging.
            return profile.chargingSchedule.startSchedule ?? relativeStart
        case .relative:
            return relativeStart
        case .recurring:
            let length = recurrence ?? Self.day
            let count = (t.timeIntervalSince(anchor) / length).rounded(.down)
            return anchor.addingTimeInterval(count * length)
        }
    }

    /// The limit this profile sets at `t`, or nil when it sets none (not valid, before its first period, after
    /// its duration).
    public func limit(at t: Date, relativeStart: Date) -> ScheduledLimit? {
        guard isValid(at: t) else { return nil }
        let start = instanceStart(covering: t, relativeStart: relativeStart)
        let offset = t.timeIntervalSince(start)
        guard offset >= 0 else { return nil }
        if let duration = instanceDuration, offset >= duration { return nil }
        guard let period = profile.chargingSchedule.chargingSchedulePeriod.last(where: { TimeInterval($0.startPeriod) <= offset })
        else { return nil }
        return ScheduledLimit(
            limit: period.limit, unit: profile.chargingSchedule.chargingRateUnit, numberPhases: period.numberPhases,
            profileId: id, purpose: purpose, stackLevel: stackLevel, connectorId: connectorId,
            minChargingRate: profile.chargingSchedule.minChargingRate)
    }

    /// Every instant strictly between `from` and `to` where this profile's limit may change.
    public func changes(from: Date, to: Date, relativeStart: Date) -> [Date] {
        var instants: [Date] = [profile.validFrom, profile.validTo].compactMap { $0 }
        let starts: [Date]
        if let length = recurrence {
            let first = (from.timeIntervalSince(anchor) / length).rounded(.down)
            let last = (to.timeIntervalSince(anchor) / length).rounded(.down)
            starts = stride(from: first, through: last, by: 1).map { anchor.addingTimeInterval($0 * length) }
        } else {
            starts = [instanceStart(covering: from, relativeStart: relativeStart)]
        }
        for start in starts {
            instants += profile.chargingSchedule.chargingSchedulePeriod.map { start.addingTimeInterval(TimeInterval($0.startPeriod)) }
            if let duration = instanceDuration { instants.append(start.addingTimeInterval(duration)) }
        }
        return instants.filter { $0 > from && $0 < to }
    }
}
