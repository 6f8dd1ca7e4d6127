/// Joins a site document with its board: resolves line names and serial port names,
/// merges the board's buses with the site's, and reports references the board does not have.
struct SiteAssembler {
    let log: ConfigurationProblemLog
    let board: BoardDescriptor
    /// False when the board could not be loaded (already reported): names cannot be
    /// checked against it, and reporting every line as unknown would bury the real problem.
    var boardIsKnown = true

    /// The site, and for each of its buses the path it was written at (board buses come first).
    func assemble(_ document: SiteDocument) -> (site: SiteConfiguration, busPaths: [String]) {
        let (buses, busPaths) = mergedBuses(document.buses)
        var site = SiteConfiguration(
            station: document.station,
            centralSystem: document.centralSystem,
            board: board,
            buses: buses,
            compartments: document.compartments,
            chargers: document.chargers,
            siteMeters: document.siteMeters,
            balancing: document.balancing,
            sms: document.sms,
            rfidReaders: document.rfidReaders,
            api: document.api,
            storage: StorageConfiguration(folder: document.storageFolder
                ?? (board.isSimulated ? StorageConfiguration.simulatorDefault : StorageConfiguration.boardDefault)),
            logging: document.logging)
        site.profilesFolder = document.profilesFolder
        site.operations = document.operations
        site.compartmentHardware = document.compartmentHardware
        site.ocppDefaults = document.ocppDefaults
        site.sessions = document.sessions
        site.tariffs = document.tariffs
        site.keypads = document.keypads.map { keypad in
            var keypad = keypad
            if keypad.kind == .serial { keypad.device = serialDevice(keypad.device) }
            return keypad
        }
        for index in site.compartments.indices {
            let path = "compartments[\(index)]"
            var compartment = site.compartments[index]
            compartment.lockLine = resolve(compartment.lockLine, path: "\(path).lockLine", role: "a lock line", needs: .output)
            compartment.doorSensorLine = resolve(compartment.doorSensorLine, path: "\(path).doorSensorLine", role: "a door sensor line", needs: .input)
            compartment.relayLine = resolve(compartment.relayLine, path: "\(path).relayLine", role: "a relay line", needs: .output)
            compartment.lockFeedbackLine = compartment.lockFeedbackLine.map {
                resolve($0, path: "\(path).lockFeedbackLine", role: "a lock feedback line", needs: .input)
            }
            compartment.indicatorLine = compartment.indicatorLine.map {
                resolve($0, path: "\(path).indicatorLine", role: "an indicator line", needs: .output)
            }
            site.compartments[index] = compartment
        }
        for index in site.rfidReaders.indices {
            let path = "rfidReaders[\(index)]"
            var reader = site.rfidReaders[index]
            reader.data0Line = reader.data0Line.map { resolve($0, path: "\(path).data0Line", role: "a Wiegand data line", needs: .input) }
            reader.data1Line = reader.data1Line.map { resolve($0, path: "\(path).data1Line", role: "a Wiegand data line", needs: .input) }
            if let device = reader.device, reader.kind == .serial { reader.device = serialDevice(device) }
            site.rfidReaders[index] = reader
        }
        site.emergencyInputLine = document.emergencyInputLine.map {
            resolve($0, path: "emergencyInputLine", role: "an emergency input line", needs: .input)
        }
        if var sms = site.sms {
            for index in sms.transports.indices {
                if let device = sms.transports[index].device { sms.transports[index].device = serialDevice(device) }
                if let line = sms.transports[index].options.powerLine {
                    sms.transports[index].options.powerLine = resolve(
                        line, path: "sms.transports[\(index)].powerLine", role: "a modem power line", needs: .output)
                }
            }
            site.sms = sms
        }
        return (site, busPaths)
    }

    /// Board buses first; a site bus with the same name replaces the board's.
    private func mergedBuses(_ siteBuses: [SiteBusConfiguration]) -> ([SiteBusConfiguration], [String]) {
        var buses = board.buses.enumerated().map { resolvePort($0.element, path: "board.buses[\($0.offset)]") }
        var paths = board.buses.indices.map { "board.buses[\($0)]" }
        var seen = Set<String>()
        for (index, bus) in siteBuses.enumerated() {
            let path = "buses[\(index)]"
            let resolved = resolvePort(bus, path: path)
            if !bus.name.isEmpty && !seen.insert(bus.name).inserted {
                log.report("\(path).name", "bus name '\(bus.name)' is used twice; give each bus its own name")
                continue
            }
            if let existing = buses.firstIndex(where: { $0.name == bus.name }) {
                buses[existing] = resolved
                paths[existing] = path
            } else {
                buses.append(resolved)
                paths.append(path)
            }
        }
        return (buses, paths)
    }

    private func resolvePort(_ bus: SiteBusConfiguration, path: String) -> SiteBusConfiguration {
        guard case var .rtu(rtu) = bus.transport, let portName = rtu.boardPort else { return bus }
        if let port = board.serialPort(named: portName) {
            rtu.device = port.device
        } else if boardIsKnown {
            let known = board.serialPorts.map(\.name)
            let listing = known.isEmpty ? "it has none; use `device: /dev/ttyUSB0`" : "it has: \(known.joined(separator: ", "))"
            log.report("\(path).rtu.port", "'\(portName)' is not a serial port of board '\(board.name)'; \(listing)")
        }
        var resolved = bus
        resolved.transport = .rtu(rtu)
        return resolved
    }

    /// A serial port name of the board, or a device path as written.
    private func serialDevice(_ written: String) -> String {
        board.serialPort(named: written)?.device ?? written
    }

    private func resolve(
        _ reference: GPIOLineReference, path: String, role: String, needs direction: BoardDescriptor.Line.Direction
    ) -> GPIOLineReference {
        let written = reference.written
        guard !written.isEmpty else { return reference }
        if let line = board.line(named: written) {
            if let actual = line.direction, actual != direction {
                log.report(path, "line '\(written)' is an \(actual.rawValue) on board '\(board.name)', but \(role) needs an \(direction.rawValue); pick another line")
            }
            return GPIOLineReference(
                written: written, boardLine: line.name, chip: line.chip, offset: line.offset,
                lineName: line.lineName, activeLow: line.activeLow)
        }
        if let colon = written.lastIndex(of: ":"), let offset = Int(written[written.index(after: colon)...]),
           colon != written.startIndex {
            let chip = String(written[..<colon])
            guard (0...1023).contains(offset), !chip.contains(" ") else {
                log.report(path, "'\(written)' is not a valid raw line; write chip:offset with offset 0-1023, e.g. gpiochip0:17")
                return reference
            }
            return GPIOLineReference(written: written, chip: chip, offset: offset, activeLow: false)
        }
        guard boardIsKnown else { return reference }
        let names = board.lines.map(\.name)
        let suggestion = ConfigurationKeySuggestion.closest(to: written, among: names).map { "did you mean '\($0)'? " } ?? ""
        let shown = names.prefix(24).joined(separator: ", ") + (names.count > 24 ? ", … (see the board file)" : "")
        let listing = names.isEmpty ? "" : " Lines of this board: \(shown)."
        log.report(path, "'\(written)' is not a line of board '\(board.name)'; \(suggestion)use a board line name or a raw chip:offset such as gpiochip0:17.\(listing)")
        return reference
    }
}
