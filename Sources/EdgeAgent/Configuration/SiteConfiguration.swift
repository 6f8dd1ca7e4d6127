/// A validated site: what this board controls and how it talks to the world.
/// Built only by `SiteConfigurationLoader`, so every value in it has passed validation:
/// names are unique, lines are resolved against the board, buses and profiles exist.
public struct SiteConfiguration: Sendable, Equatable, Codable {
    public var station: StationConfiguration
    /// nil: no central system configured; the site runs standalone.
    public var centralSystem: CentralSystemConfiguration?
    public var board: BoardDescriptor
    /// The board's buses plus the site's own (a site bus replaces a board bus of the same name).
    public var buses: [SiteBusConfiguration]
    public var compartments: [CompartmentConfiguration]
    public var chargers: [ChargerConfiguration]
    public var siteMeters: SiteMetersConfiguration
    public var balancing: BalancingConfiguration
    /// nil: SMS authorization is off.
    public var sms: SMSConfiguration?
    public var rfidReaders: [RFIDReaderConfiguration]
    /// Keypads for receipt PINs and compartment numbers.
    public var keypads: [KeypadConfiguration] = []
    /// How every compartment's lock, door sensor and relay behave (`compartmentHardware`).
    public var compartmentHardware = CompartmentHardwareSettings()
    /// Starting values of OCPP configuration keys (`ocppDefaults`), e.g. the offline authorization policy; a
    /// value the central system sets later is stored and wins.
    public var ocppDefaults: [String: String] = [:]
    /// How sessions run: restart policy, timeouts, limits (`sessions`, Sessions/SessionConfiguration.swift).
    public var sessions = SessionConfiguration()
    /// Named tariffs (`tariffs`, Tariffs/Tariff.swift); a compartment or charger names its own.
    public var tariffs: [Tariff] = []
    /// The building's emergency input (a fire-alarm contact, `active` = alarm); nil: none.
    public var emergencyInputLine: GPIOLineReference?
    public var api: LocalAPIConfiguration
    public var storage: StorageConfiguration
    public var logging: LoggingConfiguration
    /// The integrator's folder of extra device profiles (`profilesFolder`), absolute; nil: shipped profiles only.
    public var profilesFolder: String? = nil
    /// Reset, firmware and diagnostics (`operations`, Operations/OperationsConfiguration.swift).
    public var operations = OperationsConfiguration()

    /// True when the board is the simulator: GPIO and Modbus are simulated in-process.
    public var isSimulated: Bool { board.isSimulated }

    public func bus(named name: String) -> SiteBusConfiguration? {
        buses.first { $0.name == name }
    }

    /// Finds a compartment the way drivers type it: case- and space-insensitive.
    public func compartment(named name: String) -> CompartmentConfiguration? {
        let wanted = Self.normalizedName(name)
        return compartments.first { Self.normalizedName($0.name) == wanted }
    }

    /// Every device profile the site refers to (meters, inverters, charger controllers).
    public var referencedProfiles: Set<String> {
        var profiles = Set<String>()
        for compartment in compartments { if let meter = compartment.meter { profiles.insert(meter.profile) } }
        for charger in chargers { profiles.insert(charger.control.profile) }
        if let grid = siteMeters.grid { profiles.insert(grid.profile) }
        if let pv = siteMeters.pv { profiles.insert(pv.profile) }
        return profiles
    }

    /// Compartment names are compared the way a driver types them in an SMS:
    /// "a 1", "A1" and "a1" are the same compartment.
    public static func normalizedName(_ name: String) -> String {
        String(name.lowercased().filter { !$0.isWhitespace })
    }
}

public struct StationConfiguration: Sendable, Equatable, Codable {
    /// OCPP charge point identity; the last path segment of the central system URL.
    public var identity: String
    public var vendor: String
    public var model: String
    /// Empty when the site file gives none: not reported in BootNotification.
    public var serialNumber: String
    /// Empty when the site file gives none: not reported in BootNotification.
    public var firmwareVersion: String

    public init(identity: String, vendor: String, model: String, serialNumber: String = "", firmwareVersion: String = "") {
        self.identity = identity
        self.vendor = vendor
        self.model = model
        self.serialNumber = serialNumber
        self.firmwareVersion = firmwareVersion
    }
}

public struct CentralSystemConfiguration: Sendable, Equatable, Codable {
    /// `ws://` or `wss://` URL of the central system, without the station identity.
    public var url: String
    /// OCPP security profile: 0 none, 1 basic auth, 2 TLS + basic auth, 3 TLS + client certificate.
    public var securityProfile: Int
    /// Absolute paths (relative paths in the file are resolved against the site file's folder).
    public var passwordFile: String?
    public var caBundle: String?
    public var clientCertificate: String?
    public var clientKey: String?
    /// The vendor id DataTransfer.req must name to reach this charge point (`vendorId`); nil: the station's vendor.
    public var vendorId: String? = nil

    public init(url: String, securityProfile: Int = 0, passwordFile: String? = nil, caBundle: String? = nil,
                clientCertificate: String? = nil, clientKey: String? = nil, vendorId: String? = nil) {
        self.vendorId = vendorId
        self.url = url
        self.securityProfile = securityProfile
        self.passwordFile = passwordFile
        self.caBundle = caBundle
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
    }
}

/// A Modbus bus as the site names it (MeterBus has its own `BusConfiguration` for the link itself).
public struct SiteBusConfiguration: Sendable, Equatable, Codable {
    public enum Parity: String, Sendable, Equatable, Codable, CaseIterable { case none, even, odd }

    public struct RTU: Sendable, Equatable, Codable {
        /// Device path, e.g. `/dev/ttyUSB0` (a board serial port name is resolved to its device).
        public var device: String
        /// The board serial port name when the file used one.
        public var boardPort: String?
        public var baud: Int
        public var parity: Parity
        public var dataBits: Int
        public var stopBits: Int
    }

    public struct TCP: Sendable, Equatable, Codable {
        public var host: String
        public var port: Int
    }

    public enum Transport: Sendable, Equatable, Codable {
        case rtu(RTU)
        case tcp(TCP)
    }

    public var name: String
    public var transport: Transport
    public var responseTimeoutMilliseconds: Int
}

/// A Modbus device on a bus, read or driven through a device profile (register map).
public struct ModbusDeviceReference: Sendable, Equatable, Hashable, Codable {
    public var bus: String
    /// Modbus unit (slave) id, 1...247.
    public var unit: Int
    public var profile: String
}

/// A GPIO line as the site file wrote it and as the board resolved it.
public struct GPIOLineReference: Sendable, Equatable, Hashable, Codable {
    /// What the file said: a board line name (`K1`) or a raw `gpiochip0:17`.
    public var written: String
    /// The board's name for the line, when the file used one.
    public var boardLine: String?
    /// Chip name/path/number as libgpiod accepts it; nil when the line is found by name on any chip.
    public var chip: String?
    public var offset: Int?
    /// Kernel line name (libgpiod `gpiod_line_find`), when the board addresses the line by name.
    public var lineName: String?
    public var activeLow: Bool

    /// Identifies the physical line, for spotting a line used twice.
    var physicalKey: String {
        if let offset { return "\(chip ?? ""):\(offset)" }
        return "\(chip ?? "*"):name=\(lineName ?? written)"
    }

    /// `K1 (gpiochip0:17)` style, for messages and logs.
    public var displayName: String {
        let physical = offset.map { "\(chip ?? "?"):\($0)" } ?? "\(chip.map { "\($0):" } ?? "")\(lineName ?? "?")"
        return boardLine.map { "\($0) (\(physical))" } ?? physical
    }
}

public struct CompartmentConfiguration: Sendable, Equatable, Codable {
    /// The name drivers use in SMS and on the door label, e.g. `A1`.
    public var name: String
    /// OCPP connector id (>= 1), unique across compartments and chargers.
    public var connectorId: Int
    public var lockLine: GPIOLineReference
    public var doorSensorLine: GPIOLineReference
    public var relayLine: GPIOLineReference
    public var lockFeedbackLine: GPIOLineReference?
    public var indicatorLine: GPIOLineReference?
    public var meter: ModbusDeviceReference?
    public var maxPowerWatts: Double
    /// How long the lock actuator is energized to open the door.
    public var lockPulseMilliseconds: Int
    /// Invariant: the socket is on only with the door closed and locked, unless this is true.
    public var chargeWithDoorOpen: Bool
    /// The name of its tariff under `tariffs` (else a tariff listing it in its `compartments`).
    public var tariff: String? = nil
    /// The grid phase the socket is wired to (`phase: L1|L2|L3`), for load balancing; nil: L1.
    public var phase: CompartmentPhase? = nil
}

/// A grid phase as the site file names it.
public enum CompartmentPhase: String, Sendable, Equatable, Codable, CaseIterable {
    case l1 = "L1", l2 = "L2", l3 = "L3"
}

public struct ChargerConfiguration: Sendable, Equatable, Codable {
    public var connectorId: Int
    public var name: String
    /// The charge controller the agent sets the current limit on.
    public var control: ModbusDeviceReference
    public var minCurrentAmps: Double
    public var maxCurrentAmps: Double
    /// 1 or 3.
    public var phases: Int
    /// The name of its tariff under `tariffs`.
    public var tariff: String? = nil
    /// The RFID reader (one of `rfidReaders`) at this charger: cards there start and end its sessions.
    public var reader: String? = nil
}

public struct SiteMetersConfiguration: Sendable, Equatable, Codable {
    public var grid: ModbusDeviceReference?
    public var pv: ModbusDeviceReference?
}

public struct BalancingConfiguration: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Equatable, Codable, CaseIterable {
        /// Share a fixed limit; no meter needed.
        case `static`
        /// Share what the grid connection has left, measured by the grid meter.
        case dynamic
        /// Charge only from PV surplus.
        case solar
        /// PV surplus, but never below each session's minimum current.
        case solarPlusMinimum = "solar-plus-minimum"
    }

    public enum Strategy: String, Sendable, Equatable, Codable, CaseIterable {
        /// Everyone charging gets the same share.
        case equalShare = "equal-share"
        /// Earlier sessions are served in full first.
        case firstComeFirstServed = "first-come-first-served"
    }

    public var mode: Mode
    /// What the site connection may draw per phase.
    public var gridLimitAmpsPerPhase: Double
    /// What the site falls back to when a meter it depends on goes silent.
    public var safeLimitAmpsPerPhase: Double
    public var strategy: Strategy
    public var controlIntervalSeconds: Int
    /// A meter reading older than this is stale, and the safe limit applies.
    public var meterStaleAfterSeconds: Int
    /// Sub-circuits below the grid connection (`circuits`, Balancing/BalancingCircuitConfiguration.swift).
    public var circuits: [BalancingCircuitConfiguration] = []

    /// What happens when power is short (not every session can get its minimum).
    public enum WhenShort: String, Sendable, Equatable, Codable, CaseIterable {
        /// The earliest sessions keep charging; later ones wait.
        case firstIn = "first-in"
        /// The waiting sessions take turns every `rotationPeriodSeconds`; a new session joins the end.
        case rotate
    }

    public var whenShort: WhenShort = .firstIn
    /// Recurring limits by day and time of day (Balancing/BalancingScheduleConfiguration.swift).
    public var schedules: [BalancingScheduleConfiguration] = []
    /// With `rotate`: how long a session charges before a waiting one takes its turn.
    public var rotationPeriodSeconds: Int = 900
}

public struct SMSConfiguration: Sendable, Equatable, Codable {
    /// The number drivers text, as shown on the locker (e.g. `+4915112345678` or `72020`).
    public var shortCode: String?
    public var transports: [SMSTransportConfiguration]
    /// Everything else under `sms:` (SMS/SMSSettings.swift).
    public var settings = SMSSettings()
}

public struct SMSTransportConfiguration: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case modem
        case httpGateway = "http-gateway"
        case centralSystem = "central-system"
        /// The simulated modem, started inside the daemon on a pseudo-terminal (simulator board only).
        case simulatedModem = "simulated-modem"
    }

    public var kind: Kind
    /// modem: serial device path (a board serial port name is resolved).
    public var device: String?
    public var baud: Int?
    /// modem: file holding the SIM PIN.
    public var simPinFile: String?
    /// http-gateway: where outgoing SMS are posted.
    public var url: String?
    /// http-gateway: file holding the gateway's API token.
    public var tokenFile: String?
    /// Modem timing, webhook signature and sender (SMS/SMSSettings.swift).
    public var options = SMSTransportOptions()
}

public struct RFIDReaderConfiguration: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case serial
        case wiegand
        case inputDevice = "input-device"
    }

    public var name: String
    public var kind: Kind
    /// serial / input-device: device path.
    public var device: String?
    public var baud: Int?
    /// wiegand: the two data lines.
    public var data0Line: GPIOLineReference?
    public var data1Line: GPIOLineReference?
    /// The compartment this reader sits on; nil means it serves the whole locker.
    public var compartment: String?
    /// serial / input-device: how the reader prints the card number (`hex` or `decimal`).
    public var format: UIDFormat? = nil

    public enum UIDFormat: String, Sendable, Equatable, Codable, CaseIterable {
        case hex
        case decimal
    }
}

public struct LocalAPIConfiguration: Sendable, Equatable, Codable {
    public var host: String
    public var port: Int
    /// Bearer token inline (prefer `tokenFile`). With neither, the daemon generates one in
    /// `<storage folder>/api-token` on first start.
    public var token: String?
    /// Absolute path of a file holding the token.
    public var tokenFile: String?
    /// Read-only bearer token inline (prefer `readOnlyTokenFile`). With neither, the daemon generates one in
    /// `<storage folder>/api-token-readonly` on first start.
    public var readOnlyToken: String?
    /// Absolute path of a file holding the read-only token.
    public var readOnlyTokenFile: String?
    /// `api.tls`: serve HTTPS with this certificate (LocalAPI/APIListenPolicy.swift).
    public var tls: LocalAPITLSConfiguration? = nil
    /// `api.behindReverseProxy`: a non-loopback listen address is served as plain HTTP for a TLS-terminating proxy.
    public var behindReverseProxy = false

    public init(host: String = defaultHost, port: Int = defaultPort, token: String? = nil, tokenFile: String? = nil,
                readOnlyToken: String? = nil, readOnlyTokenFile: String? = nil) {
        self.host = host
        self.port = port
        self.token = token
        self.tokenFile = tokenFile
        self.readOnlyToken = readOnlyToken
        self.readOnlyTokenFile = readOnlyTokenFile
    }

    public var listen: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080
}

public struct StorageConfiguration: Sendable, Equatable, Codable {
    /// Folder for the SQLite database and other state.
    public var folder: String

    public static let simulatorDefault = "./.state"
    public static let boardDefault = "/var/lib/edge-agent"
}

public struct LoggingConfiguration: Sendable, Equatable, Codable {
    /// trace | debug | info | notice | warning | error | critical (swift-log levels).
    public var level: String

    public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
}

/// How the compartments' hardware behaves; one setting for the whole locker, since a locker has one kind of lock.
public struct CompartmentHardwareSettings: Sendable, Equatable, Codable {
    public enum LockKind: String, Sendable, Equatable, Codable, CaseIterable {
        /// A solenoid latch: a pulse of `lockPulseMilliseconds` releases it, closing the door re-latches it.
        case pulse
        /// A motor lock or a magnet, held in its locked or unlocked position by the output level.
        case hold
    }

    public var lock: LockKind = .pulse
    /// hold locks: true when the output energized means locked (a magnet); false for a motor lock.
    public var holdLockedWhenEnergized: Bool = true
    /// An unlock counts as done when the feedback or the door confirms it within this time.
    public var unlockConfirmSeconds: Double = 3
    /// Unlock attempts after the first before the lock is reported jammed.
    public var unlockRetries: Int = 2
    /// An unlocked door that nobody opened is locked again after this time.
    public var relockIfUnopenedSeconds: Double = 15
    /// A door open longer than this is reported.
    public var doorLeftOpenSeconds: Double = 120
    /// Door sensor, lock feedback and emergency inputs must hold a level this long to count.
    public var debounceMilliseconds: Int = 30

    public init() {}
}

/// A keypad for receipt PINs and compartment numbers.
public struct KeypadConfiguration: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// ASCII characters on a serial line.
        case serial
        /// A USB or matrix keypad on /dev/input/eventN.
        case inputDevice = "input-device"
    }

    public var name: String
    public var kind: Kind
    public var device: String
    public var baud: Int?
    /// The compartment this keypad sits on; nil means it serves the whole locker.
    public var compartment: String?
    /// The key that ends an entry (`#` or `enter`).
    public var endKey: String = "#"
    /// A partial entry is dropped after this many seconds without a key.
    public var entryTimeoutSeconds: Double = 10
}
