/// Errors of a device (above the transport): probing, profiles and setpoints.
public enum MeterError: Error, Sendable, Equatable, CustomStringConvertible {
    case transport(ModbusError)
    case sunSpecMarkerNotFound(bases: [Int])
    case requiredValueMissing(value: String, reason: String)
    case unknownValue(String, profile: String)
    case notWritable(String, profile: String)
    case outOfRange(value: String, requested: Double, allowed: ClosedRange<Double>)
    case notProbed(String)

    public var description: String {
        switch self {
        case let .transport(error):
            "\(error)"
        case let .sunSpecMarkerNotFound(bases):
            "no SunSpec 'SunS' marker at holding registers \(bases.map(String.init).joined(separator: ", ")); is SunSpec enabled on the device (often a setting in its web UI)?"
        case let .requiredValueMissing(value, reason):
            "required value '\(value)' is not available: \(reason); check the profile matches the device"
        case let .unknownValue(name, profile):
            "profile \(profile) has no value '\(name)'"
        case let .notWritable(name, profile):
            "value '\(name)' of profile \(profile) is not writable"
        case let .outOfRange(value, requested, allowed):
            "\(requested) is outside the allowed range \(allowed.lowerBound)...\(allowed.upperBound) for '\(value)'"
        case let .notProbed(device):
            "device \(device) has not been probed yet"
        }
    }
}
