// Turning measurements, limits and schedules into constraints on our consumers' currents.

/// What the measurements say at one step, after staleness is applied.
struct MeasuredSite {
    /// Each consumer's fresh draw on the grid phases (zero when stale or missing: that way an
    /// unknown draw counts as base load, which can only lower the headroom).
    var consumerDraw: [[Double]]
    var consumerPower: [Double]
    var circuitBase: [[Double]]
    var circuitBasePower: [Double]
    var circuitOnSafeLimit: [Bool]
    /// Instants at which circuit meter readings in use become stale: waking then applies the
    /// safe limit exactly when the staleness limit is reached, even if no new reading arrives.
    var staleDeadlines: [Instant]
    var gridPower: Double?
}

extension LoadBalancer {
    func isFresh(_ at: Instant, now: Instant, limit: Double) -> Bool {
        now.seconds(since: at) < limit
    }

    func measure(_ m: Measurements, now: Instant) -> MeasuredSite {
        let settings = site.settings
        let voltage = settings.nominalVoltage
        var deadlines: [Instant] = []
        var draw = Array(repeating: [0.0, 0.0, 0.0], count: site.consumers.count)
        var power = Array(repeating: 0.0, count: site.consumers.count)
        for (i, consumer) in site.consumers.enumerated() {
            guard let reading = m.consumers[consumer.id], reading.isUsable,
                isFresh(reading.at, now: now, limit: settings.meterStaleAfter)
            else { continue }
            for (k, p) in consumer.gridPhaseIndices.enumerated() { draw[i][p] = reading.currents[index: k] }
            power[i] = reading.power ?? draw[i].reduce(0, +) * voltage
        }
        var measured = MeasuredSite(
            consumerDraw: draw, consumerPower: power,
            circuitBase: Array(repeating: [0.0, 0.0, 0.0], count: site.circuits.count),
            circuitBasePower: Array(repeating: 0, count: site.circuits.count),
            circuitOnSafeLimit: Array(repeating: false, count: site.circuits.count),
            staleDeadlines: [], gridPower: nil)
        for (n, circuit) in site.circuits.enumerated() where circuit.metered {
            let needed = settings.mode != .staticLimit
            guard needed else { continue }
            let limit = circuit.staleAfter ?? settings.meterStaleAfter
            guard let reading = m.circuits[circuit.id], reading.isUsable, isFresh(reading.at, now: now, limit: limit) else {
                measured.circuitOnSafeLimit[n] = true
                continue
            }
            deadlines.append(reading.at.adding(seconds: limit))
            let floor = n == rootIndex ? -Double.infinity : 0
            var ours = [0.0, 0.0, 0.0]
            var oursPower = 0.0
            for i in subtree[n] {
                for p in 0..<3 { ours[p] += draw[i][p] }
                oursPower += power[i]
            }
            let meterPower = reading.power ?? reading.currents.sum * voltage
            measured.circuitBase[n] = (0..<3).map { max(floor, reading.currents[index: $0] - ours[$0]) }
            measured.circuitBasePower[n] = max(floor, meterPower - oursPower)
            if n == rootIndex { measured.gridPower = meterPower }
        }
        measured.staleDeadlines = deadlines
        return measured
    }

    /// Constraints from the tree of limits: limit minus base load, or the safe limit.
    func circuitConstraints(_ measured: MeasuredSite) -> [Constraint] {
        site.circuits.enumerated().map { n, circuit in
            let members = subtree[n]
            if measured.circuitOnSafeLimit[n] {
                var phaseLimit: [Double]?
                var powerLimit: Double?
                if let safe = circuit.safeCurrent {
                    phaseLimit = Array(repeating: min(safe, circuit.maxCurrent ?? safe), count: 3)
                } else if circuit.safePower == nil {
                    phaseLimit = [0, 0, 0]  // no safe limit configured: nothing, never "unlimited"
                } else if let fuse = circuit.maxCurrent {
                    phaseLimit = [fuse, fuse, fuse]
                }
                // Our consumers alone must still respect the node's own power limit.
                powerLimit = circuit.safePower.map { min($0, circuit.maxPower ?? $0) } ?? circuit.maxPower
                return Constraint(
                    members: members, phaseLimit: phaseLimit, powerLimit: powerLimit,
                    reason: .staleMeterFallback, source: circuit.id)
            }
            let base = measured.circuitBase[n]
            return Constraint(
                members: members,
                phaseLimit: circuit.maxCurrent.map { fuse in base.map { max(0, fuse - $0) } },
                powerLimit: circuit.maxPower.map { max(0, $0 - measured.circuitBasePower[n]) },
                reason: .circuitLimit, source: circuit.id)
        }
    }

    func centralConstraints(_ limits: [CentralLimit]) -> [Constraint] {
        let all = Array(site.consumers.indices)
        return limits.filter { $0.consumer == nil }.map { limit in
            let value = limit.limit.isNaN ? 0 : max(0, limit.limit)
            return Constraint(
                members: all,
                phaseLimit: limit.unit == .amperes ? [value, value, value] : nil,
                powerLimit: limit.unit == .watts ? value : nil,
                reason: .centralLimit, source: "central")
        }
    }

    func scheduleConstraints(now: Instant) -> [Constraint] {
        site.schedule.enumerated().compactMap { index, period in
            guard period.isActive(at: now, utcOffset: site.settings.utcOffset) else { return nil }
            let node = period.circuit.flatMap { circuitIndex[$0] } ?? rootIndex
            return Constraint(
                members: subtree[node],
                phaseLimit: period.maxCurrent.map { [$0, $0, $0] },
                powerLimit: period.maxPower,
                reason: .schedule, source: "schedule:\(index)")
        }
    }

    /// Each consumer's own ceiling: its maximum, or lower if the central system says so.
    func consumerCeilings(_ limits: [CentralLimit]) -> (amps: [Double], central: [Bool]) {
        var amps = site.consumers.map(\.maxCurrent)
        var central = Array(repeating: false, count: amps.count)
        for limit in limits {
            guard let id = limit.consumer, let i = site.consumers.firstIndex(where: { $0.id == id }) else { continue }
            let value = limit.unit == .amperes ? limit.limit : limit.limit / shape.wattsPerAmp[i]
            let cap = value.isNaN ? 0 : max(0, value)
            if cap < amps[i] {
                amps[i] = cap
                central[i] = true
            }
        }
        return (amps, central)
    }
}

extension MeterReading {
    /// Garbage (NaN or infinite values) is treated like a missing reading: never as "unlimited".
    var isUsable: Bool {
        at.secondsSinceEpoch.isFinite && currents.l1.isFinite && currents.l2.isFinite && currents.l3.isFinite
            && (power?.isFinite ?? true)
    }
}
