// Setpoint hysteresis and ramps: applied after the allocation, only ever lowering it, except
// that a small decrease is skipped when the previous setpoint still fits every limit.

struct Smoothed {
    var currents: [Double]
    var reasons: [Int: AllocationReason]
    var timers: [Instant]
}

extension LoadBalancer {
    func smooth(
        _ target: [Double], admitted: [Int], prior: [ConsumerState], ceiling: [Double], set: ConstraintSet, now: Instant
    ) -> Smoothed {
        let settings = site.settings
        var out = Smoothed(currents: Array(repeating: 0, count: target.count), reasons: [:], timers: [])
        var keepCandidates: [Int] = []
        for i in admitted {
            let t = target[i]
            out.currents[i] = t
            guard site.consumers[i].kind == .charger else { continue }
            let lowest = site.consumers[i].minCurrent
            let state = prior[i]
            let previous = state.on ? state.current : 0
            if previous <= 0 {
                if let ramp = settings.rampStep {
                    out.currents[i] = min(t, max(lowest, ramp))
                }
            } else if t > previous + 1e-9 {
                if t - previous < settings.setpointStep - 1e-9 {
                    out.currents[i] = previous
                    out.reasons[i] = .setpointHysteresis
                } else if let ramp = settings.rampStep {
                    let due = state.lastIncreaseAt.map { now.seconds(since: $0) >= settings.rampInterval } ?? true
                    out.currents[i] = due ? min(t, previous + ramp) : previous
                    if !due, let last = state.lastIncreaseAt { out.timers.append(last.adding(seconds: settings.rampInterval)) }
                }
            } else if t < previous - 1e-9, previous - t < settings.setpointStep - 1e-9, previous <= ceiling[i] {
                keepCandidates.append(i)
            }
            if out.currents[i] < t - 1e-9 && out.reasons[i] == nil {
                out.reasons[i] = .rampingUp
                if out.currents[i] > previous { out.timers.append(now.adding(seconds: settings.rampInterval)) }
            }
        }
        // Keep a slightly higher previous setpoint only where it still fits every limit.
        for i in keepCandidates {
            let lowered = out.currents[i]
            out.currents[i] = prior[i].current
            if set.violated(by: [i], out.currents) != nil {
                out.currents[i] = lowered
            } else {
                out.reasons[i] = .setpointHysteresis
            }
        }
        return out
    }
}
