import Foundation
import LoadBalancing
import Yams

/// A recurring limit (`balancing.schedules[]`): on the given days, from `from` to `to` in the board's local time
/// zone, what our compartments and chargers below `circuit` (default: the grid connection) may draw together,
/// e.g. a lower limit while the building's kitchen runs at lunchtime, or a peak-tariff window.
public struct BalancingScheduleConfiguration: Sendable, Equatable, Codable {
    /// ISO weekdays the period starts on: 1 = Monday ... 7 = Sunday.
    public var days: [Int]
    /// "HH:MM"; `to` before `from` runs past midnight into the next day.
    public var from: String
    public var to: String
    public var circuit: String?
    public var maxCurrentAmpsPerPhase: Double?
    public var maxPowerWatts: Double?

    public init(days: [Int], from: String, to: String, circuit: String? = nil,
                maxCurrentAmpsPerPhase: Double? = nil, maxPowerWatts: Double? = nil) {
        self.days = days
        self.from = from
        self.to = to
        self.circuit = circuit
        self.maxCurrentAmpsPerPhase = maxCurrentAmpsPerPhase
        self.maxPowerWatts = maxPowerWatts
    }

    /// Day names the site file accepts, and the groups `daily`, `weekdays` and `weekend`.
    static let dayNumbers: [String: [Int]] = [
        "mon": [1], "tue": [2], "wed": [3], "thu": [4], "fri": [5], "sat": [6], "sun": [7],
        "daily": Array(1...7), "weekdays": Array(1...5), "weekend": [6, 7],
    ]

    /// "HH:MM" as a time of day, nil when it is not one (24:00 is the end of the day).
    static func timeOfDay(_ text: String) -> TimeOfDay? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...24).contains(hour), (0..<60).contains(minute), hour < 24 || minute == 0 else { return nil }
        return TimeOfDay(hour: hour, minute: minute)
    }

    /// The engine's period; nil while the entry is invalid (the validator reports it).
    func enginePeriod() -> SchedulePeriod? {
        guard let start = Self.timeOfDay(from), let end = Self.timeOfDay(to), !days.isEmpty else { return nil }
        return SchedulePeriod(
            weekdays: days, start: start, end: end, circuit: circuit ?? BalancingSiteMapping.gridCircuit,
            maxCurrent: maxCurrentAmpsPerPhase, maxPower: maxPowerWatts)
    }
}

extension SiteDocumentDecoder {
    static let balancingScheduleKeys = ["days", "from", "to", "circuit", "maxCurrentAmpsPerPhase", "maxPowerWatts"]

    /// `balancing.schedules`: a list of recurring limits; problems go to the log.
    func decodeBalancingSchedules(_ balancing: ConfigurationYAMLMapping) -> [BalancingScheduleConfiguration] {
        (balancing.sequence("schedules") ?? []).compactMap { item in
            guard let entry = ConfigurationYAMLMapping(item.node, path: item.path, log: log, known: Self.balancingScheduleKeys)
            else { return nil }
            var days: [Int] = []
            if let list = entry.sequence("days") {
                for day in list {
                    guard case let .scalar(scalar) = day.node,
                          let numbers = BalancingScheduleConfiguration.dayNumbers[scalar.string.lowercased()] else {
                        log.report(day.path, "expected a day: mon, tue, wed, thu, fri, sat, sun, daily, weekdays or weekend")
                        continue
                    }
                    days += numbers.filter { !days.contains($0) }
                }
            } else {
                entry.reportMissing("days", hint: "[weekdays]  # or [mon, tue, sat], [daily], [weekend]")
            }
            return BalancingScheduleConfiguration(
                days: days.sorted(), from: entry.requiredString("from", hint: "\"11:30\"") ?? "",
                to: entry.requiredString("to", hint: "\"14:00\"") ?? "", circuit: entry.string("circuit"),
                maxCurrentAmpsPerPhase: entry.double("maxCurrentAmpsPerPhase"), maxPowerWatts: entry.double("maxPowerWatts"))
        }
    }
}

/// What is wrong with `balancing.schedules` in a site, as (path, message) pairs.
enum BalancingScheduleValidation {
    static func problems(_ site: SiteConfiguration) -> [(path: String, message: String)] {
        var problems: [(String, String)] = []
        let circuits = Set(site.balancing.circuits.map(\.name) + [BalancingSiteMapping.gridCircuit])
        for (index, schedule) in site.balancing.schedules.enumerated() {
            let path = "balancing.schedules[\(index)]"
            if schedule.maxCurrentAmpsPerPhase == nil && schedule.maxPowerWatts == nil {
                problems.append((path, "a schedule needs a limit: add `maxCurrentAmpsPerPhase: 16` or `maxPowerWatts: 7000`"))
            }
            for (key, text) in [("from", schedule.from), ("to", schedule.to)]
            where !text.isEmpty && BalancingScheduleConfiguration.timeOfDay(text) == nil {
                problems.append(("\(path).\(key)", "'\(text)' is not a time of day; write it as \"HH:MM\" (24-hour), e.g. \"07:30\""))
            }
            if !schedule.from.isEmpty, schedule.from == schedule.to {
                problems.append(("\(path).to", "the period starts and ends at \(schedule.from); give it a length"))
            }
            if let circuit = schedule.circuit, !circuits.contains(circuit) {
                problems.append(("\(path).circuit", "'\(circuit)' is not a circuit; use `grid` or the name of one of balancing.circuits"))
            }
            if let amps = schedule.maxCurrentAmpsPerPhase, !(0...1_000).contains(amps) {
                problems.append(("\(path).maxCurrentAmpsPerPhase", "schedule limit (A) \(amps) is out of range 0-1000"))
            }
            if let watts = schedule.maxPowerWatts, !(0...1_000_000).contains(watts) {
                problems.append(("\(path).maxPowerWatts", "schedule limit (W) \(watts) is out of range 0-1000000"))
            }
        }
        return problems
    }
}
