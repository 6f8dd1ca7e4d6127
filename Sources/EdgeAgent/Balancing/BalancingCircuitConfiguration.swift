import Yams

/// A sub-circuit below the grid connection (`balancing.circuits[]`): a fuse or a feeder that only some
/// compartments and chargers hang off. Load balancing keeps what its members draw together within its limits.
/// It has no meter of its own: its limit is shared by our members alone (anything else on it is not known).
public struct BalancingCircuitConfiguration: Sendable, Equatable, Codable {
    /// Unique; not `grid` (the grid connection's own name).
    public var name: String
    /// The circuit it is fed from: another circuit's name, or nil for the grid connection.
    public var parent: String?
    /// Fuse rating per phase (A).
    public var maxCurrentAmps: Double?
    /// Limit on the total active power of its members (W).
    public var maxPowerWatts: Double?
    /// Compartment and charger names on this circuit; each may be on one circuit at most.
    public var members: [String]

    public init(name: String, parent: String? = nil, maxCurrentAmps: Double? = nil, maxPowerWatts: Double? = nil,
                members: [String]) {
        self.name = name
        self.parent = parent
        self.maxCurrentAmps = maxCurrentAmps
        self.maxPowerWatts = maxPowerWatts
        self.members = members
    }
}

extension SiteDocumentDecoder {
    static let balancingCircuitKeys = ["name", "parent", "maxCurrentAmps", "maxPowerWatts", "members"]

    /// `balancing.circuits`: a list of sub-circuits; problems go to the log.
    func decodeBalancingCircuits(_ balancing: ConfigurationYAMLMapping) -> [BalancingCircuitConfiguration] {
        (balancing.sequence("circuits") ?? []).compactMap { item in
            guard let circuit = ConfigurationYAMLMapping(item.node, path: item.path, log: log, known: Self.balancingCircuitKeys)
            else { return nil }
            var members: [String] = []
            if let list = circuit.sequence("members") {
                for member in list {
                    guard case let .scalar(scalar) = member.node else {
                        log.report(member.path, "expected a compartment or charger name")
                        continue
                    }
                    members.append(scalar.string)
                }
            } else {
                circuit.reportMissing("members", hint: "[A1, A2, wallbox-left]  # compartment and charger names")
            }
            return BalancingCircuitConfiguration(
                name: circuit.requiredString("name", hint: "lockers") ?? "",
                parent: circuit.string("parent"),
                maxCurrentAmps: circuit.double("maxCurrentAmps"), maxPowerWatts: circuit.double("maxPowerWatts"),
                members: members)
        }
    }
}

/// What is wrong with `balancing.circuits` in a site, as (path, message) pairs.
enum BalancingCircuitValidation {
    static func problems(_ site: SiteConfiguration) -> [(path: String, message: String)] {
        var problems: [(String, String)] = []
        let circuits = site.balancing.circuits
        let names = Set(circuits.map(\.name))
        let consumers = Set(site.compartments.map(\.name) + site.chargers.map(\.name))
        var seenNames: Set<String> = []
        var memberOf: [String: String] = [:]
        for (index, circuit) in circuits.enumerated() {
            let path = "balancing.circuits[\(index)]"
            if circuit.name.isEmpty || circuit.name == BalancingSiteMapping.gridCircuit {
                problems.append(("\(path).name", "'\(circuit.name)' cannot name a circuit; `grid` is the grid connection itself"))
            } else if !seenNames.insert(circuit.name).inserted {
                problems.append(("\(path).name", "circuit '\(circuit.name)' is defined twice; give each circuit its own name"))
            }
            if let parent = circuit.parent, parent != BalancingSiteMapping.gridCircuit, !names.contains(parent) {
                problems.append(("\(path).parent", "'\(parent)' is not a circuit; use `grid` or the name of another circuit"))
            } else if isInCycle(circuit.name, circuits) {
                problems.append(("\(path).parent", "circuit '\(circuit.name)' is fed from itself; the circuits must form a tree below `grid`"))
            }
            if circuit.maxCurrentAmps == nil && circuit.maxPowerWatts == nil {
                problems.append((path, "a circuit needs a limit: add `maxCurrentAmps: 16` (per phase) or `maxPowerWatts: 7000`"))
            }
            if let amps = circuit.maxCurrentAmps, !(1...1_000).contains(amps) {
                problems.append(("\(path).maxCurrentAmps", "circuit limit (A) \(amps) is out of range 1-1000"))
            }
            if let watts = circuit.maxPowerWatts, !(100...1_000_000).contains(watts) {
                problems.append(("\(path).maxPowerWatts", "circuit limit (W) \(watts) is out of range 100-1000000"))
            }
            for (k, member) in circuit.members.enumerated() {
                let memberPath = "\(path).members[\(k)]"
                if !consumers.contains(member) {
                    problems.append((memberPath, "'\(member)' is neither a compartment nor a charger of this site"))
                } else if let other = memberOf[member] {
                    problems.append((memberPath, "'\(member)' is already on circuit '\(other)'; a compartment or charger hangs off one circuit"))
                } else {
                    memberOf[member] = circuit.name
                }
            }
        }
        return problems
    }

    private static func isInCycle(_ name: String, _ circuits: [BalancingCircuitConfiguration]) -> Bool {
        var seen: Set<String> = [name]
        var node = circuits.first { $0.name == name }?.parent
        while let current = node, current != BalancingSiteMapping.gridCircuit {
            if !seen.insert(current).inserted { return true }
            node = circuits.first { $0.name == current }?.parent
        }
        return false
    }
}
