import Yams

/// Reads a board descriptor (boards/<name>/board.yaml). Problems are reported under
/// `board.` so they read apart from the site file's own keys.
struct BoardDescriptorDecoder {
    let log: ConfigurationProblemLog

    func decode(_ root: Node?, path: String = "board") -> BoardDescriptor? {
        guard let root else {
            log.report(path, "the board file is empty")
            return nil
        }
        guard let top = ConfigurationYAMLMapping(root, path: path, log: log, known: [
            "name", "description", "simulated", "lines", "serialPorts", "buses",
        ]) else { return nil }
        var lines: [BoardDescriptor.Line] = []
        for entry in top.namedEntries("lines") ?? [] {
            guard let item = ConfigurationYAMLMapping(entry.node, path: entry.path, log: log, known: [
                "chip", "offset", "lineName", "direction", "activeLow", "description",
            ]) else { continue }
            let offset = item.int("offset")
            let lineName = item.string("lineName")
            if offset == nil && lineName == nil && !item.has("offset") {
                log.report(entry.path, "a line needs `chip` and `offset` (e.g. {chip: gpiochip0, offset: 17}) or a kernel `lineName`")
            }
            if offset != nil && !item.has("chip") {
                log.report(entry.path, "an offset needs its chip; add `chip: gpiochip0`")
            }
            if let offset, !(0...1023).contains(offset) {
                log.report(item.childPath("offset"), "line offset \(offset) is out of range 0-1023")
            }
            lines.append(BoardDescriptor.Line(
                name: entry.name, chip: item.string("chip"), offset: offset, lineName: lineName,
                direction: item.choice("direction", BoardDescriptor.Line.Direction.self),
                activeLow: item.bool("activeLow") ?? false, description: item.string("description")))
        }
        var ports: [BoardDescriptor.SerialPort] = []
        for entry in top.namedEntries("serialPorts") ?? [] {
            guard let item = ConfigurationYAMLMapping(entry.node, path: entry.path, log: log, known: ["device", "description"]) else { continue }
            guard let device = item.requiredString("device", hint: "/dev/ttyAMA0") else { continue }
            ports.append(BoardDescriptor.SerialPort(name: entry.name, device: device, description: item.string("description")))
        }
        let buses = (top.sequence("buses") ?? []).compactMap { SiteDocumentDecoder.decodeBus($0.node, path: $0.path, log: log) }
        return BoardDescriptor(
            name: top.requiredString("name", hint: "my-board") ?? "",
            description: top.string("description"),
            isSimulated: top.bool("simulated") ?? false,
            lines: lines, serialPorts: ports, buses: buses)
    }
}
