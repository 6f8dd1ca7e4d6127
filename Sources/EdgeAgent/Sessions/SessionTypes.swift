import Foundation

/// The rules one compartment's sessions follow, from the site file and the OCPP configuration keys.
public struct SessionPolicy: Sendable, Equatable {
    /// A closed door nobody authorizes within this goes back to Available (OCPP ConnectionTimeOut).
    public var connectionTimeOut: TimeInterval
    /// How long the lock may take to be confirmed (feedback or sensor) before the start is refused.
    public var lockConfirmTimeout: TimeInterval
    /// MeterValues while charging every this many seconds (OCPP MeterValueSampleInterval); 0: none.
    public var meterSampleInterval: TimeInterval
    /// Clock-aligned MeterValues at every multiple of this many seconds since midnight UTC
    /// (OCPP ClockAlignedDataInterval); 0: none.
    public var clockAlignedInterval: TimeInterval = 0
    /// The compartment's maximum power: readings that need more are implausible.
    public var maxPowerWatts: Double
    /// Charge complete when power stays below this for `chargeCompleteAfter` (nil: never detected).
    public var chargeCompleteBelowWatts: Double?
    public var chargeCompleteAfter: TimeInterval
    /// Switch the socket off when the charge is complete.
    public var switchOffWhenComplete: Bool
    /// Session limits: charging stops, the door stays locked for the owner.
    public var maxOccupancy: TimeInterval?
    public var maxEnergyWh: Double?
    /// The socket may be on while the door is open or unlocked (site setting; off by default).
    public var chargeWithDoorOpen: Bool
    /// A free compartment is left unlocked for the next driver (a latch is released once the previous owner shut it).
    public var keepFreeUnlocked: Bool
    /// More power than this while the socket is off, `relayOffGrace` after switching it off, means the relay is
    /// stuck on (fault `powerWhileOff`).
    public var standbyPowerWatts: Double = 10
    public var relayOffGrace: TimeInterval = 10
    /// The compartment's tariff (running amount, cost limit, the amount stored at the end); nil: none.
    public var tariff: Tariff?
    /// Charging stops when the running amount reaches this (the tighter of `sessions.maxCost` and the tariff's).
    public var maxCost: Decimal?
    /// A charging session without a meter reading for this long shows `meterStale`; nil: no meter to watch.
    public var meterStaleAfter: TimeInterval?

    public init(
        connectionTimeOut: TimeInterval = 60, lockConfirmTimeout: TimeInterval = 5, meterSampleInterval: TimeInterval = 60,
        clockAlignedInterval: TimeInterval = 0,
        maxPowerWatts: Double = 3680, chargeCompleteBelowWatts: Double? = nil, chargeCompleteAfter: TimeInterval = 300,
        switchOffWhenComplete: Bool = false, maxOccupancy: TimeInterval? = nil, maxEnergyWh: Double? = nil,
        chargeWithDoorOpen: Bool = false, keepFreeUnlocked: Bool = true
    ) {
        self.keepFreeUnlocked = keepFreeUnlocked
        self.connectionTimeOut = connectionTimeOut
        self.lockConfirmTimeout = lockConfirmTimeout
        self.meterSampleInterval = meterSampleInterval
        self.clockAlignedInterval = clockAlignedInterval
        self.maxPowerWatts = maxPowerWatts
        self.chargeCompleteBelowWatts = chargeCompleteBelowWatts
        self.chargeCompleteAfter = chargeCompleteAfter
        self.switchOffWhenComplete = switchOffWhenComplete
        self.maxOccupancy = maxOccupancy
        self.maxEnergyWh = maxEnergyWh
        self.chargeWithDoorOpen = chargeWithDoorOpen
    }
}

/// What the door and lock read, as the session machine needs it.
public struct DoorLockReading: Sendable, Equatable {
    public var doorClosed: Bool
    public var locked: Bool

    public init(doorClosed: Bool, locked: Bool) {
        self.doorClosed = doorClosed
        self.locked = locked
    }
}

/// One reading of the compartment meter.
public struct CompartmentMeterReading: Sendable, Equatable {
    public var at: Date
    /// The energy register (Wh).
    public var energyWh: Double
    /// Active power (W), when the meter gives it.
    public var powerWatts: Double?

    public init(at: Date, energyWh: Double, powerWatts: Double? = nil) {
        self.at = at
        self.energyWh = energyWh
        self.powerWatts = powerWatts
    }
}

/// Everything that can happen to a compartment's sessions.
public enum SessionInput: Sendable, Equatable {
    /// The door or lock changed (or was read at start-up).
    case hardware(DoorLockReading)
    /// A card's authorization came back. `method` says which reader bound it here.
    /// `sessionId` is the id the session gets if this starts one.
    case cardAuthorized(idTag: String, outcome: AuthorizationOutcome, method: SessionAuthorizationMethod, sessionId: String)
    /// The owner (or someone claiming to be) asks to end the session with a card.
    case stopWithCard(idTag: String, parentIdTag: String?)
    case meter(CompartmentMeterReading)
    /// The door opened while locked.
    case forcedOpen
    /// An operator unlocked the compartment (audited by the caller).
    case operatorUnlocked
    case emergency
    /// The central system refused the owner's idTag in its StartTransaction answer (StopTransactionOnInvalidId).
    case deauthorized(sessionId: String)
    /// An authorization that starts a session like a card's, from a remote start or a reservation's holder
    /// (Remote/); `reservationId` is the reservation the session uses.
    case authorizedStart(
        idTag: String, outcome: AuthorizationOutcome, method: SessionAuthorizationMethod, sessionId: String, reservationId: Int?)
    /// RemoteStopTransaction: the transaction stops (reason Remote); `releaseLock` per `sessions.remoteStopUnlocks`,
    /// else the door stays locked for the owner, whose card still ends the session and opens it.
    case remoteStop(releaseLock: Bool)
    /// The transaction must end now (e.g. Reset.req: SoftReset / HardReset); the door stays locked for the owner,
    /// whose card, SMS or PIN still ends the session.
    case stopTransactionKeepingDoor(reason: SessionStopReason)
    /// Load balancing allows the socket on (or not) at this control step (Balancing/); a session keeps its
    /// other rules: this never switches on a socket they keep off (DESIGN invariant 2).
    case balancing(allowed: Bool)
    /// Time passed.
    case tick
}

/// Why the machine releases a lock: the only reasons there are (DESIGN invariant 1).
public enum UnlockReason: String, Sendable, Equatable {
    /// The session's owner ended it.
    case owner
    /// Nobody authorized the closed door within ConnectionTimeOut: nobody owns it, it goes back to free.
    case unclaimed
    /// The ended session's owner opened and shut the door: the compartment is free (unlocked) for the next driver.
    case freed
    /// RemoteStopTransaction released the door (`sessions.remoteStopUnlocks`).
    case remoteStop
    /// The ended session's owner presented their card again while the door was still latched (the daemon
    /// stopped between switching the socket off and releasing the door).
    case ownerAgain
}

/// Faults the session code reports (StatusNotification Faulted with this errorCode and vendorErrorCode).
public enum SessionFault: String, Sendable, Equatable, Codable {
    case lockFailed
    case forcedOpen
    case implausibleMeter
    /// The meter sees power while the socket is switched off: the relay is stuck on.
    case powerWhileOff
    /// No meter reading during a charging session (a warning: the status stays Charging, errorCode OtherError).
    case meterStale

    public var vendorErrorCode: String {
        switch self {
        case .lockFailed: "LOCK_NOT_CONFIRMED"
        case .forcedOpen: "DOOR_FORCED"
        case .implausibleMeter: "METER_IMPLAUSIBLE"
        case .powerWhileOff: "RELAY_STUCK_ON"
        case .meterStale: "METER_STALE"
        }
    }
}

/// What the driver is told (indicator and, later, display or SMS).
public enum DriverFeedback: String, Sendable, Equatable {
    case charging, rejected, notOwner, lockFailed, ended, noWaitingDoor
    /// The compartment is inoperative (ChangeAvailability): it takes no new session.
    case unavailable
    /// A compartment number typed on the keypad: the next card at a shared reader is for that door.
    case compartmentSelected
    /// The compartment is reserved for another driver (ReserveNow).
    case reserved
    /// The reservation's holder presented their card: their reserved compartment opens for them.
    case reservationReady
}

/// What the machine asks the controller to do, in order. `persist` always comes before the effects it covers.
public enum SessionCommand: Sendable, Equatable {
    case persist(SessionRecord)
    case lock
    case unlock(UnlockReason)
    case relay(on: Bool)
    case startTransaction(sessionId: String, idTag: String, meterStartWh: Int, at: Date)
    /// `aligned`: a clock-aligned value (ClockAlignedDataInterval), else a periodic sample.
    case meterValues(sessionId: String, reading: CompartmentMeterReading, aligned: Bool)
    case stopTransaction(sessionId: String, meterStopWh: Int, reason: SessionStopReason, idTag: String?, at: Date)
    case fault(SessionFault)
    case feedback(DriverFeedback)
    case log(String)
}

/// The connector status (OCPP 1.6) the session part of a compartment shows; hardware faults override it.
public enum SessionConnectorStatus: String, Sendable, Equatable, Codable {
    case available = "Available"
    case preparing = "Preparing"
    case charging = "Charging"
    case suspendedEV = "SuspendedEV"
    case suspendedEVSE = "SuspendedEVSE"
    case finishing = "Finishing"
    case faulted = "Faulted"
    /// Shown by the site for a free compartment a reservation keeps (Remote/), never by the machine itself.
    case reserved = "Reserved"
    /// The connector was made inoperative (ChangeAvailability or the local API, Operations/) and holds no session.
    case unavailable = "Unavailable"
}
