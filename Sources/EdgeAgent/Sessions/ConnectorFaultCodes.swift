import OCPP

/// The StatusNotification errorCode and vendorErrorCode for a compartment fault as the status shows it
/// (hardware faults from LockerIO and the session's own), so the central system sees what went wrong.
public enum ConnectorFaultCodes {
    public static func codes(for fault: String) -> (errorCode: ChargePointErrorCode, vendorErrorCode: String) {
        switch fault {
        case "jammedLock": (.connectorLockFailure, "LOCK_JAMMED")
        case SessionFault.lockFailed.rawValue: (.connectorLockFailure, SessionFault.lockFailed.vendorErrorCode)
        case "forcedOpen": (.otherError, SessionFault.forcedOpen.vendorErrorCode)
        case "relayRefused": (.powerSwitchFailure, "RELAY_REFUSED")
        case "doorLeftOpen": (.otherError, "DOOR_LEFT_OPEN")
        case SessionFault.implausibleMeter.rawValue: (.powerMeterFailure, SessionFault.implausibleMeter.vendorErrorCode)
        case SessionFault.powerWhileOff.rawValue: (.powerSwitchFailure, SessionFault.powerWhileOff.vendorErrorCode)
        case SessionFault.meterStale.rawValue: (.otherError, SessionFault.meterStale.vendorErrorCode)
        default:
            if let charger = ChargerFault(rawValue: fault) { (charger.errorCode, charger.vendorErrorCode) } else { (.otherError, String(fault.prefix(50))) }
        }
    }

    /// Faults reported with their codes while the connector keeps its status (Charging): warnings.
    public static func isWarning(_ fault: String) -> Bool {
        fault == SessionFault.meterStale.rawValue
    }
}
