import Foundation

/// Why a SetChargingProfile is not accepted. `status` is the answer the central system gets;
/// `description` is for the log and says what was wrong and what would be accepted.
public enum ChargingProfileRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case smartChargingNotSupported
    case unknownConnector(Int)
    case chargePointMaxNotOnConnectorZero(Int)
    case txProfileOnConnectorZero
    case noTransaction(connectorId: Int)
    case transactionMismatch(requested: Int, running: Int?)
    case stackLevelOutOfRange(Int, max: Int)
    case unitNotAllowed(ChargingRateUnitType, allowed: Set<ChargingRateUnitType>)
    case noPeriods
    case tooManyPeriods(Int, max: Int)
    case periodsNotAscending
    case negativeLimit(Double)
    case invalidNumberPhases(Int)
    case negativeDuration(Int)
    case recurringWithoutKind
    case validityEmpty
    case expired(Date)
    case tooManyProfiles(max: Int)

    public var status: ChargingProfileStatus {
        self == .smartChargingNotSupported ? .notSupported : .rejected
    }

    public var description: String {
        switch self {
        case .smartChargingNotSupported:
            "SmartCharging is not in SupportedFeatureProfiles"
        case .unknownConnector(let id):
            "connector \(id) does not exist on this charge point"
        case .chargePointMaxNotOnConnectorZero(let id):
            "a ChargePointMaxProfile must be set on connector 0, not \(id)"
        case .txProfileOnConnectorZero:
            "a TxProfile must name the connector of its transaction, not 0"
        case .noTransaction(let id):
            "a TxProfile needs a running transaction on connector \(id), and there is none"
        case .transactionMismatch(let requested, let running):
            "the TxProfile is for transaction \(requested), but connector runs \(running.map(String.init) ?? "a transaction not yet confirmed")"
        case .stackLevelOutOfRange(let level, let max):
            "stackLevel \(level) is outside 0...\(max) (ChargeProfileMaxStackLevel)"
        case .unitNotAllowed(let unit, let allowed):
            "chargingRateUnit \(unit.rawValue) is not allowed; ChargingScheduleAllowedChargingRateUnit allows \(allowed.map(\.rawValue).sorted().joined(separator: ","))"
        case .noPeriods:
            "the chargingSchedule has no periods"
        case .tooManyPeriods(let count, let max):
            "the chargingSchedule has \(count) periods; ChargingScheduleMaxPeriods is \(max)"
        case .periodsNotAscending:
            "chargingSchedulePeriod startPeriods must be >= 0 and strictly ascending"
        case .negativeLimit(let limit):
            "a period limit of \(limit) is negative"
        case .invalidNumberPhases(let phases):
            "numberPhases \(phases) is outside 1...3"
        case .negativeDuration(let duration):
            "the schedule duration \(duration) s is negative"
        case .recurringWithoutKind:
            "a Recurring profile needs a recurrencyKind (Daily or Weekly)"
        case .validityEmpty:
            "validTo is not after validFrom"
        case .expired(let validTo):
            "the profile expired at \(validTo.formatted(.iso8601))"
        case .tooManyProfiles(let max):
            "MaxChargingProfilesInstalled (\(max)) would be exceeded"
        }
    }
}

/// What SetChargingProfile is checked against besides the profile itself.
public struct ChargingProfileContext: Sendable, Equatable {
    public var capabilities: SmartChargingCapabilities
    /// Connector ids that exist (0, the charge point, always exists).
    public var connectorIds: Set<Int>
    /// Running transactions by connector.
    public var transactions: [Int: ConnectorTransaction]
    public var now: Date

    public init(capabilities: SmartChargingCapabilities, connectorIds: Set<Int>, transactions: [Int: ConnectorTransaction], now: Date) {
        self.capabilities = capabilities
        self.connectorIds = connectorIds
        self.transactions = transactions
        self.now = now
    }
}

extension InstalledChargingProfiles {
    /// Checks a SetChargingProfile (OCPP 1.6 section 5.16) and, when it is acceptable, returns the set with the
    /// profile installed. The set itself is unchanged: the caller commits the result before answering Accepted.
    public func installing(
        _ profile: ChargingProfile, connectorId: Int, context: ChargingProfileContext
    ) -> Result<(InstalledChargingProfiles, ChargingProfileInstallation), ChargingProfileRejection> {
        if let problem = Self.problem(with: profile, connectorId: connectorId, context: context) { return .failure(problem) }
        var updated = self
        let installation = updated.install(profile, connectorId: connectorId, at: context.now)
        if updated.count > context.capabilities.maxProfilesInstalled {
            return .failure(.tooManyProfiles(max: context.capabilities.maxProfilesInstalled))
        }
        return .success((updated, installation))
    }

    static func problem(with profile: ChargingProfile, connectorId: Int, context: ChargingProfileContext) -> ChargingProfileRejection? {
        let capabilities = context.capabilities
        guard capabilities.supported else { return .smartChargingNotSupported }
        guard connectorId == 0 || context.connectorIds.contains(connectorId) else { return .unknownConnector(connectorId) }
        switch profile.chargingProfilePurpose {
        case .chargePointMaxProfile:
            if connectorId != 0 { return .chargePointMaxNotOnConnectorZero(connectorId) }
        case .txDefaultProfile:
            break
        case .txProfile:
            if connectorId == 0 { return .txProfileOnConnectorZero }
            guard let running = context.transactions[connectorId] else { return .noTransaction(connectorId: connectorId) }
            if let requested = profile.transactionId, requested != running.transactionId {
                return .transactionMismatch(requested: requested, running: running.transactionId)
            }
        }
        guard (0...capabilities.maxStackLevel).contains(profile.stackLevel) else {
            return .stackLevelOutOfRange(profile.stackLevel, max: capabilities.maxStackLevel)
        }
        let schedule = profile.chargingSchedule
        guard capabilities.allowedUnits.contains(schedule.chargingRateUnit) else {
            return .unitNotAllowed(schedule.chargingRateUnit, allowed: capabilities.allowedUnits)
        }
        let periods = schedule.chargingSchedulePeriod
        guard !periods.isEmpty else { return .noPeriods }
        guard periods.count <= capabilities.maxPeriods else { return .tooManyPeriods(periods.count, max: capabilities.maxPeriods) }
        guard periods[0].startPeriod >= 0, zip(periods, periods.dropFirst()).allSatisfy({ $0.startPeriod < $1.startPeriod }) else {
            return .periodsNotAscending
        }
        if let negative = periods.first(where: { !($0.limit >= 0) }) { return .negativeLimit(negative.limit) }
        if let phases = periods.compactMap(\.numberPhases).first(where: { !(1...3).contains($0) }) {
            return .invalidNumberPhases(phases)
        }
        if let duration = schedule.duration, duration < 0 { return .negativeDuration(duration) }
        if profile.chargingProfileKind == .recurring, profile.recurrencyKind == nil { return .recurringWithoutKind }
        if let from = profile.validFrom, let to = profile.validTo, to <= from { return .validityEmpty }
        if let to = profile.validTo, to <= context.now { return .expired(to) }
        return nil
    }
}
