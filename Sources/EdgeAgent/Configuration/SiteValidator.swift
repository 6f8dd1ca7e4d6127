import OCPP
/// Checks an assembled site for what a device cannot check for itself: ranges, names and
/// lines used twice, references to buses and profiles that do not exist. Problems go to
/// the log; a value that already has a problem gets no second one.
struct SiteValidator {
    let log: ConfigurationProblemLog
    let knownProfiles: Set<String>

    static let baudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400]

    private func report(_ path: String, _ message: String) {
        guard !log.hasProblem(atOrUnder: path) else { return }
        log.report(path, message)
    }

    private func checkRange<Value: Comparable>(_ value: Value, _ range: ClosedRange<Value>, _ path: String, _ what: String) {
        if !range.contains(value) { report(path, "\(what) \(value) is out of range \(range.lowerBound)-\(range.upperBound)") }
    }

    /// `busPaths[i]` is where `site.buses[i]` was written (`buses[2]`, `board.buses[0]`).
    func validate(_ site: SiteConfiguration, busPaths: [String]) {
        validateStation(site.station)
        if let central = site.centralSystem { validateCentralSystem(central) }
        validateBuses(site.buses, paths: busPaths)
        validateCompartments(site)
        validateChargers(site)
        validateDevices(site)
        validateBalancing(site)
        if let sms = site.sms { validateSMS(sms) }
        validateRFIDReaders(site)
        validateKeypads(site)
        validateCompartmentHardware(site.compartmentHardware)
        validateSessions(site.sessions)
        validateTariffs(site)
        validateOCPPDefaults(site)
        validateLines(site)
        validateAPI(site.api)
        validateOperations(site.operations)
        if site.storage.folder.isEmpty { report("storage.folder", "must not be empty; e.g. /var/lib/edge-agent") }
        if !LoggingConfiguration.levels.contains(site.logging.level) {
            report("logging.level", "'\(site.logging.level)' is not a log level; use one of: \(LoggingConfiguration.levels.joined(separator: ", "))")
        }
        if site.compartments.isEmpty && site.chargers.isEmpty {
            report("compartments", "the site has no compartments and no chargers; add at least one")
        }
    }

    private func validateStation(_ station: StationConfiguration) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        if station.identity.isEmpty || station.identity.count > 48 || !station.identity.allSatisfy(allowed.contains) {
            report("station.identity", "'\(station.identity)' is not a usable charge point id; use 1-48 letters, digits, '-', '_' or '.' (it becomes part of the central system URL)")
        }
    }

    private func validateOperations(_ operations: OperationsConfiguration) {
        if operations.hardResetCommand.allSatisfy(\.isWhitespace) {
            report("operations.hardResetCommand", "must not be empty; e.g. systemctl reboot (leave the key out for that default)")
        }
        if let command = operations.firmwareInstallCommand, command.allSatisfy(\.isWhitespace) {
            report("operations.firmwareInstallCommand", "must not be empty; name a program that installs the file given as its argument, or leave the key out")
        }
        if operations.journalUnit.isEmpty || operations.journalUnit.contains(where: \.isWhitespace) {
            report("operations.journalUnit", "'\(operations.journalUnit)' is not a systemd unit name; e.g. edge-agent")
        }
    }

    private func validateCentralSystem(_ central: CentralSystemConfiguration) {
        let url = central.url
        let secure = url.hasPrefix("wss://")
        if let vendorId = central.vendorId, vendorId.allSatisfy(\.isWhitespace) || vendorId.count > 255 {
            report("centralSystem.vendorId", "'\(vendorId)' is not a usable DataTransfer vendor id; use 1-255 characters, e.g. com.example.lockers (or leave it out to use station.vendor)")
        }
        if !(url.hasPrefix("ws://") || secure) || url.split(separator: "/").count < 2 {
            report("centralSystem.url", "'\(url)' is not a WebSocket URL; write ws://host:port/path or wss://host/path")
        }
        guard (0...3).contains(central.securityProfile) else {
            report("centralSystem.securityProfile", "security profile \(central.securityProfile) is out of range 0-3 (0 none, 1 basic auth, 2 TLS + basic auth, 3 TLS + client certificate)")
            return
        }
        if central.securityProfile >= 2 && !secure {
            report("centralSystem.url", "security profile \(central.securityProfile) needs TLS; use a wss:// URL")
        }
        if (1...2).contains(central.securityProfile) && central.passwordFile == nil {
            report("centralSystem.passwordFile", "security profile \(central.securityProfile) uses basic auth; add `passwordFile: <file holding the password>`")
        }
        if central.securityProfile == 3 {
            if central.clientCertificate == nil { report("centralSystem.clientCertificate", "security profile 3 needs a client certificate; add `clientCertificate: <PEM file>`") }
            if central.clientKey == nil { report("centralSystem.clientKey", "security profile 3 needs the client key; add `clientKey: <PEM file>`") }
        }
    }

    private func validateBuses(_ buses: [SiteBusConfiguration], paths: [String]) {
        var devices: [String: String] = [:]
        for (index, bus) in buses.enumerated() {
            let path = index < paths.count ? paths[index] : "buses[\(index)]"
            // A bus that could not be read holds placeholders; its reading problem says it all.
            if log.hasProblem(atOrUnder: path) { continue }
            if bus.name.isEmpty { report("\(path).name", "must not be empty") }
            checkRange(bus.responseTimeoutMilliseconds, 50...10_000, "\(path).responseTimeoutMilliseconds", "timeout")
            switch bus.transport {
            case let .rtu(rtu):
                if !Self.baudRates.contains(rtu.baud) {
                    report("\(path).rtu.baud", "baud \(rtu.baud) is not supported; use one of: \(Self.baudRates.map(String.init).joined(separator: ", "))")
                }
                if ![7, 8].contains(rtu.dataBits) { report("\(path).rtu.dataBits", "data bits \(rtu.dataBits) is out of range; use 7 or 8") }
                if ![1, 2].contains(rtu.stopBits) { report("\(path).rtu.stopBits", "stop bits \(rtu.stopBits) is out of range; use 1 or 2") }
                if !rtu.device.isEmpty {
                    if let other = devices[rtu.device] {
                        report("\(path).rtu", "serial device \(rtu.device) is already used by bus '\(other)'; one serial line is one bus, so put both devices on that bus")
                    } else {
                        devices[rtu.device] = bus.name
                    }
                }
            case let .tcp(tcp):
                if tcp.host.isEmpty { report("\(path).tcp.host", "must not be empty") }
                checkRange(tcp.port, 1...65_535, "\(path).tcp.port", "port")
            }
        }
    }

    private func validateCompartments(_ site: SiteConfiguration) {
        var names: [String: Int] = [:]
        for (index, compartment) in site.compartments.enumerated() {
            let path = "compartments[\(index)]"
            let normalized = SiteConfiguration.normalizedName(compartment.name)
            if normalized.isEmpty {
                report("\(path).name", "must not be empty; use the name on the door label, e.g. A1")
            } else if compartment.name.count > 16 {
                report("\(path).name", "'\(compartment.name)' is longer than 16 characters; drivers type it in an SMS")
            } else if let first = names[normalized] {
                report("\(path).name", "compartment name '\(compartment.name)' is already used by compartments[\(first)] ('\(site.compartments[first].name)'); names are compared ignoring case and spaces, so give each compartment its own name")
            } else {
                names[normalized] = index
            }
            checkRange(compartment.maxPowerWatts, 1...3_680, "\(path).maxPowerWatts", "maximum power (W, a 230 V socket of at most 16 A)")
            checkRange(compartment.lockPulseMilliseconds, 50...10_000, "\(path).lockPulseMilliseconds", "lock pulse (ms)")
        }
        checkConnectorIds(site)
    }

    private func checkConnectorIds(_ site: SiteConfiguration) {
        var owners: [Int: String] = [:]
        let all = site.compartments.enumerated().map { ("compartments[\($0.offset)]", $0.element.connectorId) }
            + site.chargers.enumerated().map { ("chargers[\($0.offset)]", $0.element.connectorId) }
        for (owner, connectorId) in all {
            let path = "\(owner).connectorId"
            if connectorId < 1 {
                report(path, "connector id \(connectorId) is out of range; connector ids start at 1 (0 means the whole station in OCPP)")
            } else if let first = owners[connectorId] {
                report(path, "connector id \(connectorId) is already used by \(first); every compartment and charger needs its own connector id")
            } else {
                owners[connectorId] = owner
            }
        }
    }

    private func validateChargers(_ site: SiteConfiguration) {
        for (index, charger) in site.chargers.enumerated() {
            let path = "chargers[\(index)]"
            checkRange(charger.minCurrentAmps, 0...80, "\(path).minCurrentAmps", "current (A)")
            checkRange(charger.maxCurrentAmps, 6...80, "\(path).maxCurrentAmps", "current (A)")
            if charger.minCurrentAmps > charger.maxCurrentAmps {
                report("\(path).minCurrentAmps", "minimum current \(charger.minCurrentAmps) A is above the maximum \(charger.maxCurrentAmps) A")
            }
            if ![1, 3].contains(charger.phases) { report("\(path).phases", "phases \(charger.phases) is out of range; use 1 or 3") }
            if let reader = charger.reader {
                if let known = site.rfidReaders.first(where: { $0.name == reader }) {
                    if let compartment = known.compartment {
                        report("\(path).reader", "reader '\(reader)' already sits on compartment '\(compartment)'; give the charger a reader of its own")
                    }
                    if let other = site.chargers.first(where: { $0.reader == reader && $0.connectorId != charger.connectorId }) {
                        report("\(path).reader", "reader '\(reader)' is also the reader of charger '\(other.name)'; every charger needs its own reader")
                    }
                } else {
                    let names = site.rfidReaders.map(\.name)
                    report("\(path).reader", "reader '\(reader)' is not one of rfidReaders (\(names.isEmpty ? "there are none" : names.joined(separator: ", "))); add it there or leave `reader` out")
                }
            }
        }
    }

    /// Every Modbus device: its bus exists, unit id 1-247, profile known, one device per bus address.
    private func validateDevices(_ site: SiteConfiguration) {
        var devices: [(String, ModbusDeviceReference)] = []
        for (index, compartment) in site.compartments.enumerated() {
            if let meter = compartment.meter { devices.append(("compartments[\(index)].meter", meter)) }
        }
        for (index, charger) in site.chargers.enumerated() { devices.append(("chargers[\(index)].control", charger.control)) }
        if let grid = site.siteMeters.grid { devices.append(("siteMeters.grid", grid)) }
        if let pv = site.siteMeters.pv { devices.append(("siteMeters.pv", pv)) }

        let busNames = site.buses.map(\.name)
        let profiles = knownProfiles.sorted()
        var addresses: [String: String] = [:]
        for (path, device) in devices {
            if !device.bus.isEmpty && !busNames.contains(device.bus) {
                let listing = busNames.isEmpty ? "no buses are defined; add one under `buses:`" : "known buses: \(busNames.joined(separator: ", "))"
                report("\(path).bus", "bus '\(device.bus)' does not exist; \(listing)")
            }
            checkRange(device.unit, 1...247, "\(path).unit", "Modbus unit id")
            if !device.profile.isEmpty && !knownProfiles.contains(device.profile) {
                let suggestion = ConfigurationKeySuggestion.closest(to: device.profile, among: profiles).map { "did you mean '\($0)'? " } ?? ""
                report("\(path).profile", "profile '\(device.profile)' does not exist; \(suggestion)known profiles: \(profiles.joined(separator: ", "))")
            }
            let address = "\(device.bus)#\(device.unit)"
            if let first = addresses[address] {
                report("\(path).unit", "unit \(device.unit) on bus '\(device.bus)' is already used by \(first); every device on a bus needs its own unit id")
            } else {
                addresses[address] = path
            }
        }
    }

    private func validateBalancing(_ site: SiteConfiguration) {
        let balancing = site.balancing
        checkRange(balancing.gridLimitAmpsPerPhase, 1...1_000, "balancing.gridLimitAmpsPerPhase", "grid limit (A)")
        if balancing.safeLimitAmpsPerPhase < 0 || balancing.safeLimitAmpsPerPhase > balancing.gridLimitAmpsPerPhase {
            report("balancing.safeLimitAmpsPerPhase", "safe limit \(balancing.safeLimitAmpsPerPhase) A must be between 0 and the grid limit (\(balancing.gridLimitAmpsPerPhase) A)")
        }
        checkRange(balancing.controlIntervalSeconds, 1...60, "balancing.controlIntervalSeconds", "control interval (s)")
        checkRange(balancing.meterStaleAfterSeconds, 2...600, "balancing.meterStaleAfterSeconds", "staleness timeout (s)")
        checkRange(balancing.rotationPeriodSeconds, 60...86_400, "balancing.rotationPeriodSeconds", "rotation period (s)")
        if balancing.meterStaleAfterSeconds < 2 * balancing.controlIntervalSeconds {
            report("balancing.meterStaleAfterSeconds", "must be at least twice controlIntervalSeconds (\(2 * balancing.controlIntervalSeconds) s), or every reading looks stale")
        }
        switch balancing.mode {
        case .static:
            break
        case .dynamic:
            if site.siteMeters.grid == nil { report("balancing.mode", "dynamic balancing measures the grid connection; add `siteMeters.grid` or use mode static") }
        case .solar, .solarPlusMinimum:
            if site.siteMeters.pv == nil { report("balancing.mode", "\(balancing.mode.rawValue) balancing needs the PV production; add `siteMeters.pv`") }
            if site.siteMeters.grid == nil { report("balancing.mode", "\(balancing.mode.rawValue) balancing needs the grid meter to see the surplus; add `siteMeters.grid`") }
        }
        for (path, message) in BalancingCircuitValidation.problems(site) { report(path, message) }
        for (path, message) in BalancingScheduleValidation.problems(site) { report(path, message) }
        if !log.hasProblem(atOrUnder: "compartments"), !log.hasProblem(atOrUnder: "chargers"),
           !log.hasProblem(atOrUnder: "balancing"), let problem = BalancingSiteMapping.problem(with: site) {
            report("balancing", problem)
        }
    }

    private func validateSMS(_ sms: SMSConfiguration) {
        if let code = sms.shortCode {
            let digits = code.hasPrefix("+") ? code.dropFirst() : Substring(code)
            if digits.count < 3 || digits.count > 15 || !digits.allSatisfy(\.isNumber) {
                report("sms.shortCode", "'\(code)' is not a phone number or short code; use 3-15 digits, optionally starting with +")
            }
        }
        for (index, transport) in sms.transports.enumerated() {
            let path = "sms.transports[\(index)]"
            switch transport.kind {
            case .modem:
                if transport.device == nil { report("\(path).device", "a modem needs its serial port; add `device: /dev/ttyUSB2` or a board serial port name") }
                if let baud = transport.baud, !Self.baudRates.contains(baud) {
                    report("\(path).baud", "baud \(baud) is not supported; use one of: \(Self.baudRates.map(String.init).joined(separator: ", "))")
                }
            case .httpGateway:
                if let url = transport.url {
                    if !(url.hasPrefix("http://") || url.hasPrefix("https://")) { report("\(path).url", "'\(url)' is not an http(s) URL") }
                } else {
                    report("\(path).url", "an HTTP gateway needs `url: https://...` to send SMS through")
                }
            case .centralSystem, .simulatedModem:
                break
            }
        }
    }

    private func validateCompartmentHardware(_ settings: CompartmentHardwareSettings) {
        let path = "compartmentHardware"
        checkRange(settings.unlockConfirmSeconds, 0.5...60, "\(path).unlockConfirmSeconds", "unlock confirmation time (s)")
        checkRange(settings.unlockRetries, 0...10, "\(path).unlockRetries", "unlock retries")
        checkRange(settings.relockIfUnopenedSeconds, 2...600, "\(path).relockIfUnopenedSeconds", "relock time (s)")
        checkRange(settings.doorLeftOpenSeconds, 5...86_400, "\(path).doorLeftOpenSeconds", "door-left-open time (s)")
        checkRange(settings.debounceMilliseconds, 0...1_000, "\(path).debounceMilliseconds", "debounce (ms)")
    }

    /// Each starting value must be one the central system could set: a writable key and a valid value.
    private func validateOCPPDefaults(_ site: SiteConfiguration) {
        let registry = UplinkSetup.registry(for: site)
        for (key, value) in site.ocppDefaults.sorted(by: { $0.key < $1.key }) {
            if case let .failure(error) = registry.validatedChange(key: key, value: value, store: ConfigurationKeyStore(values: [:])) {
                report("ocppDefaults.\(key)", "\(error); use a value the central system could set with ChangeConfiguration")
            }
        }
    }

    private func validateKeypads(_ site: SiteConfiguration) {
        for (index, keypad) in site.keypads.enumerated() {
            let path = "keypads[\(index)]"
            if let baud = keypad.baud, !Self.baudRates.contains(baud) {
                report("\(path).baud", "baud \(baud) is not supported; use one of: \(Self.baudRates.map(String.init).joined(separator: ", "))")
            }
            if let name = keypad.compartment, site.compartment(named: name) == nil {
                report("\(path).compartment", "compartment '\(name)' does not exist; use a compartment name, or leave `compartment` out for a keypad that serves the whole locker")
            }
            if keypad.endKey != "enter" && keypad.endKey.count != 1 {
                report("\(path).endKey", "end key '\(keypad.endKey)' must be one character (e.g. #) or `enter`")
            }
            checkRange(keypad.entryTimeoutSeconds, 1...120, "\(path).entryTimeoutSeconds", "entry timeout (s)")
        }
        let names = site.keypads.map(\.name) + site.rfidReaders.map(\.name)
        for name in Set(names) where names.filter({ $0 == name }).count > 1 {
            report("keypads", "reader name '\(name)' is used twice; give every reader and keypad its own name")
        }
    }

    private func validateRFIDReaders(_ site: SiteConfiguration) {
        for (index, reader) in site.rfidReaders.enumerated() {
            let path = "rfidReaders[\(index)]"
            switch reader.kind {
            case .serial, .inputDevice:
                if reader.device == nil { report("\(path).device", "a \(reader.kind.rawValue) reader needs `device:` (e.g. /dev/ttyUSB1 or /dev/input/by-id/...)") }
            case .wiegand:
                if reader.data0Line == nil { report("\(path).data0Line", "a Wiegand reader needs `data0Line:` and `data1Line:`") }
                if reader.data1Line == nil { report("\(path).data1Line", "a Wiegand reader needs `data0Line:` and `data1Line:`") }
            }
            if let baud = reader.baud, !Self.baudRates.contains(baud) {
                report("\(path).baud", "baud \(baud) is not supported; use one of: \(Self.baudRates.map(String.init).joined(separator: ", "))")
            }
            if let name = reader.compartment, site.compartment(named: name) == nil {
                report("\(path).compartment", "compartment '\(name)' does not exist; use a compartment name, or leave `compartment` out for a reader that serves the whole locker")
            }
        }
    }

    /// A GPIO line has one job: two uses of one line would fight over it.
    private func validateLines(_ site: SiteConfiguration) {
        var uses: [(String, GPIOLineReference)] = []
        for (index, compartment) in site.compartments.enumerated() {
            let path = "compartments[\(index)]"
            uses.append(("\(path).lockLine", compartment.lockLine))
            uses.append(("\(path).doorSensorLine", compartment.doorSensorLine))
            uses.append(("\(path).relayLine", compartment.relayLine))
            if let line = compartment.lockFeedbackLine { uses.append(("\(path).lockFeedbackLine", line)) }
            if let line = compartment.indicatorLine { uses.append(("\(path).indicatorLine", line)) }
        }
        for (index, reader) in site.rfidReaders.enumerated() {
            if let line = reader.data0Line { uses.append(("rfidReaders[\(index)].data0Line", line)) }
            if let line = reader.data1Line { uses.append(("rfidReaders[\(index)].data1Line", line)) }
        }
        if let line = site.emergencyInputLine { uses.append(("emergencyInputLine", line)) }
        var owners: [String: String] = [:]
        for (path, line) in uses where !line.written.isEmpty && !log.hasProblem(atOrUnder: path) {
            if let first = owners[line.physicalKey] {
                report(path, "GPIO line \(line.displayName) is already used by \(first); each line can have only one job")
            } else {
                owners[line.physicalKey] = path
            }
        }
    }

    private func validateAPI(_ api: LocalAPIConfiguration) {
        checkRange(api.port, 1...65_535, "api.listen", "port")
        if api.token != nil && api.tokenFile != nil {
            report("api.token", "give either `token` or `tokenFile`, not both")
        }
        if api.readOnlyToken != nil && api.readOnlyTokenFile != nil {
            report("api.readOnlyToken", "give either `readOnlyToken` or `readOnlyTokenFile`, not both")
        }
        if let token = api.token, token == api.readOnlyToken {
            report("api.readOnlyToken", "the read-only token must differ from the operator token `token`")
        }
        for problem in APIListenPolicy.problems(api) { report(problem.path, problem.message) }
    }
}
