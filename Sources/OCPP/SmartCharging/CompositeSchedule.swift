import Foundation

/// The limits a connector gets over a time window, combined from every profile that applies (what
/// GetCompositeSchedule reports).
public struct CompositeSchedule: Sendable, Equatable {
    public var connectorId: Int
    public var start: Date
    /// Seconds.
    public var duration: Int
    public var unit: ChargingRateUnitType
    /// Seconds from `start`; each period lasts until the next one starts (the last until the end).
    public var periods: [ChargingSchedulePeriod]
    /// The minChargingRate of the transaction's profile in force at `start`, in `unit`.
    public var minChargingRate: Double?

    /// As OCPP's ChargingSchedule, for GetCompositeSchedule.conf.
    public var chargingSchedule: ChargingSchedule {
        ChargingSchedule(
            duration: duration, startSchedule: start, chargingRateUnit: unit, chargingSchedulePeriod: periods,
            minChargingRate: minChargingRate)
    }
}

/// Everything the composite schedule and the limits in force depend on; every answer is a pure function of this
/// value and an instant.
///
/// Rules (OCPP 1.6 section 3.13): within a purpose, the valid profile with the highest stackLevel whose schedule
/// sets a limit at that instant wins (a TxDefaultProfile on the connector beats one on connector 0 at the same
/// level). A TxProfile overrides the TxDefaultProfile for its transaction. The ChargePointMaxProfile (connector 0)
/// caps everything. Where no profile sets a limit, the connector's own maximum applies.
public struct SmartChargingPlan: Sendable, Equatable {
    public var profiles: InstalledChargingProfiles
    /// Running transactions by connector.
    public var transactions: [Int: ConnectorTransaction]
    /// Every connector by id, with its electrics; 0 is the whole charge point.
    public var electrics: [Int: ConnectorElectrics]

    public init(profiles: InstalledChargingProfiles, transactions: [Int: ConnectorTransaction], electrics: [Int: ConnectorElectrics]) {
        self.profiles = profiles
        self.transactions = transactions
        self.electrics = electrics
    }

    // MARK: Which profile wins

    /// The ChargePointMaxProfile limit at `t`.
    public func chargePointMaximum(at t: Date) -> ScheduledLimit? {
        winner(profiles.profiles.filter { $0.connectorId == 0 && $0.purpose == .chargePointMaxProfile }, at: t, relativeStart: t)
    }

    /// The limit for the transaction on `connectorId` at `t`: its TxProfile where one sets a limit, else the
    /// TxDefaultProfile (the connector's own, or connector 0's). `windowStart` starts Relative schedules when no
    /// transaction runs (what a transaction starting then would get).
    public func transactionLimit(connectorId: Int, at t: Date, windowStart: Date) -> ScheduledLimit? {
        guard connectorId != 0 else { return nil }
        let transaction = transactions[connectorId]
        let relativeStart = transaction?.startedAt ?? windowStart
        if let transaction {
            let txProfiles = profiles.profiles.filter { installed in
                installed.connectorId == connectorId && installed.purpose == .txProfile
                    && (installed.profile.transactionId == nil || installed.profile.transactionId == transaction.transactionId)
            }
            if let limit = winner(txProfiles, at: t, relativeStart: relativeStart) { return limit }
        }
        let defaults = profiles.profiles.filter {
            $0.purpose == .txDefaultProfile && ($0.connectorId == connectorId || $0.connectorId == 0)
        }
        return winner(defaults, at: t, relativeStart: relativeStart)
    }

    private func winner(_ candidates: [InstalledChargingProfile], at t: Date, relativeStart: Date) -> ScheduledLimit? {
        candidates.compactMap { $0.limit(at: t, relativeStart: relativeStart) }
            .max { ($0.stackLevel, $0.connectorId == 0 ? 0 : 1) < ($1.stackLevel, $1.connectorId == 0 ? 0 : 1) }
    }

    // MARK: Composite schedule

    /// The composite schedule for `connectorId` over `duration` seconds from `start`, in `unit`; nil for a
    /// connector that does not exist. Connector 0 reports the charge point as a whole (ChargePointMaxProfile).
    public func compositeSchedule(
        connectorId: Int, start: Date, duration: Int, unit: ChargingRateUnitType
    ) -> CompositeSchedule? {
        guard let connector = electrics[connectorId], duration >= 0 else { return nil }
        let chargePoint = electrics[0] ?? connector
        let end = start.addingTimeInterval(TimeInterval(duration))
        let relativeStart = transactions[connectorId]?.startedAt ?? start
        let relevant = profiles.profiles.filter { $0.connectorId == 0 || $0.connectorId == connectorId }
        let instants = Set(relevant.flatMap { $0.changes(from: start, to: end, relativeStart: relativeStart) } + [start]).sorted()

        var periods: [ChargingSchedulePeriod] = []
        for instant in instants {
            var limit = connector.convert(connector.maxCurrent, from: .amperes, to: unit)
            var phases: Int?
            if let cap = chargePointMaximum(at: instant) {
                let value = chargePoint.convert(cap.limit, from: cap.unit, to: unit, phases: cap.numberPhases)
                if value < limit { (limit, phases) = (value, cap.numberPhases) }
            }
            if let own = transactionLimit(connectorId: connectorId, at: instant, windowStart: start) {
                let value = connector.convert(own.limit, from: own.unit, to: unit, phases: own.numberPhases)
                if value < limit { (limit, phases) = (value, own.numberPhases) }
            }
            let period = ChargingSchedulePeriod(
                startPeriod: Int(instant.timeIntervalSince(start).rounded()), limit: OCPPDecimal.tenths(limit), numberPhases: phases)
            if let last = periods.last, last.startPeriod == period.startPeriod { periods.removeLast() }
            if let last = periods.last, last.limit == period.limit, last.numberPhases == period.numberPhases { continue }
            periods.append(period)
        }
        let minimum = transactionLimit(connectorId: connectorId, at: start, windowStart: start).flatMap { own in
            own.minChargingRate.map { OCPPDecimal.tenths(connector.convert($0, from: own.unit, to: unit)) }
        }
        return CompositeSchedule(
            connectorId: connectorId, start: start, duration: duration, unit: unit, periods: periods, minChargingRate: minimum)
    }

    // MARK: Limits in force now

    /// The limits in force at `now`, for load balancing: the ChargePointMaxProfile's (connector 0, the whole
    /// charge point) and each connector's transaction limit, each in its profile's own unit.
    public func limitsInForce(at now: Date) -> [ScheduledLimit] {
        var limits = chargePointMaximum(at: now).map { [$0] } ?? []
        for connectorId in electrics.keys.sorted() where connectorId != 0 {
            guard var limit = transactionLimit(connectorId: connectorId, at: now, windowStart: now) else { continue }
            limit.connectorId = connectorId  // a connector-0 default applies to this connector
            limits.append(limit)
        }
        return limits
    }

    /// The first instant after `now` (within `horizon` seconds) where a limit in force may change.
    public func nextChange(after now: Date, horizon: TimeInterval = 86_400) -> Date? {
        let end = now.addingTimeInterval(horizon)
        return profiles.profiles.flatMap { installed -> [Date] in
            // A connector-0 default starts a Relative schedule at each connector's own transaction start.
            let starts = installed.connectorId == 0
                ? transactions.values.map(\.startedAt) + [now]
                : [transactions[installed.connectorId]?.startedAt ?? now]
            return starts.flatMap { installed.changes(from: now, to: end, relativeStart: $0) }
        }.min()
    }
}
