import Foundation

/// A session as the status and `GET /v1/sessions` show it: the owner's idTag masked (only its last 4
/// characters), times, energy and the transaction ids.
public struct SessionSummary: Sendable, Codable, Equatable {
    public var id: String
    public var compartment: String
    public var connectorId: Int
    public var state: SessionState
    public var idTag: String
    public var authorizationMethod: SessionAuthorizationMethod
    public var authorizationSource: String
    public var authorizedAt: Date
    public var chargingStartedAt: Date?
    public var stoppedAt: Date?
    public var localTransactionId: String?
    public var transactionId: Int?
    public var meterStartWh: Int?
    public var meterStopWh: Int?
    public var energyWh: Double?
    public var occupiedSeconds: Double
    public var chargingSeconds: Double
    public var averagePowerWatts: Double?
    public var stopReason: SessionStopReason?
    /// What the session cost by its tariff (set when it ends), its currency and the tariff's name.
    public var amount: Decimal?
    public var currency: String?
    public var tariff: String?

    public init(_ record: SessionRecord, now: Date) {
        id = record.id
        compartment = record.compartment
        connectorId = record.connectorId
        state = record.state
        idTag = Self.mask(record.idTag)
        authorizationMethod = record.authorizationMethod
        authorizationSource = record.authorizationSource
        authorizedAt = record.authorizedAt
        chargingStartedAt = record.chargingStartedAt
        stoppedAt = record.stoppedAt
        localTransactionId = record.localTransactionId
        transactionId = record.centralTransactionId
        meterStartWh = record.meterStartWh
        meterStopWh = record.meterStopWh
        energyWh = record.energyWh
        occupiedSeconds = record.occupiedSeconds(now: now)
        chargingSeconds = record.chargingSeconds
        averagePowerWatts = record.averagePowerWatts
        stopReason = record.stopReason
        amount = record.amount
        currency = record.currency
        tariff = record.tariffName
    }

    /// `****C4D5`: enough for a driver to recognise their card, not enough to clone it.
    public static func mask(_ idTag: String) -> String {
        guard idTag.count > 4 else { return String(repeating: "*", count: idTag.count) }
        return String(repeating: "*", count: idTag.count - 4) + idTag.suffix(4)
    }
}

/// Session settings from the site file (`sessions:`) and the tests.
public struct SessionSettings: Sendable, Equatable {
    /// What a restart does with an open transaction (site file `sessions.restartTransactions`).
    public var restartTransactions: RestartTransactionPolicy
    /// How often timers and meter readings are looked at.
    public var tickInterval: Duration
    /// ConnectionTimeOut and MeterValueSampleInterval when neither the uplink nor the store has them.
    public var defaultConnectionTimeOut: TimeInterval
    public var defaultMeterSampleInterval: TimeInterval
    public var defaultClockAlignedInterval: TimeInterval
    public var lockConfirmTimeout: TimeInterval
    public var chargeCompleteBelowWatts: Double?
    public var chargeCompleteAfter: TimeInterval
    public var switchOffWhenComplete: Bool
    public var maxOccupancy: TimeInterval?
    public var maxEnergyWh: Double?
    public var keepFreeUnlocked: Bool
    /// `sessions.maxCost`: charging stops when the running amount reaches it.
    public var maxCost: Decimal?

    public init(
        restartTransactions: RestartTransactionPolicy = .resume, tickInterval: Duration = .seconds(1),
        defaultConnectionTimeOut: TimeInterval = 60, defaultMeterSampleInterval: TimeInterval = 60,
        defaultClockAlignedInterval: TimeInterval = 0,
        lockConfirmTimeout: TimeInterval = 5, chargeCompleteBelowWatts: Double? = nil, chargeCompleteAfter: TimeInterval = 300,
        switchOffWhenComplete: Bool = false, maxOccupancy: TimeInterval? = nil, maxEnergyWh: Double? = nil,
        keepFreeUnlocked: Bool = true
    ) {
        self.keepFreeUnlocked = keepFreeUnlocked
        self.restartTransactions = restartTransactions
        self.tickInterval = tickInterval
        self.defaultConnectionTimeOut = defaultConnectionTimeOut
        self.defaultMeterSampleInterval = defaultMeterSampleInterval
        self.defaultClockAlignedInterval = defaultClockAlignedInterval
        self.lockConfirmTimeout = lockConfirmTimeout
        self.chargeCompleteBelowWatts = chargeCompleteBelowWatts
        self.chargeCompleteAfter = chargeCompleteAfter
        self.switchOffWhenComplete = switchOffWhenComplete
        self.maxOccupancy = maxOccupancy
        self.maxEnergyWh = maxEnergyWh
    }
}

/// What the site controller holds for sessions. Lives inside the controller (the one owner of site state).
struct SessionView: Sendable {
    var machines: [String: CompartmentSessionMachine] = [:]
    var authorizer: (any IdTagAuthorizing)?
    var uplink: OCPPUplink?
    var settings = SessionSettings()
    var running = false
    var tasks: [Task<Void, Never>] = []
    /// Compartments with a card's authorization in flight (a second card waits its turn).
    var authorizing: Set<String> = []
    /// The meter reading time last fed to each compartment's machine.
    var meterFedAt: [String: Date] = [:]
    /// The last committed record of each session still acting, by session id.
    var records: [String: SessionRecord] = [:]
    /// The effects of committed decisions, carried out in order by one task.
    var effects: AsyncStream<(String, [SessionCommand])>.Continuation?
    /// Central system time minus board time, as the uplink last reported it.
    var clockOffset: TimeInterval = 0
    /// The compartment number last typed on a keypad, for the next card at a shared reader.
    var keypadBinding: (compartment: String, at: Date)?
    /// StartTransaction answers that overtook the recording of their local transaction id, by that id.
    var unmatchedStartOutcomes: [String: StartTransactionOutcome] = [:]
    static let keypadBindingLifetime: TimeInterval = 60
}
