import Foundation

/// Whether a compartment meter reading can be true, given the one before it. Pure.
public enum MeterPlausibility {
    /// Register rounding and a meter's own timing jitter: this much more than the maximum power allows passes.
    static let toleranceWh = 1.0
    static let toleranceFactor = 1.1

    /// Why `reading` cannot follow `previous` (energy Wh, time), or nil when it is plausible.
    public static func problem(
        with reading: CompartmentMeterReading, after previous: (energyWh: Double, at: Date)?, maxPowerWatts: Double
    ) -> String? {
        guard reading.energyWh.isFinite, reading.energyWh >= 0 else { return "energy register \(reading.energyWh) Wh is not a meter value" }
        guard let previous else { return nil }
        let elapsed = reading.at.timeIntervalSince(previous.at)
        if elapsed < 0 { return "time went backwards by \(String(format: "%.1f", -elapsed)) s" }
        let added = reading.energyWh - previous.energyWh
        if added < 0 { return "energy register went down from \(previous.energyWh) Wh to \(reading.energyWh) Wh" }
        let possible = maxPowerWatts * elapsed / 3600 * toleranceFactor + toleranceWh
        if added > possible {
            return "\(String(format: "%.1f", added)) Wh in \(String(format: "%.1f", elapsed)) s is more than \(Int(maxPowerWatts)) W allows"
        }
        return nil
    }
}
