// Solar surplus and the start/stop state machine with its delays.

struct SolarStep {
    var surplus: Double
    var fresh: Bool
    var active: Bool
    var conditionSince: Instant?
    /// When the running start/stop delay expires, if one is running.
    var deadline: Instant?
}

extension LoadBalancer {
    /// Surplus = what flows out to the grid + what our consumers draw now (they could take it)
    /// + battery charging if it counts, capped by PV production when that reading is fresh.
    func solarSurplus(_ measured: MeasuredSite, _ m: Measurements, now: Instant) -> (surplus: Double, fresh: Bool) {
        guard let grid = measured.gridPower else { return (0, false) }
        let limit = site.settings.meterStaleAfter
        var surplus = -grid + measured.consumerPower.reduce(0, +)
        if site.settings.solar.batteryChargeCountsAsSurplus, let battery = m.battery, battery.power.isFinite,
            isFresh(battery.at, now: now, limit: limit)
        {
            surplus += max(0, battery.power)
        }
        if let pv = m.pvProduction, isFresh(pv.at, now: now, limit: limit) {
            surplus = min(surplus, max(0, pv.power))
        }
        return (surplus, true)
    }

    func solarStep(_ measured: MeasuredSite, _ m: Measurements, previous: BalancingState, now: Instant) -> SolarStep {
        let settings = site.settings.solar
        let (surplus, fresh) = solarSurplus(measured, m, now: now)
        var step = SolarStep(
            surplus: surplus, fresh: fresh, active: previous.solarActive,
            conditionSince: previous.solarConditionSince, deadline: nil)
        guard fresh else {
            // Without a fresh grid meter the surplus is unknown: stop at once (fail-safe).
            step.active = false
            step.conditionSince = nil
            return step
        }
        let conditionHolds = step.active ? surplus < settings.stopThreshold : surplus >= settings.startThreshold
        guard conditionHolds else {
            step.conditionSince = nil
            return step
        }
        let since = step.conditionSince ?? now
        let delay = step.active ? settings.stopDelay : settings.startDelay
        if now.seconds(since: since) >= delay {
            step.active.toggle()
            step.conditionSince = nil
        } else {
            step.conditionSince = since
            step.deadline = since.adding(seconds: delay)
        }
        return step
    }
}
