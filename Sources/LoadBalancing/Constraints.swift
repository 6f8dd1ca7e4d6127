// Limits as linear constraints over the consumers' currents, and the checks the distribution uses.

/// One limit on a group of consumers: at most `phaseLimit[p]` amperes on grid phase p and
/// at most `powerLimit` watts in total. Limits are what our consumers may draw (base load
/// already subtracted) and never negative.
struct Constraint {
    var members: [Int]
    var phaseLimit: [Double]?
    var powerLimit: Double?
    var reason: AllocationReason
    var source: String
}

/// The consumers' electrical shape, by index in configuration order.
struct ConsumerShape {
    /// phaseLoad[i][p] is 1 if consumer i draws on grid phase p.
    var phaseLoad: [[Double]]
    /// Watts per ampere of setpoint: phases x nominal voltage.
    var wattsPerAmp: [Double]
}

struct ConstraintSet {
    let shape: ConsumerShape
    let constraints: [Constraint]
    /// Indices of the constraints each consumer is a member of.
    let memberOf: [[Int]]

    init(shape: ConsumerShape, constraints: [Constraint]) {
        self.shape = shape
        self.constraints = constraints
        var memberOf = Array(repeating: [Int](), count: shape.wattsPerAmp.count)
        for (k, constraint) in constraints.enumerated() {
            for i in constraint.members { memberOf[i].append(k) }
        }
        self.memberOf = memberOf
    }

    static func tolerance(_ limit: Double) -> Double { 1e-9 * max(1, abs(limit)) }

    /// Per-phase currents and total power the members of constraint k draw at `currents`.
    func load(_ k: Int, _ currents: [Double]) -> (phases: [Double], power: Double) {
        var phases = [0.0, 0.0, 0.0]
        var power = 0.0
        for i in constraints[k].members where currents[i] > 0 {
            let row = shape.phaseLoad[i]
            phases[0] += row[0] * currents[i]
            phases[1] += row[1] * currents[i]
            phases[2] += row[2] * currents[i]
            power += shape.wattsPerAmp[i] * currents[i]
        }
        return (phases, power)
    }

    /// Remaining room of constraint k: per phase and power (infinity where unlimited).
    func slack(_ k: Int, _ currents: [Double]) -> (phases: [Double], power: Double) {
        let (phases, power) = load(k, currents)
        let c = constraints[k]
        let phaseSlack = (0..<3).map { p in c.phaseLimit.map { $0[p] - phases[p] } ?? .infinity }
        return (phaseSlack, c.powerLimit.map { $0 - power } ?? .infinity)
    }

    func holds(_ k: Int, _ currents: [Double]) -> Bool {
        let (phases, power) = load(k, currents)
        let c = constraints[k]
        if let limits = c.phaseLimit {
            for p in 0..<3 where phases[p] > limits[p] + Self.tolerance(limits[p]) { return false }
        }
        if let limit = c.powerLimit, power > limit + Self.tolerance(limit) { return false }
        return true
    }

    /// The first constraint involving any of `consumers` that `currents` violate, if any.
    func violated(by consumers: [Int], _ currents: [Double]) -> Int? {
        if consumers.count == 1 {
            return memberOf[consumers[0]].first { !holds($0, currents) }
        }
        var checked = [Bool](repeating: false, count: constraints.count)
        for i in consumers {
            for k in memberOf[i] where !checked[k] {
                checked[k] = true
                if !holds(k, currents) { return k }
            }
        }
        return nil
    }

    /// How far consumer i could rise alone from `currents`, and the constraint that stops it.
    func room(for i: Int, _ currents: [Double]) -> (amps: Double, limitedBy: Int?) {
        var best = Double.infinity
        var by: Int?
        for k in memberOf[i] {
            let (phases, power) = slack(k, currents)
            for p in 0..<3 where shape.phaseLoad[i][p] > 0 && phases[p] < best {
                best = phases[p]
                by = k
            }
            let viaPower = power / shape.wattsPerAmp[i]
            if viaPower < best {
                best = viaPower
                by = k
            }
        }
        return (max(0, best), by)
    }

    /// Constraints with (almost) no room left on a phase consumer i draws on, or in power.
    func tightConstraint(for i: Int, _ currents: [Double]) -> Int? {
        for k in memberOf[i] {
            let c = constraints[k]
            let (phases, power) = slack(k, currents)
            for p in 0..<3 where shape.phaseLoad[i][p] > 0 {
                if let limits = c.phaseLimit, phases[p] <= 1e-6 * max(1, limits[p]) { return k }
            }
            if let limit = c.powerLimit, power <= 1e-6 * max(1, limit) { return k }
        }
        return nil
    }
}
