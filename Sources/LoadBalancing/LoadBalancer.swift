// The engine's entry point: a validated site, and one allocation step over explicit state.

/// Shares the site's power among the consumers. Build it once per configuration (it validates
/// and indexes the site), then call `allocate` at every control step with fresh inputs, the
/// state returned by the previous step, and the current time.
public struct LoadBalancer: Sendable {
    public let site: SiteConfiguration
    let circuitIndex: [CircuitID: Int]
    let rootIndex: Int
    /// Consumer indices below (or on) each circuit.
    let subtree: [[Int]]
    let shape: ConsumerShape

    public init(site: SiteConfiguration) throws(SiteConfigurationError) {
        try Self.validate(site)
        self.site = site
        var index: [CircuitID: Int] = [:]
        for (i, circuit) in site.circuits.enumerated() { index[circuit.id] = i }
        circuitIndex = index
        rootIndex = site.circuits.firstIndex { $0.parent == nil } ?? 0
        var subtree = Array(repeating: [Int](), count: site.circuits.count)
        for (i, consumer) in site.consumers.enumerated() {
            var node: CircuitID? = consumer.circuit
            while let id = node, let n = index[id] {
                subtree[n].append(i)
                node = site.circuits[n].parent
            }
        }
        self.subtree = subtree
        let voltage = site.settings.nominalVoltage
        shape = ConsumerShape(
            phaseLoad: site.consumers.map { consumer in
                var row = [0.0, 0.0, 0.0]
                for p in consumer.gridPhaseIndices { row[p] = 1 }
                return row
            },
            wattsPerAmp: site.consumers.map { Double($0.phaseCount) * voltage })
    }

    /// Seconds after which a reading of circuit `id`'s meter is stale: the fail-safe bound.
    public func staleAfter(circuit id: CircuitID) -> Double? {
        guard let n = circuitIndex[id] else { return nil }
        return site.circuits[n].staleAfter ?? site.settings.meterStaleAfter
    }

    static func validate(_ site: SiteConfiguration) throws(SiteConfigurationError) {
        let s = site.settings
        if !(s.nominalVoltage > 0) { throw .invalidSetting("nominalVoltage must be above 0 V") }
        if !(s.rotationPeriod > 0) { throw .invalidSetting("rotationPeriod must be above 0 s") }
        if !(s.setpointStep >= 0) || !(s.currentResolution >= 0) {
            throw .invalidSetting("setpointStep and currentResolution must not be negative")
        }
        if let r = s.rampStep, !(r > 0) { throw .invalidSetting("rampStep must be above 0 A or omitted") }
        if !(s.rampInterval >= 0) { throw .invalidSetting("rampInterval must not be negative") }
        if !(s.meterStaleAfter > 0) { throw .invalidSetting("meterStaleAfter must be above 0 s") }
        if !(s.solar.startThreshold >= s.solar.stopThreshold) {
            throw .invalidSetting("solar.startThreshold must be at least solar.stopThreshold")
        }
        if !(s.solar.startDelay >= 0) || !(s.solar.stopDelay >= 0) {
            throw .invalidSetting("solar delays must not be negative")
        }
        var ids: [CircuitID: Circuit] = [:]
        for circuit in site.circuits {
            if ids[circuit.id] != nil { throw .duplicateCircuit(circuit.id) }
            ids[circuit.id] = circuit
        }
        let roots = site.circuits.filter { $0.parent == nil }
        guard let root = roots.first else { throw .noGridConnection }
        if roots.count > 1 { throw .severalGridConnections(roots.map(\.id)) }
        if root.maxCurrent == nil && root.maxPower == nil { throw .gridConnectionWithoutLimit(root.id) }
        if s.mode == .solarOnly || s.mode == .solarPlusMinimum, !root.metered {
            throw .invalidSetting("mode \(s.mode.rawValue) needs a metered grid connection: set metered on '\(root.id)'")
        }
        for circuit in site.circuits {
            if let parent = circuit.parent, ids[parent] == nil {
                throw .unknownParent(circuit: circuit.id, parent: parent)
            }
            var seen: Set<CircuitID> = [circuit.id]
            var node = circuit.parent
            while let id = node {
                if !seen.insert(id).inserted { throw .circuitCycle(circuit.id) }
                node = ids[id]?.parent
            }
            for (name, value) in [("maxCurrent", circuit.maxCurrent), ("maxPower", circuit.maxPower)] {
                if let v = value, !(v > 0) || !v.isFinite {
                    throw .invalidLimit(circuit: circuit.id, detail: "\(name) must be a number above 0")
                }
            }
            for (name, value) in [("safeCurrent", circuit.safeCurrent), ("safePower", circuit.safePower)] {
                if let v = value, !(v >= 0) || !v.isFinite {
                    throw .invalidLimit(circuit: circuit.id, detail: "\(name) must be a number, not negative")
                }
            }
            if let v = circuit.staleAfter, !(v > 0) {
                throw .invalidLimit(circuit: circuit.id, detail: "staleAfter must be above 0 s")
            }
        }
        var consumerIDs: Set<ConsumerID> = []
        for c in site.consumers {
            if !consumerIDs.insert(c.id).inserted { throw .duplicateConsumer(c.id) }
            if ids[c.circuit] == nil { throw .unknownCircuit(consumer: c.id, circuit: c.circuit) }
            if c.phaseCount != 1 && c.phaseCount != 3 { throw .invalidConsumer(c.id, detail: "phaseCount must be 1 or 3") }
            if !(c.minCurrent > 0) || !(c.maxCurrent >= c.minCurrent) || !c.maxCurrent.isFinite {
                throw .invalidConsumer(c.id, detail: "needs 0 < minCurrent <= maxCurrent")
            }
            if c.kind == .socket && (c.phaseCount != 1 || c.minCurrent != c.maxCurrent) {
                throw .invalidConsumer(c.id, detail: "a socket is single-phase with minCurrent == maxCurrent (its nominal draw)")
            }
            if !(c.minOnTime >= 0) || !(c.minOffTime >= 0) {
                throw .invalidConsumer(c.id, detail: "minOnTime and minOffTime must not be negative")
            }
        }
        for (i, period) in site.schedule.enumerated() {
            if period.weekdays.isEmpty || !period.weekdays.allSatisfy({ (1...7).contains($0) }) {
                throw .invalidSchedule(index: i, detail: "weekdays must be a non-empty list of 1 (Monday) ... 7 (Sunday)")
            }
            if period.maxCurrent == nil && period.maxPower == nil {
                throw .invalidSchedule(index: i, detail: "set maxCurrent or maxPower")
            }
            if let v = period.maxCurrent ?? period.maxPower, !(v >= 0) {
                throw .invalidSchedule(index: i, detail: "limits must not be negative")
            }
            if let id = period.circuit, ids[id] == nil {
                throw .invalidSchedule(index: i, detail: "circuit '\(id)' is not defined")
            }
        }
    }
}
