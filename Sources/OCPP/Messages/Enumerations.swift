// Every enumerated type of OCPP 1.6, with the exact wire spelling as raw value.

public typealias OCPPEnumeration = CaseIterable & Codable & Hashable & RawRepresentable & Sendable

public enum AuthorizationStatus: String, OCPPEnumeration {
    case accepted = "Accepted", blocked = "Blocked", expired = "Expired", invalid = "Invalid"
    case concurrentTx = "ConcurrentTx"
}

public enum AvailabilityType: String, OCPPEnumeration {
    case inoperative = "Inoperative", operative = "Operative"
}

public enum AvailabilityStatus: String, OCPPEnumeration {
    case accepted = "Accepted", rejected = "Rejected", scheduled = "Scheduled"
}

public enum CancelReservationStatus: String, OCPPEnumeration {
    case accepted = "Accepted", rejected = "Rejected"
}

public enum ChargePointErrorCode: String, OCPPEnumeration {
    case connectorLockFailure = "ConnectorLockFailure", evCommunicationError = "EVCommunicationError"
    case groundFailure = "GroundFailure", highTemperature = "HighTemperature", internalError = "InternalError"
    case localListConflict = "LocalListConflict", noError = "NoError", otherError = "OtherError"
    case overCurrentFailure = "OverCurrentFailure", powerMeterFailure = "PowerMeterFailure"
    case powerSwitchFailure = "PowerSwitchFailure", readerFailure = "ReaderFailure", resetFailure = "ResetFailure"
    case underVoltage = "UnderVoltage", overVoltage = "OverVoltage", weakSignal = "WeakSignal"
}

public enum ChargePointStatus: String, OCPPEnumeration {
    case available = "Available", preparing = "Preparing", charging = "Charging"
    case suspendedEVSE = "SuspendedEVSE", suspendedEV = "SuspendedEV", finishing = "Finishing"
    case reserved = "Reserved", unavailable = "Unavailable", faulted = "Faulted"
}

public enum ChargingProfileKindType: String, OCPPEnumeration {
    case absolute = "Absolute", recurring = "Recurring", relative = "Relative"
}

public enum ChargingProfilePurposeType: String, OCPPEnumeration {
    case chargePointMaxProfile = "ChargePointMaxProfile", txDefaultProfile = "TxDefaultProfile"
    case txProfile = "TxProfile"
}

public enum ChargingProfileStatus: String, OCPPEnumeration {
    case accepted = "Accepted", rejected = "Rejected", notSupported = "NotSupported"
}

public enum ChargingRateUnitType: String, OCPPEnumeration {
    case amperes = "A", watts = "W"
}

public enum ClearCacheStatus: String, OCPPEnumeration {
    case accepted = "Accepted", rejected = "Rejected"
}

public enum ClearChargingProfileStatus: String, OCPPEnumeration {
    case accepted = "Accepted", unknown = "Unknown"
}

public enum ConfigurationStatus: String, OCPPEnumeration {
    case accepted = "Accepted", rejected = "Rejected", rebootRequired = "RebootRequired"
    case notSupported = "NotSupported"
}

public enum DataTransferStatus: String, OCPPEnumeration {
    case accepted = "Accepted", rejected = "Rejected", unknownMessageId = "UnknownMessageId"
    case unknownVendorId = "UnknownVendorId"
}

public enum DiagnosticsStatus: String, OCPPEnumeration {
    case idle = "Idle", uploaded = "Uploaded", uploadFailed = "UploadFailed", uploading = "Uploading"
}

public enum FirmwareStatus: String, OCPPEnumeration {
    case downloaded = "Downloaded", downloadFailed = "DownloadFailed", downloading = "Downloading"
    case idle = "Idle", installationFailed = "InstallationFailed", installing = "Installing"
    case installed = "Installed"
}

public enum GetCompositeScheduleStatus: String, OCPPEnumeration {
    case accepted = "Accepted", rejected = "Rejected"
}

public enum Location: String, OCPPEnumeration {
    case cable = "Cable", ev = "EV", inlet = "Inlet", outlet = "Outlet", body = "Body"
}

public enum Measurand: String, OCPPEnumeration {
    case energyActiveExportRegister = "Energy.Active.Export.Register"
    case energyActiveImportRegister = "Energy.Active.Import.Register"
    case energyReactiveExportRegister = "Energy.Reactive.Export.Register"
    case energyReactiveImportRegister = "Energy.Reactive.Import.Register"
    case energyActiveExportInterval = "Energy.Active.Export.Interval"
    case energyActiveImportInterval = "Energy.Active.Import.Interval"
    case energyReactiveExportInterval = "Energy.Reactive.Export.Interval"
    case energyReactiveImportInterval = "Energy.Reactive.Import.Interval"
    case powerActiveExport = "Power.Active.Export", powerActiveImport = "Power.Active.Import"
    case powerOffered = "Power.Offered", powerReactiveExport = "Power.Reactive.Export"
    case powerReactiveImport = "Power.Reactive.Import", powerFactor = "Power.Factor"
    case currentImport = "Current.Import", currentExport = "Current.Export", currentOffered = "Current.Offered"
    case voltage = "Voltage", frequency = "Frequency", temperature = "Temperature", soc = "SoC", rpm = "RPM"
}

public enum MessageTrigger: String, OCPPEnumeration {
    case bootNotification = "BootNotification", diagnosticsStatusNotification = "DiagnosticsStatusNotification"
    case firmwareStatusNotification = "FirmwareStatusNotification", heartbeat = "Heartbeat"
    case meterValues = "MeterValues", statusNotification = "StatusNotification"
}

public enum Phase: String, OCPPEnumeration {
    case l1 = "L1", l2 = "L2", l3 = "L3", n = "N", l1N = "L1-N", l2N = "L2-N", l3N = "L3-N"
    case l1L2 = "L1-L2", l2L3 = "L2-L3", l3L1 = "L3-L1"
}

public enum ReadingContext: String, OCPPEnumeration {
    case interruptionBegin = "Interruption.Begin", interruptionEnd = "Interruption.End"
    case sampleClock = "Sample.Clock", samplePeriodic = "Sample.Periodic"
    case transactionBegin = "Transaction.Begin", transactionEnd = "Transaction.End"
    case trigger = "Trigger", other = "Other"
}

public enum Reason: String, OCPPEnumeration {
    case emergencyStop = "EmergencyStop", evDisconnected = "EVDisconnected", hardReset = "HardReset"
    case local = "Local", other = "Other", powerLoss = "PowerLoss", reboot = "Reboot", remote = "Remote"
    case softReset = "SoftReset", unlockCommand = "UnlockCommand", deAuthorized = "DeAuthorized"
}

public enum RecurrencyKindType: String, OCPPEnumeration {
    case daily = "Daily", weekly = "Weekly"
}

public enum RegistrationStatus: String, OCPPEnumeration {
    case accepted = "Accepted", pending = "Pending", rejected = "Rejected"
}

public enum RemoteStartStopStatus: String, OCPPEnumeration {
    case accepted = "Accepted", rejected = "Rejected"
}

public enum ReservationStatus: String, OCPPEnumeration {
    case accepted = "Accepted", faulted = "Faulted", occupied = "Occupied", rejected = "Rejected"
    case unavailable = "Unavailable"
}

public enum ResetStatus: String, OCPPEnumeration {
    case accepted = "Accepted", rejected = "Rejected"
}

public enum ResetType: String, OCPPEnumeration {
    case hard = "Hard", soft = "Soft"
}

public enum TriggerMessageStatus: String, OCPPEnumeration {
    case accepted = "Accepted", rejected = "Rejected", notImplemented = "NotImplemented"
}

public enum UnitOfMeasure: String, OCPPEnumeration {
    case wh = "Wh", kWh = "kWh", varh = "varh", kvarh = "kvarh", w = "W", kW = "kW", va = "VA", kVA = "kVA"
    case varUnit = "var", kvar = "kvar", a = "A", v = "V", k = "K"
    /// The schema's historical misspelling; accepted on input, never produced by this module.
    case celcius = "Celcius"
    case celsius = "Celsius", fahrenheit = "Fahrenheit", percent = "Percent"
    /// Allowed in MeterValues, but not in StopTransaction's transactionData (schema quirk).
    case hertz = "Hertz"
}

public enum UnlockStatus: String, OCPPEnumeration {
    case unlocked = "Unlocked", unlockFailed = "UnlockFailed", notSupported = "NotSupported"
}

public enum UpdateStatus: String, OCPPEnumeration {
    case accepted = "Accepted", failed = "Failed", notSupported = "NotSupported"
    case versionMismatch = "VersionMismatch"
}

public enum UpdateType: String, OCPPEnumeration {
    case differential = "Differential", full = "Full"
}

public enum ValueFormat: String, OCPPEnumeration {
    case raw = "Raw", signedData = "SignedData"
}
