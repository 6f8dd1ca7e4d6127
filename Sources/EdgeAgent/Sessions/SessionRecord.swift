import Foundation

/// Where a session stands. Stored with the record, so a restart knows what the compartment was doing.
public enum SessionState: String, Sendable, Codable, Equatable {
    /// Authorized; the door is being locked. Nothing is switched on yet.
    case locking
    /// Locked, socket on, transaction started.
    case charging
    /// Charge complete: power stayed below the threshold (SuspendedEV); the transaction runs on.
    case chargeComplete
    /// A session limit or a fault switched the socket off; the door stays locked for the owner.
    case suspendedByLocker
    /// Ended: socket off, transaction stopped, door released for the owner. Closed once the door opened and shut.
    case finishing
    /// Done; nothing of this session acts any more.
    case closed
}

/// Why a session ended; the OCPP reasons plus the locker's own (those never reach the central system as a
/// transaction, since no transaction was started).
public enum SessionStopReason: String, Sendable, Codable, Equatable {
    case local = "Local"
    case emergencyStop = "EmergencyStop"
    case unlockCommand = "UnlockCommand"
    case powerLoss = "PowerLoss"
    case reboot = "Reboot"
    case remote = "Remote"
    case evDisconnected = "EVDisconnected"
    case deAuthorized = "DeAuthorized"
    /// Reset.req from the central system stopped the transaction before the restart (Operations/ResetCoordinator.swift).
    case softReset = "SoftReset"
    case hardReset = "HardReset"
    case other = "Other"
    /// The door could not be locked at the start: no transaction was started.
    case lockFailed = "LockFailed"
    /// The door opened before the lock was confirmed: no transaction was started.
    case doorOpenedBeforeStart = "DoorOpenedBeforeStart"
}

/// How the owner proved who they are.
public enum SessionAuthorizationMethod: String, Sendable, Codable, Equatable {
    /// A card at the compartment's own reader.
    case rfid
    /// A card at a shared reader, bound to the most recently closed waiting door.
    case rfidSharedReader
    /// A card at a shared reader after the compartment's number was typed on a keypad.
    case keypadAndSharedReader
    /// A text with the compartment's name from the driver's phone (SMS/); the idTag is derived from the number.
    case sms
    /// The central system's RemoteStartTransaction (Remote/SiteController+RemoteStart.swift).
    case remote
}

/// One session as stored (Storage/SessionStore.swift) and listed by `GET /v1/sessions`. Written before the
/// controller acts on it (DESIGN invariant 5).
public struct SessionRecord: Sendable, Codable, Equatable {
    /// The session's own id (a UUID), also the primary key.
    public var id: String
    public var connectorId: Int
    public var compartment: String
    public var idTag: String
    /// The owner's group: a card of the same group may end the session.
    public var parentIdTag: String?
    public var authorizationMethod: SessionAuthorizationMethod
    /// localList, cache, centralSystem or offlinePolicy.
    public var authorizationSource: String
    public var state: SessionState
    /// When the owner was authorized (the session's start).
    public var authorizedAt: Date
    /// When the door was closed on the driver's things (occupancy counts from here).
    public var occupiedSince: Date
    /// When the socket was switched on and the transaction started.
    public var chargingStartedAt: Date?
    public var stoppedAt: Date?
    /// The transaction id the uplink's queue knows it by; nil while not started or without a central system.
    public var localTransactionId: String?
    /// The central system's transactionId, once its StartTransaction is confirmed.
    public var centralTransactionId: Int?
    /// The compartment meter's energy register at the start and the end (Wh).
    public var meterStartWh: Int?
    public var meterStopWh: Int?
    /// The last plausible energy register reading (Wh) and when it was taken.
    public var lastMeterWh: Double?
    public var lastMeterAt: Date?
    /// Seconds the socket was on, counted up to `chargingCountedUntil`.
    public var chargingSeconds: Double
    public var relayOn: Bool
    /// The StopTransaction is in the uplink's durable queue (or there is no uplink): never queued twice.
    public var stopTransactionQueued: Bool = false
    /// The transaction was stopped while the session goes on (the central system refused the idTag at the
    /// start: DeAuthorized); the owner still ends the session and gets the door, without a second stop.
    public var transactionStoppedAt: Date?
    public var stopReason: SessionStopReason?
    /// What the session cost by its compartment's tariff, computed when it ends (nil: no tariff, or it never
    /// started charging); rounded to cents. The central system remains the billing authority.
    public var amount: Decimal?
    /// ISO 4217 code of `amount`, and the tariff it was computed with.
    public var currency: String?
    public var tariffName: String?
    /// The reservation this session used (ReserveNow); its id goes with the StartTransaction.
    public var reservationId: Int?

    public init(
        id: String, connectorId: Int, compartment: String, idTag: String, parentIdTag: String?,
        authorizationMethod: SessionAuthorizationMethod, authorizationSource: String, authorizedAt: Date,
        occupiedSince: Date
    ) {
        self.id = id
        self.connectorId = connectorId
        self.compartment = compartment
        self.idTag = idTag
        self.parentIdTag = parentIdTag
        self.authorizationMethod = authorizationMethod
        self.authorizationSource = authorizationSource
        self.state = .locking
        self.authorizedAt = authorizedAt
        self.occupiedSince = occupiedSince
        self.chargingSeconds = 0
        self.relayOn = false
    }

    /// Still owns its compartment (the door stays locked for the owner).
    public var isOpen: Bool { state == .locking || state == .charging || state == .chargeComplete || state == .suspendedByLocker }

    /// Energy charged so far or in total (Wh).
    public var energyWh: Double? {
        guard let start = meterStartWh else { return nil }
        if let stop = meterStopWh { return Double(stop - start) }
        return lastMeterWh.map { max(0, $0 - Double(start)) }
    }

    /// Seconds the compartment was held, up to `now` while the session is open.
    public func occupiedSeconds(now: Date) -> Double {
        max(0, (stoppedAt ?? now).timeIntervalSince(occupiedSince))
    }

    /// Average power while charging (W).
    public var averagePowerWatts: Double? {
        guard let energy = energyWh, chargingSeconds > 0 else { return nil }
        return energy * 3600 / chargingSeconds
    }

    /// The owner's card, or a card of the owner's group.
    public func isOwner(idTag presented: String, parentIdTag presentedParent: String?) -> Bool {
        if presented.caseInsensitiveCompare(idTag) == .orderedSame { return true }
        guard let group = parentIdTag ?? nil, let other = presentedParent else { return false }
        return group.caseInsensitiveCompare(other) == .orderedSame
    }
}
