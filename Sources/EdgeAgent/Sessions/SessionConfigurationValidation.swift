/// Ranges of the `sessions:` keys (docs/configuration.md): a value that is negative, zero where zero means
/// nothing, or so large it must be a typo is reported with what to write instead.
extension SiteValidator {
    /// Longest time any session timer or limit may be set to: 30 days.
    static let longestSessionSeconds = 30.0 * 86_400

    func validateSessions(_ sessions: SessionConfiguration) {
        func report(_ key: String, _ message: String) {
            let path = "sessions.\(key)"
            guard !log.hasProblem(atOrUnder: path) else { return }
            log.report(path, message)
        }
        func seconds(_ key: String, _ value: Double?, _ range: ClosedRange<Double>, zeroMeansNone: Bool = false, _ what: String) {
            guard let value, !(zeroMeansNone && value == 0) else { return }
            guard !range.contains(value) else { return }
            let none = zeroMeansNone ? " (or 0 for none)" : ""
            if value < 0 {
                report(key, "\(what) \(format(value)) s is negative; use \(format(range.lowerBound))-\(format(range.upperBound)) s\(none)")
            } else if value < range.lowerBound {
                report(key, "\(what) \(format(value)) s is too short; use \(format(range.lowerBound))-\(format(range.upperBound)) s\(none)")
            } else {
                report(key, "\(what) \(format(value)) s is too long; use at most \(format(range.upperBound)) s\(none)")
            }
        }
        let day = 86_400.0
        seconds("connectionTimeOutSeconds", sessions.connectionTimeOutSeconds, 1...day, "the authorization wait")
        seconds("meterValueSampleIntervalSeconds", sessions.meterValueSampleIntervalSeconds, 1...day, zeroMeansNone: true,
                "the MeterValues interval")
        seconds("clockAlignedDataIntervalSeconds", sessions.clockAlignedDataIntervalSeconds, 1...day, zeroMeansNone: true,
                "the clock-aligned interval")
        seconds("lockConfirmSeconds", sessions.lockConfirmSeconds, 0.5...60, "the lock confirmation time")
        seconds("chargeCompleteAfterSeconds", sessions.chargeCompleteAfterSeconds, 1...day, "the charge-complete time")
        seconds("maxOccupancySeconds", sessions.maxOccupancySeconds, 1...Self.longestSessionSeconds, "the occupancy limit")
        if let watts = sessions.chargeCompleteBelowWatts, !(watts > 0 && watts <= 3_680) {
            report("chargeCompleteBelowWatts", "charge-complete threshold \(format(watts)) W is out of range; use more than 0 and at most 3680 W (a compartment's socket), e.g. 5")
        }
        if let energy = sessions.maxEnergyWh, !(energy >= 1 && energy <= 1_000_000) {
            report("maxEnergyWh", "energy limit \(format(energy)) Wh is out of range; use 1-1000000 Wh")
        }
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
