import Yams

/// Everything wrong with one profile file, so an integrator can fix it in one pass.
public struct ProfileValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// File path or "shipped:<name>".
    public var origin: String
    public var problems: [String]

    public var description: String {
        "profile \(origin) is invalid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Parses profile YAML. Shipped profiles go through exactly this path.
///
/// Format (one profile per file; unknown keys are errors so typos surface):
/// ```yaml
/// name: acme-m3                 # lowercase, digits, dashes; a shipped name overrides the shipped profile
/// manufacturer: ACME
/// model: M3
/// source: where the register map comes from
/// unitId: 1                     # optional default unit id
/// maxRegistersPerRequest: 60    # 1...125 (default 100)
/// maxGap: 8                     # unused registers worth reading through (default 8, 0 = never)
/// sunspec: { bases: [40000, 0, 50000] }   # only for SunSpec devices
/// defaults: { function: input, type: float32, wordOrder: high-first, byteOrder: big, unavailable: [0xFFFF] }
/// values:
///   - name: energy-import
///     address: 0x0048           # 0-based wire address; SunSpec: model: [101, 103] and offset: 22
///     function: input           # input | holding | coil
///     type: float32             # int16 uint16 int32 uint32 int64 uint64 float32 float64
///     wordOrder: high-first     # high-first | low-first
///     byteOrder: big            # big | little (bytes inside each register)
///     scale: 1                  # engineering = raw * scale (* 10^scaleFactor)
///     scaleFactor: energy-sf    # name of an int16 value (SunSpec sunssf)
///     unavailable: [0xFFFFFFFF] # raw patterns meaning "not available", or "sunspec"
///     unit: kWh
///     measurand: Energy.Active.Import.Register   # OCPP measurand it feeds
///     phase: L1                 # L1 L2 L3 L1-N L2-N L3-N N
///     optional: true            # exception at probe -> unavailable, device still works
///     writable: true            # setpoint (holding or coil), written with read-back
///     min: 6                    # allowed write range (both or neither)
///     max: 32
/// ```
public enum ProfileParser {
    static let profileKeys: Set<String> = [
        "name", "manufacturer", "model", "description", "source", "unitId",
        "maxRegistersPerRequest", "maxGap", "sunspec", "defaults", "values",
    ]
    static let defaultKeys: Set<String> = ["function", "type", "wordOrder", "byteOrder", "unavailable"]
    static let valueKeys: Set<String> = [
        "name", "function", "address", "model", "offset", "type", "wordOrder", "byteOrder", "scale",
        "scaleFactor", "unit", "measurand", "phase", "optional", "writable", "min", "max", "unavailable",
    ]

    public static func parse(yaml text: String, origin: String) throws(ProfileValidationError) -> DeviceProfile {
        var problems: [String] = []
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw ProfileValidationError(origin: origin, problems: ["not valid YAML: \(error)"])
        }
        guard let document = root as? [String: Any] else {
            throw ProfileValidationError(origin: origin, problems: ["expected a mapping with name, values, ... at the top level"])
        }
        var reader = FieldReader(problems: [])
        reader.rejectUnknown(document, allowed: profileKeys, at: "")

        let name = reader.string(document, "name", at: "", required: true) ?? ""
        if !name.isEmpty, !name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) {
            reader.problems.append("name '\(name)' must use lowercase letters, digits and dashes only")
        }
        let manufacturer = reader.string(document, "manufacturer", at: "", required: true) ?? ""
        let model = reader.string(document, "model", at: "", required: true) ?? ""
        let description = reader.string(document, "description", at: "") ?? ""
        let source = reader.string(document, "source", at: "") ?? ""
        let unitId = reader.int(document, "unitId", at: "", range: 0...255)
        let maxRegisters = reader.int(document, "maxRegistersPerRequest", at: "", range: 1...125) ?? 100
        let maxGap = reader.int(document, "maxGap", at: "", range: 0...125) ?? 8

        var sunSpec: SunSpecDiscovery?
        if let block = document["sunspec"] {
            if let flag = block as? Bool {
                sunSpec = flag ? SunSpecDiscovery() : nil
            } else if let mapping = block as? [String: Any] {
                reader.rejectUnknown(mapping, allowed: ["bases"], at: "sunspec.")
                let bases = reader.intList(mapping, "bases", at: "sunspec.", range: 0...65535) ?? [40000, 0, 50000]
                sunSpec = SunSpecDiscovery(baseAddresses: bases)
            } else {
                reader.problems.append("sunspec: expected true or a mapping with 'bases'")
            }
        }

        let defaults = (document["defaults"] as? [String: Any]) ?? [:]
        if document["defaults"] != nil, document["defaults"] as? [String: Any] == nil {
            reader.problems.append("defaults: expected a mapping")
        }
        reader.rejectUnknown(defaults, allowed: defaultKeys, at: "defaults.")

        var values: [ProfileValue] = []
        if let list = document["values"] as? [Any], !list.isEmpty {
            for (index, item) in list.enumerated() {
                let path = "values[\(index)]"
                guard let entry = item as? [String: Any] else {
                    reader.problems.append("\(path): expected a mapping")
                    continue
                }
                if let value = reader.value(entry, defaults: defaults, at: path, sunSpec: sunSpec != nil) {
                    values.append(value)
                }
            }
        } else {
            reader.problems.append("values: expected a non-empty list of register values")
        }
        problems = reader.problems

        let profile = DeviceProfile(
            name: name, manufacturer: manufacturer, model: model, description: description, source: source,
            defaultUnitId: unitId,
            limits: .init(maxRegistersPerRequest: maxRegisters, maxGap: maxGap),
            sunSpec: sunSpec, values: values)
        problems += ProfileValidator.problems(in: profile)
        if !problems.isEmpty { throw ProfileValidationError(origin: origin, problems: problems) }
        return profile
    }
}

/// Cross-value checks on a parsed profile.
public enum ProfileValidator {
    public static func problems(in profile: DeviceProfile) -> [String] {
        var problems: [String] = []
        var seen: Set<String> = []
        for value in profile.values {
            let label = "value '\(value.name)'"
            if !seen.insert(value.name).inserted { problems.append("\(label) is defined twice; names must be unique") }
            if let sf = value.scaleFactor {
                if sf == value.name {
                    problems.append("\(label): scaleFactor cannot refer to itself")
                } else if let target = profile.value(named: sf) {
                    if target.layout.type != .int16 {
                        problems.append("\(label): scaleFactor '\(sf)' must be an int16 value, not \(target.layout.type.rawValue)")
                    }
                } else {
                    problems.append("\(label): scaleFactor '\(sf)' is not a value of this profile")
                }
            }
            if value.isWritable, value.function == .input {
                problems.append("\(label): input registers cannot be written; use function holding or coil")
            }
            if value.registerCount > profile.limits.maxRegistersPerRequest {
                problems.append("\(label) needs \(value.registerCount) registers, more than maxRegistersPerRequest \(profile.limits.maxRegistersPerRequest)")
            }
            if case let .address(address) = value.location, address + value.registerCount > 65536 {
                problems.append("\(label) at address \(address) runs past register 65535")
            }
            if case .sunSpec = value.location, profile.sunSpec == nil {
                problems.append("\(label) uses model/offset but the profile has no 'sunspec' block")
            }
        }
        return problems
    }
}
