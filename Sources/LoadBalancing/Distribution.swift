// Admission (who runs at all) and filling (how much each gets) over a set of constraints.

enum FillMethod {
    /// Max-min fair: raise everyone in a group to a common level until a limit binds.
    case waterFill
    /// Each in turn takes as much as it can.
    case sequential
}

struct Distribution {
    let constraints: ConstraintSet
    let minimum: [Double]
    let maximum: [Double]

    struct Result {
        var currents: [Double]
        var admitted: [Int]
        /// Consumers not admitted, with the constraint their minimum did not fit.
        var rejectedBy: [Int: Int]
        /// Admitted consumers held below their maximum, with the constraint that held them.
        var limitedBy: [Int: Int]
    }

    /// Admits consumers in `order` while everyone admitted can still get their minimum, then
    /// fills the admitted ones group by group (groups in precedence order).
    func run(order: [Int], groups: [[Int]], fill: FillMethod) -> Result {
        var currents = Array(repeating: 0.0, count: minimum.count)
        var result = Result(currents: [], admitted: [], rejectedBy: [:], limitedBy: [:])
        for i in order {
            currents[i] = minimum[i]
            if let k = constraints.violated(by: [i], currents) {
                currents[i] = 0
                result.rejectedBy[i] = k
            } else {
                result.admitted.append(i)
            }
        }
        let admitted = Set(result.admitted)
        for group in groups {
            let members = group.filter { admitted.contains($0) }
            switch fill {
            case .sequential:
                for i in members { fillAlone(i, &currents, &result.limitedBy) }
            case .waterFill:
                waterFill(members, &currents, &result.limitedBy)
            }
        }
        result.currents = currents
        return result
    }

    private func fillAlone(_ i: Int, _ currents: inout [Double], _ limitedBy: inout [Int: Int]) {
        let want = maximum[i] - currents[i]
        guard want > 0 else { return }
        let (room, by) = constraints.room(for: i, currents)
        if room < want {
            currents[i] += room
            limitedBy[i] = by
        } else {
            currents[i] = maximum[i]
        }
    }

    private func waterFill(_ group: [Int], _ currents: inout [Double], _ limitedBy: inout [Int: Int]) {
        var active = group.filter { maximum[$0] > currents[$0] + 1e-12 }
        guard var level = active.map({ currents[$0] }).min() else { return }
        while !active.isEmpty {
            let base = currents
            let rising = active
            func raised(to target: Double) -> [Double] {
                var x = base
                for i in rising { x[i] = max(base[i], min(target, maximum[i])) }
                return x
            }
            let top = active.map { maximum[$0] }.max() ?? level
            let atTop = raised(to: top)
            if constraints.violated(by: active, atTop) == nil {
                currents = atTop
                return
            }
            var feasible = level
            var infeasible = top
            for _ in 0..<64 where infeasible - feasible > 1e-10 {
                let mid = (feasible + infeasible) / 2
                if constraints.violated(by: active, raised(to: mid)) == nil { feasible = mid } else { infeasible = mid }
            }
            currents = raised(to: feasible)
            var still: [Int] = []
            for i in active where currents[i] < maximum[i] - 1e-9 {
                if let k = constraints.tightConstraint(for: i, currents) {
                    limitedBy[i] = k
                } else {
                    still.append(i)
                }
            }
            if still.count == active.count {
                // Numerically stuck: nobody reached a visible limit. Freeze all where they are.
                for i in still { limitedBy[i] = constraints.room(for: i, currents).limitedBy }
                return
            }
            active = still
            level = feasible
        }
    }
}
