import Foundation

/// One decoded value. `value == nil` means "not available" (sentinel, NaN, or the device
/// does not implement it), never zero.
public struct MeterValue: Sendable, Hashable, Codable {
    public var name: String
    public var value: Double?
    public var unit: String
    public var measurand: Measurand?
    public var phase: Phase?

    public init(name: String, value: Double?, unit: String, measurand: Measurand? = nil, phase: Phase? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.measurand = measurand
        self.phase = phase
    }
}

/// All values of one device, read at one time.
public struct MeterReading: Sendable, Hashable, Codable {
    public var device: String
    public var profile: String
    public var time: Date
    public var values: [MeterValue]

    public init(device: String, profile: String, time: Date, values: [MeterValue]) {
        self.device = device
        self.profile = profile
        self.time = time
        self.values = values
    }

    public subscript(name: String) -> Double? {
        values.first { $0.name == name }?.value
    }

    /// The value feeding an OCPP measurand (and phase, if given).
    public func value(_ measurand: Measurand, phase: Phase? = nil) -> MeterValue? {
        values.first { $0.measurand == measurand && $0.phase == phase }
    }

    /// Human-readable table for the command line.
    public var formatted: String {
        let width = values.map(\.name.count).max() ?? 0
        return values.map { value in
            let number = value.value.map { String(format: "%.3f", $0) } ?? "n/a"
            var line = value.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + number
            if !value.unit.isEmpty, value.value != nil { line += " \(value.unit)" }
            if let measurand = value.measurand {
                line += "  (\(measurand.rawValue)\(value.phase.map { " \($0.rawValue)" } ?? ""))"
            }
            return line
        }.joined(separator: "\n")
    }
}
