import Foundation

extension SessionRecord {
    /// What the tariff needs of this session, as of `now` while it is open.
    public func tariffFacts(now: Date) -> TariffSessionFacts {
        TariffSessionFacts(occupiedSeconds: occupiedSeconds(now: now), energyWh: energyWh ?? 0, parentIdTag: parentIdTag)
    }

    /// The amount so far (while open) or in total (once stopped) by `tariff`.
    public func runningAmount(by tariff: Tariff, now: Date) -> Decimal {
        tariff.amount(for: tariffFacts(now: now))
    }

    /// Records the final amount when the session ends; a session that never started charging costs nothing
    /// and gets no amount.
    mutating func settleAmount(by tariff: Tariff?, at now: Date) {
        guard let tariff, chargingStartedAt != nil else { return }
        amount = runningAmount(by: tariff, now: now)
        currency = tariff.currency
        tariffName = tariff.name
    }
}

/// The cost limit, checked at every input (CompartmentSessionMachine.timersDue).
extension CompartmentSessionMachine {
    /// Charging stops once the running amount reaches the cost limit; the door stays locked for the owner.
    mutating func checkCostLimit(at now: Date, into out: inout [SessionCommand]) {
        // Also while load balancing pauses the socket (charging, relay off): it must not switch it on again.
        guard let limit = policy.maxCost, let tariff = policy.tariff, var open = openSession,
              open.state == .charging || open.state == .chargeComplete else { return }
        let amount = open.runningAmount(by: tariff, now: now)
        guard amount >= limit else { return }
        let wasOn = open.relayOn
        open.state = .suspendedByLocker
        open.relayOn = false
        session = open
        out.append(.persist(open))
        if wasOn { out.append(.relay(on: false)) }
        out += [
            .log("cost limit of \(Tariff.format(limit, currency: tariff.currency, .english)) reached "
                + "(\(Tariff.format(amount, currency: tariff.currency, .english))); socket off, door stays locked for the owner"),
        ]
    }
}

extension SiteController {
    /// The compartment's tariff, the tighter of the two cost and occupancy limits, and whether its meter is
    /// watched for staleness (balancing.meterStaleAfterSeconds, the same age the metering service calls stale).
    func applyTariff(to policy: inout SessionPolicy, connectorId: Int, hasMeter: Bool) {
        let tariff = configuration.tariff(forConnector: connectorId)
        policy.tariff = tariff
        let costs = [sessionView.settings.maxCost, tariff?.maxCost].compactMap { $0 }
        policy.maxCost = costs.min()
        let occupancy = [policy.maxOccupancy, tariff?.maxOccupancySeconds].compactMap { $0 }
        policy.maxOccupancy = occupancy.min()
        policy.meterStaleAfter = hasMeter ? TimeInterval(configuration.balancing.meterStaleAfterSeconds) : nil
    }
}
