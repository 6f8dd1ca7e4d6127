import OCPP
import Yams

/// A site file as written, before the board is known: lines are unresolved names, RTU
/// ports may be board port names, and missing required values hold placeholders (the
/// problem is already in the log, and validation skips values that already have one).
struct SiteDocument {
    var station = StationConfiguration(identity: "", vendor: "", model: "")
    var centralSystem: CentralSystemConfiguration?
    var boardReference: String?
    var buses: [SiteBusConfiguration] = []
    var compartments: [CompartmentConfiguration] = []
    var chargers: [ChargerConfiguration] = []
    var siteMeters = SiteMetersConfiguration()
    var balancing = BalancingDefaults.configuration
    var sms: SMSConfiguration?
    var rfidReaders: [RFIDReaderConfiguration] = []
    var keypads: [KeypadConfiguration] = []
    var compartmentHardware = CompartmentHardwareSettings()
    var ocppDefaults: [String: String] = [:]
    var sessions = SessionConfiguration()
    var tariffs: [Tariff] = []
    var emergencyInputLine: GPIOLineReference?
    var api = LocalAPIConfiguration(host: LocalAPIConfiguration.defaultHost, port: LocalAPIConfiguration.defaultPort)
    var storageFolder: String?
    var logging = LoggingConfiguration(level: "info")
    var profilesFolder: String?
    var operations = OperationsConfiguration()
}

enum BalancingDefaults {
    static let configuration = BalancingConfiguration(
        mode: .static, gridLimitAmpsPerPhase: 16, safeLimitAmpsPerPhase: 6, strategy: .equalShare,
        controlIntervalSeconds: 5, meterStaleAfterSeconds: 15)
}

/// Reads a site document from YAML. Every problem goes to the log; nothing throws.
struct SiteDocumentDecoder {
    let log: ConfigurationProblemLog
    /// Folder relative paths are resolved against (the site file's folder); nil keeps them as written.
    let baseFolder: String?

    static let topLevelKeys = [
        "station", "centralSystem", "board", "buses", "compartments", "chargers", "siteMeters",
        "balancing", "sms", "rfidReaders", "keypads", "compartmentHardware", "ocppDefaults", "sessions", "tariffs", "emergencyInputLine", "api", "storage", "logging", "profilesFolder",
        "operations",
    ]

    func decode(_ root: Node?) -> SiteDocument {
        var document = SiteDocument()
        guard let root, let top = ConfigurationYAMLMapping(root, path: "", log: log, known: Self.topLevelKeys) else {
            if root == nil { log.report("file", "the site file is empty; start from boards/<board>/site.yaml") }
            return document
        }
        if let station = top.mapping("station", known: ["identity", "vendor", "model", "serialNumber", "firmwareVersion"]) {
            document.station = StationConfiguration(
                identity: station.requiredString("identity", hint: "LOCKER-0001  # the OCPP charge point id") ?? "",
                vendor: station.string("vendor") ?? "EdgeAgent",
                model: station.string("model") ?? "Charging Locker",
                serialNumber: station.string("serialNumber") ?? "",
                firmwareVersion: station.string("firmwareVersion") ?? "")
        } else if !top.has("station") {
            top.reportMissing("station", hint: "{identity: LOCKER-0001}")
        }
        document.centralSystem = top.mapping("centralSystem", known: [
            "url", "securityProfile", "passwordFile", "caBundle", "clientCertificate", "clientKey", "vendorId",
        ]).map(decodeCentralSystem)
        document.boardReference = top.requiredString("board", hint: "simulator  # or raspberry-pi-rs485, a path to a board.yaml")
        document.profilesFolder = top.string("profilesFolder").map(resolve)
        document.buses = (top.sequence("buses") ?? []).compactMap { Self.decodeBus($0.node, path: $0.path, log: log) }
        document.compartments = (top.sequence("compartments") ?? []).compactMap { decodeCompartment($0.node, path: $0.path) }
        document.chargers = (top.sequence("chargers") ?? []).compactMap { decodeCharger($0.node, path: $0.path) }
        if let meters = top.mapping("siteMeters", known: ["grid", "pv"]) {
            document.siteMeters = SiteMetersConfiguration(
                grid: meters.node("grid").flatMap { decodeDevice($0, path: meters.childPath("grid")) },
                pv: meters.node("pv").flatMap { decodeDevice($0, path: meters.childPath("pv")) })
        }
        if let balancing = top.mapping("balancing", known: [
            "mode", "gridLimitAmpsPerPhase", "safeLimitAmpsPerPhase", "strategy", "controlIntervalSeconds", "meterStaleAfterSeconds",
            "circuits", "whenShort", "rotationPeriodSeconds", "schedules",
        ]) {
            let defaults = BalancingDefaults.configuration
            document.balancing = BalancingConfiguration(
                mode: balancing.choice("mode", BalancingConfiguration.Mode.self) ?? defaults.mode,
                gridLimitAmpsPerPhase: balancing.requiredDouble("gridLimitAmpsPerPhase", hint: "32") ?? defaults.gridLimitAmpsPerPhase,
                safeLimitAmpsPerPhase: balancing.double("safeLimitAmpsPerPhase") ?? defaults.safeLimitAmpsPerPhase,
                strategy: balancing.choice("strategy", BalancingConfiguration.Strategy.self) ?? defaults.strategy,
                controlIntervalSeconds: balancing.int("controlIntervalSeconds") ?? defaults.controlIntervalSeconds,
                meterStaleAfterSeconds: balancing.int("meterStaleAfterSeconds") ?? defaults.meterStaleAfterSeconds)
            document.balancing.circuits = decodeBalancingCircuits(balancing)
            document.balancing.schedules = decodeBalancingSchedules(balancing)
            document.balancing.whenShort = balancing.choice("whenShort", BalancingConfiguration.WhenShort.self) ?? .firstIn
            document.balancing.rotationPeriodSeconds = balancing.int("rotationPeriodSeconds") ?? 900
        }
        if let sms = top.mapping("sms", known: Self.smsKeys) { document.sms = decodeSMS(sms) }
        document.rfidReaders = (top.sequence("rfidReaders") ?? []).compactMap { decodeRFIDReader($0.node, path: $0.path) }
        document.emergencyInputLine = line(top, "emergencyInputLine", required: false)
        document.keypads = (top.sequence("keypads") ?? []).compactMap { decodeKeypad($0.node, path: $0.path) }
        let ocppKeys = StandardConfigurationKey.allCases.map(\.rawValue)
        if let defaults = top.mapping("ocppDefaults", known: ocppKeys) {
            for key in ocppKeys { if let value = defaults.string(key) { document.ocppDefaults[key] = value } }
        }
        if let hardware = top.mapping("compartmentHardware", known: [
            "lock", "holdLockedWhenEnergized", "unlockConfirmSeconds", "unlockRetries", "relockIfUnopenedSeconds",
            "doorLeftOpenSeconds", "debounceMilliseconds",
        ]) {
            var settings = CompartmentHardwareSettings()
            if hardware.has("lock"), let kind = hardware.choice("lock", CompartmentHardwareSettings.LockKind.self) { settings.lock = kind }
            settings.holdLockedWhenEnergized = hardware.bool("holdLockedWhenEnergized") ?? settings.holdLockedWhenEnergized
            settings.unlockConfirmSeconds = hardware.double("unlockConfirmSeconds") ?? settings.unlockConfirmSeconds
            settings.unlockRetries = hardware.int("unlockRetries") ?? settings.unlockRetries
            settings.relockIfUnopenedSeconds = hardware.double("relockIfUnopenedSeconds") ?? settings.relockIfUnopenedSeconds
            settings.doorLeftOpenSeconds = hardware.double("doorLeftOpenSeconds") ?? settings.doorLeftOpenSeconds
            settings.debounceMilliseconds = hardware.int("debounceMilliseconds") ?? settings.debounceMilliseconds
            document.compartmentHardware = settings
        }
        if let sessions = top.mapping("sessions", known: [
            "restartTransactions", "connectionTimeOutSeconds", "meterValueSampleIntervalSeconds", "lockConfirmSeconds",
            "chargeCompleteBelowWatts", "chargeCompleteAfterSeconds", "switchOffWhenComplete", "maxOccupancySeconds",
            "maxEnergyWh", "keepFreeCompartmentsUnlocked", "clockAlignedDataIntervalSeconds", "maxCost",
            "remoteStopUnlocks", "reserveConnectorZeroSupported",
        ]) {
            var settings = SessionConfiguration()
            if sessions.has("restartTransactions"), let policy = sessions.choice("restartTransactions", RestartTransactionPolicy.self) {
                settings.restartTransactions = policy
            }
            settings.connectionTimeOutSeconds = sessions.double("connectionTimeOutSeconds") ?? settings.connectionTimeOutSeconds
            settings.meterValueSampleIntervalSeconds =
                sessions.double("meterValueSampleIntervalSeconds") ?? settings.meterValueSampleIntervalSeconds
            settings.lockConfirmSeconds = sessions.double("lockConfirmSeconds") ?? settings.lockConfirmSeconds
            settings.clockAlignedDataIntervalSeconds =
                sessions.double("clockAlignedDataIntervalSeconds") ?? settings.clockAlignedDataIntervalSeconds
            settings.chargeCompleteBelowWatts = sessions.double("chargeCompleteBelowWatts")
            settings.chargeCompleteAfterSeconds = sessions.double("chargeCompleteAfterSeconds") ?? settings.chargeCompleteAfterSeconds
            settings.switchOffWhenComplete = sessions.bool("switchOffWhenComplete") ?? settings.switchOffWhenComplete
            settings.maxOccupancySeconds = sessions.double("maxOccupancySeconds")
            settings.maxEnergyWh = sessions.double("maxEnergyWh")
            settings.maxCost = decimal(sessions, "maxCost")
            settings.keepFreeCompartmentsUnlocked =
                sessions.bool("keepFreeCompartmentsUnlocked") ?? settings.keepFreeCompartmentsUnlocked
            if sessions.has("remoteStopUnlocks"), let policy = sessions.choice("remoteStopUnlocks", RemoteStopUnlockPolicy.self) {
                settings.remoteStopUnlocks = policy
            }
            settings.reserveConnectorZeroSupported =
                sessions.bool("reserveConnectorZeroSupported") ?? settings.reserveConnectorZeroSupported
            document.sessions = settings
        }
        document.tariffs = decodeTariffs(top)
        if let api = top.mapping("api", known: ["listen", "token", "tokenFile", "readOnlyToken", "readOnlyTokenFile", "tls",
                                                "behindReverseProxy"]) {
            document.api.behindReverseProxy = api.bool("behindReverseProxy") ?? false
            if let tls = api.mapping("tls", known: ["certificate", "privateKey"]) {
                document.api.tls = LocalAPITLSConfiguration(
                    certificate: tls.string("certificate").map(resolve) ?? "", privateKey: tls.string("privateKey").map(resolve) ?? "")
            }
            if let listen = api.string("listen") {
                if let (host, port) = APIListenAddress.parse(listen) {
                    document.api.host = host
                    document.api.port = port
                } else {
                    log.report(api.childPath("listen"), APIListenAddress.problem(listen))
                }
            }
            document.api.token = api.string("token")
            document.api.tokenFile = api.string("tokenFile").map(resolve)
            document.api.readOnlyToken = api.string("readOnlyToken")
            document.api.readOnlyTokenFile = api.string("readOnlyTokenFile").map(resolve)
        }
        if let storage = top.mapping("storage", known: ["folder"]) {
            document.storageFolder = storage.string("folder").map(resolve)
        }
        if let operations = top.mapping("operations", known: [
            "hardResetCommand", "firmwareInstallCommand", "diagnosticsUploadMethod", "journalUnit",
        ]) {
            var settings = OperationsConfiguration()
            settings.hardResetCommand = operations.string("hardResetCommand") ?? settings.hardResetCommand
            settings.firmwareInstallCommand = operations.string("firmwareInstallCommand")
            if operations.has("diagnosticsUploadMethod"),
               let method = operations.choice("diagnosticsUploadMethod", OperationsConfiguration.UploadMethod.self) {
                settings.diagnosticsUploadMethod = method
            }
            settings.journalUnit = operations.string("journalUnit") ?? settings.journalUnit
            document.operations = settings
        }
        if let logging = top.mapping("logging", known: ["level"]) {
            document.logging.level = logging.string("level") ?? "info"
        }
        return document
    }

    /// Relative paths in a site file mean "next to the site file".
    func resolve(_ path: String) -> String {
        guard let baseFolder, !path.hasPrefix("/") else { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return baseFolder.hasSuffix("/") ? baseFolder + relative : baseFolder + "/" + relative
    }

    private func decodeCentralSystem(_ central: ConfigurationYAMLMapping) -> CentralSystemConfiguration {
        CentralSystemConfiguration(
            url: central.requiredString("url", hint: "wss://csms.example.com/ocpp") ?? "",
            securityProfile: central.int("securityProfile") ?? 0,
            passwordFile: central.string("passwordFile").map(resolve),
            caBundle: central.string("caBundle").map(resolve),
            clientCertificate: central.string("clientCertificate").map(resolve),
            clientKey: central.string("clientKey").map(resolve),
            vendorId: central.string("vendorId"))
    }

    func decodeDevice(_ node: Node, path: String) -> ModbusDeviceReference? {
        guard let device = ConfigurationYAMLMapping(node, path: path, log: log, known: ["bus", "unit", "profile"]) else { return nil }
        return ModbusDeviceReference(
            bus: device.requiredString("bus", hint: "<name of a bus under buses:>") ?? "",
            unit: device.requiredInt("unit", hint: "1  # Modbus unit id 1-247") ?? 1,
            profile: device.requiredString("profile", hint: "eastron-sdm630") ?? "")
    }

    private func line(_ mapping: ConfigurationYAMLMapping, _ key: String, required: Bool) -> GPIOLineReference? {
        let written = required ? mapping.requiredString(key, hint: "K1  # a board line name, or gpiochip0:17") : mapping.string(key)
        return written.map { GPIOLineReference(written: $0, activeLow: false) }
    }

    private static let placeholderLine = GPIOLineReference(written: "", activeLow: false)

    private func decodeCompartment(_ node: Node, path: String) -> CompartmentConfiguration? {
        guard let item = ConfigurationYAMLMapping(node, path: path, log: log, known: [
            "name", "connectorId", "lockLine", "doorSensorLine", "relayLine", "lockFeedbackLine", "indicatorLine",
            "meter", "maxPowerWatts", "lockPulseMilliseconds", "chargeWithDoorOpen", "tariff", "phase",
        ]) else { return nil }
        var compartment = CompartmentConfiguration(
            name: item.requiredString("name", hint: "A1  # the name drivers use") ?? "",
            connectorId: item.requiredInt("connectorId", hint: "1  # OCPP connector id, 1 or more") ?? 0,
            lockLine: line(item, "lockLine", required: true) ?? Self.placeholderLine,
            doorSensorLine: line(item, "doorSensorLine", required: true) ?? Self.placeholderLine,
            relayLine: line(item, "relayLine", required: true) ?? Self.placeholderLine,
            lockFeedbackLine: line(item, "lockFeedbackLine", required: false),
            indicatorLine: line(item, "indicatorLine", required: false),
            meter: item.node("meter").flatMap { decodeDevice($0, path: item.childPath("meter")) },
            maxPowerWatts: item.requiredDouble("maxPowerWatts", hint: "500") ?? 1,
            lockPulseMilliseconds: item.int("lockPulseMilliseconds") ?? 500,
            chargeWithDoorOpen: item.bool("chargeWithDoorOpen") ?? false, tariff: item.string("tariff"))
        compartment.phase = item.choice("phase", CompartmentPhase.self)
        return compartment
    }

    private func decodeCharger(_ node: Node, path: String) -> ChargerConfiguration? {
        guard let item = ConfigurationYAMLMapping(node, path: path, log: log, known: [
            "connectorId", "name", "control", "minCurrentAmps", "maxCurrentAmps", "phases", "tariff", "reader",
        ]) else { return nil }
        let connectorId = item.requiredInt("connectorId", hint: "13  # OCPP connector id, 1 or more") ?? 0
        let control: ModbusDeviceReference?
        if let controlNode = item.node("control") {
            control = decodeDevice(controlNode, path: item.childPath("control"))
        } else {
            item.reportMissing("control", hint: "{bus: chargers, unit: 1, profile: phoenix-ev-charge-control}")
            control = nil
        }
        return ChargerConfiguration(
            connectorId: connectorId,
            name: item.string("name") ?? "charger-\(connectorId)",
            control: control ?? ModbusDeviceReference(bus: "", unit: 1, profile: ""),
            minCurrentAmps: item.double("minCurrentAmps") ?? 6,
            maxCurrentAmps: item.requiredDouble("maxCurrentAmps", hint: "16") ?? 16,
            phases: item.int("phases") ?? 3, tariff: item.string("tariff"), reader: item.string("reader"))
    }

    private func decodeRFIDReader(_ node: Node, path: String) -> RFIDReaderConfiguration? {
        guard let item = ConfigurationYAMLMapping(node, path: path, log: log, known: [
            "name", "kind", "device", "baud", "data0Line", "data1Line", "compartment", "format",
        ]) else { return nil }
        guard item.has("kind") else {
            item.reportMissing("kind", hint: "serial  # or wiegand, input-device")
            return nil
        }
        guard let kind = item.choice("kind", RFIDReaderConfiguration.Kind.self) else { return nil }
        let index = path.split(separator: "[").last.map { String($0.dropLast()) } ?? "0"
        return RFIDReaderConfiguration(
            name: item.string("name") ?? "rfid-\(index)", kind: kind, device: item.string("device"),
            baud: item.int("baud"), data0Line: line(item, "data0Line", required: false),
            data1Line: line(item, "data1Line", required: false), compartment: item.string("compartment"),
            format: item.has("format") ? item.choice("format", RFIDReaderConfiguration.UIDFormat.self) : nil)
    }

    private func decodeKeypad(_ node: Node, path: String) -> KeypadConfiguration? {
        guard let item = ConfigurationYAMLMapping(node, path: path, log: log, known: [
            "name", "kind", "device", "baud", "compartment", "endKey", "entryTimeoutSeconds",
        ]) else { return nil }
        guard item.has("kind") else {
            item.reportMissing("kind", hint: "input-device  # or serial")
            return nil
        }
        guard let kind = item.choice("kind", KeypadConfiguration.Kind.self) else { return nil }
        let index = path.split(separator: "[").last.map { String($0.dropLast()) } ?? "0"
        return KeypadConfiguration(
            name: item.string("name") ?? "keypad-\(index)", kind: kind,
            device: item.requiredString("device", hint: "/dev/input/by-id/usb-keypad-event-kbd") ?? "",
            baud: item.int("baud"), compartment: item.string("compartment"),
            endKey: item.string("endKey") ?? "#", entryTimeoutSeconds: item.double("entryTimeoutSeconds") ?? 10)
    }
}

extension SiteDocumentDecoder {
    /// Reads a bus entry; shared by site files and board descriptors.
    static func decodeBus(_ node: Node, path: String, log: ConfigurationProblemLog) -> SiteBusConfiguration? {
        guard let item = ConfigurationYAMLMapping(node, path: path, log: log, known: ["name", "rtu", "tcp", "responseTimeoutMilliseconds"]) else {
            return nil
        }
        let name = item.requiredString("name", hint: "meters") ?? ""
        let timeout = item.int("responseTimeoutMilliseconds") ?? 500
        switch (item.node("rtu"), item.node("tcp")) {
        case (.some, .some):
            log.report(path, "a bus is either rtu or tcp, not both; remove one")
            return brokenBus(named: name, timeout: timeout)
        case (nil, nil):
            log.report(path, "a bus needs `rtu: {port: RS485, baud: 9600}` or `tcp: {host: 192.168.1.50, port: 502}`")
            return brokenBus(named: name, timeout: timeout)
        case (.some, nil):
            guard let rtu = item.mapping("rtu", known: ["port", "device", "baud", "parity", "dataBits", "stopBits"]) else {
                return brokenBus(named: name, timeout: timeout)
            }
            let device = rtu.string("device")
            let port = rtu.string("port")
            if device == nil && port == nil {
                log.report(rtu.path, "missing serial device; add `port: <board serial port name>` or `device: /dev/ttyUSB0`")
            } else if device != nil && port != nil {
                log.report(rtu.path, "give either `port` (a board serial port) or `device` (a path), not both")
            }
            let settings = SiteBusConfiguration.RTU(
                device: device ?? "", boardPort: port, baud: rtu.int("baud") ?? 9600,
                parity: rtu.choice("parity", SiteBusConfiguration.Parity.self) ?? .none,
                dataBits: rtu.int("dataBits") ?? 8, stopBits: rtu.int("stopBits") ?? 1)
            return SiteBusConfiguration(name: name, transport: .rtu(settings), responseTimeoutMilliseconds: timeout)
        case (nil, .some):
            guard let tcp = item.mapping("tcp", known: ["host", "port"]) else { return brokenBus(named: name, timeout: timeout) }
            let settings = SiteBusConfiguration.TCP(host: tcp.requiredString("host", hint: "192.168.1.50") ?? "", port: tcp.int("port") ?? 502)
            return SiteBusConfiguration(name: name, transport: .tcp(settings), responseTimeoutMilliseconds: timeout)
        }
    }
}

/// Keeps a bus whose transport is wrong (already reported) so devices naming it do not
/// also get "bus does not exist"; validation skips everything under a reported bus.
private func brokenBus(named name: String, timeout: Int) -> SiteBusConfiguration {
    SiteBusConfiguration(name: name, transport: .tcp(.init(host: "", port: 0)), responseTimeoutMilliseconds: timeout)
}

/// `host:port` as used by `api.listen` and `--api-listen`.
enum APIListenAddress {
    static func parse(_ text: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText) else { return nil }
        return (String(host), port)
    }

    static func problem(_ text: String) -> String {
        "'\(text)' is not a listen address; write host:port, e.g. 127.0.0.1:8080 or [::1]:8080"
    }
}
