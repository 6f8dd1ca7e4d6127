// One control step: inputs + previous state + now -> setpoints, reasons, reports, next state.

extension LoadBalancer {
    public func allocate(
        _ input: BalancingInput, previous: BalancingState, now: Instant
    ) -> (BalancingOutcome, BalancingState) {
        let settings = site.settings
        let consumers = site.consumers
        let count = consumers.count
        var indexOf: [ConsumerID: Int] = [:]
        for (i, c) in consumers.enumerated() { indexOf[c.id] = i }

        // One session per consumer (the earliest if the caller sends several).
        var session: [Int: Session] = [:]
        for s in input.sessions {
            guard let i = indexOf[s.consumer] else { continue }
            if let existing = session[i], existing.startedAt <= s.startedAt { continue }
            session[i] = s
        }

        let measured = measure(input.measurements, now: now)
        var constraints = circuitConstraints(measured)
        constraints += centralConstraints(input.centralLimits)
        constraints += scheduleConstraints(now: now)
        let (ceiling, centralCeiling) = consumerCeilings(input.centralLimits)
        let minimum = consumers.map(\.minCurrent)
        let prior = consumers.map { previous.consumers[$0.id] ?? ConsumerState() }

        var reasons = [AllocationReason](repeating: .noSession, count: count)
        var limitedBy = [String?](repeating: nil, count: count)
        var timers = measured.staleDeadlines
        var forced: [Int] = []
        var candidates: [Int] = []
        for i in 0..<count where session[i] != nil {
            let consumer = consumers[i]
            let state = prior[i]
            if ceiling[i] < consumer.minCurrent {
                reasons[i] = .centralLimit
                limitedBy[i] = "central:\(consumer.id)"
            } else if !state.on, let t = state.switchedAt, now.seconds(since: t) < consumer.minOffTime {
                reasons[i] = .minimumOffTime
                timers.append(t.adding(seconds: consumer.minOffTime))
            } else if state.on, let t = state.switchedAt, now.seconds(since: t) < consumer.minOnTime {
                forced.append(i)
                timers.append(t.adding(seconds: consumer.minOnTime))
            } else {
                candidates.append(i)
            }
        }

        var (queue, periodStart) = rotationQueue(previous, sessions: session, now: now)
        let position = Dictionary(uniqueKeysWithValues: queue.enumerated().map { ($1, $0) })
        func precedes(_ a: Int, _ b: Int) -> Bool {
            let sa = session[a]!, sb = session[b]!
            if settings.strategy == .priority, sa.priority != sb.priority { return sa.priority > sb.priority }
            if settings.shortage == .rotate {
                return (position[consumers[a].id] ?? .max, a) < (position[consumers[b].id] ?? .max, b)
            }
            return (sa.startedAt, a) < (sb.startedAt, b)
        }
        var order = forced.sorted(by: precedes) + candidates.sorted(by: precedes)

        // Solar modes add a budget on everything together.
        var solar: SolarStep?
        if settings.mode == .solarOnly || settings.mode == .solarPlusMinimum {
            let step = solarStep(measured, input.measurements, previous: previous, now: now)
            if let deadline = step.deadline { timers.append(deadline) }
            solar = step
        }
        let distributionGroups = groups(order, session: session)
        let fill: FillMethod = settings.strategy == .firstComeFirstServed ? .sequential : .waterFill
        var result: Distribution.Result
        let all = Array(0..<count)
        if let step = solar, settings.mode == .solarOnly {
            if step.active {
                let smallest = order.map { minimum[$0] * shape.wattsPerAmp[$0] }.min() ?? 0
                let budget = max(max(0, step.surplus), smallest)
                constraints.append(Constraint(members: all, phaseLimit: nil, powerLimit: budget, reason: .solarSurplus, source: "solar"))
            } else {
                for i in order {
                    reasons[i] = step.fresh ? .solarWaiting : .staleMeterFallback
                    limitedBy[i] = step.fresh ? "solar" : site.circuits[rootIndex].id
                }
                order = []
            }
        }
        var set = ConstraintSet(shape: shape, constraints: constraints)
        result = Distribution(constraints: set, minimum: minimum, maximum: ceiling)
            .run(order: order, groups: distributionGroups, fill: fill)
        if let step = solar, settings.mode == .solarPlusMinimum {
            let minimums = result.admitted.map { minimum[$0] * shape.wattsPerAmp[$0] }.reduce(0, +)
            constraints.append(Constraint(
                members: all, phaseLimit: nil, powerLimit: max(max(0, step.surplus), minimums),
                reason: .solarSurplus, source: "solar"))
            set = ConstraintSet(shape: shape, constraints: constraints)
            result = Distribution(constraints: set, minimum: minimum, maximum: ceiling)
                .run(order: order, groups: distributionGroups, fill: fill)
        }

        // Reasons for who runs and who waits.
        for (i, k) in result.rejectedBy {
            let constraint = set.constraints[k]
            var alone = [Double](repeating: 0, count: count)
            alone[i] = minimum[i]
            let fitsAlone = set.violated(by: [i], alone) == nil
            if settings.shortage == .rotate && fitsAlone {
                reasons[i] = .waitingForRotation
            } else {
                reasons[i] = constraint.reason == .circuitLimit ? .minimumNotReachable : constraint.reason
            }
            limitedBy[i] = constraint.source
        }
        var target = result.currents
        for i in result.admitted {
            if let k = result.limitedBy[i] {
                reasons[i] = set.constraints[k].reason
                limitedBy[i] = set.constraints[k].source
            } else if centralCeiling[i] {
                reasons[i] = .centralLimit
                limitedBy[i] = "central:\(consumers[i].id)"
            } else {
                reasons[i] = .atMaximum
            }
            let resolution = settings.currentResolution
            if consumers[i].kind == .charger && resolution > 0 {
                let rounded = (target[i] / resolution + 1e-9).rounded(.down) * resolution
                target[i] = min(target[i], max(minimum[i], rounded))
            }
        }

        let smoothed = smooth(target, admitted: result.admitted, prior: prior, ceiling: ceiling, set: set, now: now)
        for (i, reason) in smoothed.reasons { reasons[i] = reason }
        timers += smoothed.timers
        let setpoints = smoothed.currents

        if reasons.contains(.waitingForRotation) {
            let start = periodStart ?? now
            periodStart = start
            timers.append(start.adding(seconds: settings.rotationPeriod))
        } else {
            periodStart = nil
        }
        if let boundary = LocalCalendar.nextBoundary(after: now, periods: site.schedule, utcOffset: settings.utcOffset) {
            timers.append(boundary)
        }

        var next = BalancingState(rotation: queue, rotationPeriodStart: periodStart)
        next.solarActive = solar?.active ?? false
        next.solarConditionSince = solar?.conditionSince
        var outSetpoints: [Setpoint] = []
        for (i, consumer) in consumers.enumerated() {
            let s = setpoints[i]
            let on = s > 0
            var state = prior[i]
            if on != state.on { state.switchedAt = now }
            if s > (state.on ? state.current : 0) { state.lastIncreaseAt = now }
            state.on = on
            state.current = s
            next.consumers[consumer.id] = state
            var grid = PhaseCurrents.zero
            for p in 0..<3 { grid[index: p] = shape.phaseLoad[i][p] * s }
            outSetpoints.append(Setpoint(
                consumer: consumer.id, on: on, current: s, gridCurrents: grid, power: s * shape.wattsPerAmp[i],
                reason: reasons[i], limitedBy: on || session[i] != nil ? limitedBy[i] : nil))
        }
        let outcome = BalancingOutcome(
            setpoints: outSetpoints,
            circuits: circuitReports(measured, set: set, setpoints: setpoints),
            solar: solar.map { SolarReport(surplus: $0.surplus, active: $0.active, gridMeterFresh: $0.fresh) },
            nextDecisionAt: timers.filter { $0 > now }.min())
        return (outcome, next)
    }

    /// Groups to fill one after another: one group, or one per priority level (highest first).
    private func groups(_ order: [Int], session: [Int: Session]) -> [[Int]] {
        guard site.settings.strategy == .priority else { return [order] }
        let levels = Set(order.compactMap { session[$0]?.priority }).sorted(by: >)
        return levels.map { level in order.filter { session[$0]?.priority == level } }
    }

    /// Queue of consumers with sessions: kept order, new sessions at the end, and at the end
    /// of each rotation period those who charged move behind those who waited.
    func rotationQueue(_ previous: BalancingState, sessions: [Int: Session], now: Instant) -> ([ConsumerID], Instant?) {
        let active = Set(sessions.keys.map { site.consumers[$0].id })
        var seen: Set<ConsumerID> = []
        var queue = previous.rotation.filter { active.contains($0) && seen.insert($0).inserted }
        let known = Set(queue)
        let joining = sessions.filter { !known.contains(site.consumers[$0.key].id) }
            .sorted { ($0.value.startedAt, $0.key) < ($1.value.startedAt, $1.key) }
        queue += joining.map { site.consumers[$0.key].id }
        var periodStart = previous.rotationPeriodStart
        if site.settings.shortage == .rotate, let start = periodStart,
            now.seconds(since: start) >= site.settings.rotationPeriod
        {
            let charged = queue.filter { previous.consumers[$0]?.on == true }
            let waited = queue.filter { previous.consumers[$0]?.on != true }
            queue = waited + charged
            periodStart = now
        }
        return (queue, periodStart)
    }

    private func circuitReports(_ measured: MeasuredSite, set: ConstraintSet, setpoints: [Double]) -> [CircuitReport] {
        site.circuits.enumerated().map { n, circuit in
            let constraint = set.constraints[n]  // circuit constraints come first, in circuit order
            let (phases, power) = set.load(n, setpoints)
            let available = constraint.phaseLimit.map { PhaseCurrents($0) }
            return CircuitReport(
                circuit: circuit.id,
                baseLoad: PhaseCurrents(measured.circuitBase[n]), baseLoadPower: measured.circuitBasePower[n],
                available: available, availablePower: constraint.powerLimit,
                allocated: PhaseCurrents(phases), allocatedPower: power,
                headroom: constraint.phaseLimit.map { limits in PhaseCurrents((0..<3).map { limits[$0] - phases[$0] }) },
                onSafeLimit: measured.circuitOnSafeLimit[n])
        }
    }
}
