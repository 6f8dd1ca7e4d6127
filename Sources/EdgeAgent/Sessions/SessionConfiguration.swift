import Foundation

/// The site file's `sessions:` block (docs/configuration.md). Every key is optional.
public struct SessionConfiguration: Sendable, Equatable, Codable {
    /// What a restart does with an open transaction: `resume` (default) or `stopAndRestart`.
    public var restartTransactions: RestartTransactionPolicy = .resume
    /// ConnectionTimeOut until the central system sets the OCPP key (seconds).
    public var connectionTimeOutSeconds: Double = 60
    /// MeterValueSampleInterval until the central system sets the OCPP key (seconds; 0: no MeterValues).
    public var meterValueSampleIntervalSeconds: Double = 60
    /// ClockAlignedDataInterval until the central system sets the OCPP key (seconds; 0: no aligned values).
    public var clockAlignedDataIntervalSeconds: Double = 0
    /// How long the lock may take to be confirmed before a start is refused (seconds).
    public var lockConfirmSeconds: Double = 5
    /// Charge complete (SuspendedEV) when power stays below this (W) for `chargeCompleteAfterSeconds`; absent: off.
    public var chargeCompleteBelowWatts: Double?
    public var chargeCompleteAfterSeconds: Double = 300
    /// Switch the socket off once the charge is complete.
    public var switchOffWhenComplete: Bool = false
    /// Limits: charging stops, the door stays locked for the owner. Absent: no limit.
    public var maxOccupancySeconds: Double?
    public var maxEnergyWh: Double?
    /// Charging stops once the session's running amount (its tariff's) reaches this; a tariff's own `maxCost` is
    /// the tighter of the two. Absent: no cost limit.
    public var maxCost: Decimal?
    /// Leave a free compartment unlocked for the next driver once the previous owner shut its door.
    public var keepFreeCompartmentsUnlocked: Bool = true
    /// Whether RemoteStopTransaction releases the door: `remote-started` (default), `always` or `never`.
    public var remoteStopUnlocks: RemoteStopUnlockPolicy = .remoteStarted
    /// ReserveNow for connector 0 keeps one free compartment of any for the idTag (OCPP ReserveConnectorZeroSupported).
    public var reserveConnectorZeroSupported: Bool = false

    public init() {}
}



extension SessionSettings {
    /// The settings the daemon runs sessions with, from the site file.
    public init(configuration: SiteConfiguration) {
        let sessions = configuration.sessions
        self.init(
            restartTransactions: sessions.restartTransactions, defaultConnectionTimeOut: sessions.connectionTimeOutSeconds,
            defaultMeterSampleInterval: sessions.meterValueSampleIntervalSeconds,
            defaultClockAlignedInterval: sessions.clockAlignedDataIntervalSeconds, lockConfirmTimeout: sessions.lockConfirmSeconds,
            chargeCompleteBelowWatts: sessions.chargeCompleteBelowWatts, chargeCompleteAfter: sessions.chargeCompleteAfterSeconds,
            switchOffWhenComplete: sessions.switchOffWhenComplete, maxOccupancy: sessions.maxOccupancySeconds,
            maxEnergyWh: sessions.maxEnergyWh, keepFreeUnlocked: sessions.keepFreeCompartmentsUnlocked)
        maxCost = sessions.maxCost
    }
}
