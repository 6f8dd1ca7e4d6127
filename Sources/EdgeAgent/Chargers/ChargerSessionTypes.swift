import Foundation
import OCPP

/// The IEC 61851-1 control pilot state a charge controller reports: A no car, B car plugged in, C/D the car
/// charges (D with ventilation), E/F error (E: pilot shorted or no power, F: the EVSE is not available).
public enum ChargerPilotState: String, Sendable, Equatable, Codable, CaseIterable {
    case a = "A", b = "B", c = "C", d = "D", e = "E", f = "F"

    /// The state register as Phoenix-style controllers give it: the ASCII letter in the low byte
    /// (`A` = 65); nil for anything else (the register is not a state).
    public init?(register: Double) {
        guard register.isFinite, register >= 0, register < 65536 else { return nil }
        let byte = UInt8(Int(register) & 0xFF)
        guard let state = ChargerPilotState(rawValue: String(UnicodeScalar(byte)).uppercased()) else { return nil }
        self = state
    }

    /// The ASCII code the state register holds.
    public var register: Double { Double(rawValue.unicodeScalars.first?.value ?? 0) }

    /// A car is connected (B, C or D).
    public var isPlugged: Bool { self == .b || self == .c || self == .d }
    /// The car draws current (C or D).
    public var isCharging: Bool { self == .c || self == .d }
    public var isError: Bool { self == .e || self == .f }
}

/// One reading of a charge controller, as the session machine needs it.
public struct ChargerReading: Sendable, Equatable {
    public var at: Date
    /// nil: the state register held no state letter.
    public var pilot: ChargerPilotState?
    /// The charger meter's energy register (Wh), when it has a meter.
    public var energyWh: Double?
    public var powerWatts: Double?
    /// What the charger itself says of its enable switch and current setpoint (read back).
    public var enabled: Bool?
    public var setpointAmps: Double?

    public init(at: Date, pilot: ChargerPilotState?, energyWh: Double? = nil, powerWatts: Double? = nil,
                enabled: Bool? = nil, setpointAmps: Double? = nil) {
        self.at = at
        self.pilot = pilot
        self.energyWh = energyWh
        self.powerWatts = powerWatts
        self.enabled = enabled
        self.setpointAmps = setpointAmps
    }
}

/// The rules one charger's sessions follow, from the site file and the OCPP configuration keys.
public struct ChargerPolicy: Sendable, Equatable {
    /// A plugged car nobody authorizes (or an authorization with no car plugged in) expires after this
    /// (OCPP ConnectionTimeOut).
    public var connectionTimeOut: TimeInterval
    /// MeterValues while the transaction runs every this many seconds (MeterValueSampleInterval); 0: none.
    public var meterSampleInterval: TimeInterval
    /// Unplugging the car stops the transaction (EVDisconnected); false: it is suspended until the owner ends it
    /// (OCPP StopTransactionOnEVSideDisconnect).
    public var stopOnEVSideDisconnect: Bool
    /// The charger's current range (A per phase): below the minimum the charger pauses.
    public var minCurrentAmps: Double
    public var maxCurrentAmps: Double
    public var phases: Int
    /// The charger's tariff: the amount is recorded when a session ends (receipts and exports).
    public var tariff: Tariff?
    /// Readings that need more power than this are implausible and never sent: twice what the charger can deliver
    /// (at 253 V), room for the timing jitter between a meter's register and the poll that reads it, while a
    /// register that jumps is still caught.
    public var maxPowerWatts: Double { 2 * maxCurrentAmps * Double(phases) * 253 }

    public init(connectionTimeOut: TimeInterval = 60, meterSampleInterval: TimeInterval = 60,
                stopOnEVSideDisconnect: Bool = true, minCurrentAmps: Double = 6, maxCurrentAmps: Double = 16, phases: Int = 3,
                tariff: Tariff? = nil) {
        self.tariff = tariff
        self.connectionTimeOut = connectionTimeOut
        self.meterSampleInterval = meterSampleInterval
        self.stopOnEVSideDisconnect = stopOnEVSideDisconnect
        self.minCurrentAmps = minCurrentAmps
        self.maxCurrentAmps = maxCurrentAmps
        self.phases = phases
    }

    /// The current the charger may offer: load balancing's setpoint (none yet: the maximum), clamped to the
    /// charger's range in whole amperes (what a charge controller's setpoint register takes, rounded down so the
    /// allocation is never exceeded); nil when balancing allows less than the minimum (the charger pauses:
    /// SuspendedEVSE).
    public func allowedCurrent(_ setpoint: BalancingSetpoint?) -> Double? {
        guard let setpoint else { return maxCurrentAmps.rounded(.down) }
        guard setpoint.allowed, setpoint.currentAmps.isFinite else { return nil }
        let amps = min(setpoint.currentAmps, maxCurrentAmps).rounded(.down)
        return amps >= minCurrentAmps ? amps : nil
    }
}

/// Faults of a charger (StatusNotification Faulted with this errorCode and vendorErrorCode).
public enum ChargerFault: String, Sendable, Equatable, Codable, CaseIterable {
    /// Pilot state E: the control pilot is shorted or the charger has no power.
    case pilotStateE
    /// Pilot state F: the charge controller reports itself not available.
    case pilotStateF
    /// The state register holds no state letter.
    case unknownState
    /// The charge controller does not answer on its bus (its readings are stale).
    case notAnswering
    /// The enable switch or the current setpoint could not be written or did not read back.
    case setpointNotAccepted

    public var vendorErrorCode: String {
        switch self {
        case .pilotStateE: "CHARGER_PILOT_E"
        case .pilotStateF: "CHARGER_PILOT_F"
        case .unknownState: "CHARGER_STATE_UNKNOWN"
        case .notAnswering: "CHARGER_NOT_ANSWERING"
        case .setpointNotAccepted: "CHARGER_SETPOINT_REJECTED"
        }
    }

    public var errorCode: ChargePointErrorCode {
        switch self {
        case .pilotStateE, .pilotStateF: .evCommunicationError
        case .unknownState, .notAnswering, .setpointNotAccepted: .internalError
        }
    }
}

/// Everything that can happen to a charger's sessions.
public enum ChargerInput: Sendable, Equatable {
    /// A fresh reading of the charge controller.
    case reading(ChargerReading)
    /// The charge controller stopped answering (its readings went stale).
    case notAnswering
    /// A card (at the charger's reader) or a remote start, authorized or not. `sessionId` is the id the session
    /// gets if this starts one.
    case authorized(idTag: String, outcome: AuthorizationOutcome, method: SessionAuthorizationMethod, sessionId: String)
    /// A card at the charger's reader while a session runs: ends it when it is the owner's (or its group's).
    case stopWithCard(idTag: String, parentIdTag: String?)
    /// The transaction is stopped from outside with this reason: RemoteStopTransaction (`Remote`), a Reset
    /// (`SoftReset`, `HardReset`).
    case stop(reason: SessionStopReason)
    /// Load balancing's latest setpoint for the connector (nil: not decided yet).
    case balancing(BalancingSetpoint?)
    /// A write to the charger failed (`nil`: the last write succeeded).
    case writeResult(failure: String?)
    /// The central system refused the owner's idTag in its StartTransaction answer (StopTransactionOnInvalidId).
    case deauthorized(sessionId: String)
    /// ChangeAvailability (Operations/): an inoperative charger takes no new session; a running one goes on.
    case availability(operative: Bool)
    case tick
}

/// What the charger machine asks the controller to do, in order; a `persist` comes before the effects it covers.
public enum ChargerCommand: Sendable, Equatable {
    case persist(SessionRecord)
    /// Write the current setpoint (A), then read it back.
    case setCurrent(amps: Double)
    /// Switch charging on or off at the charge controller (read back).
    case enable(Bool)
    case startTransaction(sessionId: String, idTag: String, meterStartWh: Int, at: Date)
    case meterValues(sessionId: String, reading: CompartmentMeterReading)
    case stopTransaction(sessionId: String, meterStopWh: Int, reason: SessionStopReason, idTag: String?, at: Date)
    /// The charger's demand for load balancing (nil: it does not want current now).
    case demand(ChargerDemand?)
    case fault(ChargerFault)
    case feedback(DriverFeedback)
    case log(String)
}
