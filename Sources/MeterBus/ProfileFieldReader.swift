/// Reads typed fields out of a YAML mapping, collecting specific problems instead of stopping
/// at the first one.
struct FieldReader {
    var problems: [String]

    mutating func rejectUnknown(_ mapping: [String: Any], allowed: Set<String>, at path: String) {
        for key in mapping.keys.sorted() where !allowed.contains(key) {
            problems.append("\(path)\(key): unknown key (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    mutating func string(_ mapping: [String: Any], _ key: String, at path: String, required: Bool = false) -> String? {
        guard let raw = mapping[key] else {
            if required { problems.append("\(path)\(key): missing (required)") }
            return nil
        }
        if let text = raw as? String { return text }
        if raw is Int || raw is Double { return "\(raw)" }
        problems.append("\(path)\(key): expected text")
        return nil
    }

    mutating func int(_ mapping: [String: Any], _ key: String, at path: String, range: ClosedRange<Int>) -> Int? {
        guard let raw = mapping[key] else { return nil }
        guard let number = raw as? Int else {
            problems.append("\(path)\(key): expected a whole number, got '\(raw)'")
            return nil
        }
        guard range.contains(number) else {
            problems.append("\(path)\(key): \(number) is outside \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return number
    }

    mutating func intList(_ mapping: [String: Any], _ key: String, at path: String, range: ClosedRange<Int>) -> [Int]? {
        guard let raw = mapping[key] else { return nil }
        let items: [Any] = (raw as? [Any]) ?? [raw]
        var result: [Int] = []
        for item in items {
            guard let number = item as? Int, range.contains(number) else {
                problems.append("\(path)\(key): '\(item)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
                return nil
            }
            result.append(number)
        }
        return result
    }

    mutating func double(_ mapping: [String: Any], _ key: String, at path: String) -> Double? {
        guard let raw = mapping[key] else { return nil }
        if let number = raw as? Double { return number }
        if let number = raw as? Int { return Double(number) }
        problems.append("\(path)\(key): expected a number, got '\(raw)'")
        return nil
    }

    mutating func bool(_ mapping: [String: Any], _ key: String, at path: String) -> Bool? {
        guard let raw = mapping[key] else { return nil }
        if let flag = raw as? Bool { return flag }
        problems.append("\(path)\(key): expected true or false, got '\(raw)'")
        return nil
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(
        _ mapping: [String: Any], _ key: String, at path: String, as _: T.Type
    ) -> T? where T.RawValue == String {
        guard let text = string(mapping, key, at: path) else { return nil }
        if let value = T(rawValue: text) { return value }
        let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
        problems.append("\(path)\(key): '\(text)' is not one of \(allowed)")
        return nil
    }

    /// Sentinels: a list of raw patterns, or the word "sunspec" for the SunSpec convention.
    mutating func sentinels(_ mapping: [String: Any], at path: String, type: RegisterDataType) -> [UInt64]? {
        guard let raw = mapping["unavailable"] else { return nil }
        if let word = raw as? String {
            if word == "sunspec" { return RegisterCodec.sunSpecSentinel(for: type).map { [$0] } ?? [] }
            problems.append("\(path)unavailable: expected 'sunspec' or a list of raw values like 0xFFFF")
            return nil
        }
        let items: [Any] = (raw as? [Any]) ?? [raw]
        var result: [UInt64] = []
        for item in items {
            guard let number = item as? Int else {
                problems.append("\(path)unavailable: '\(item)' is not a raw register value")
                return nil
            }
            result.append(UInt64(bitPattern: Int64(number)))
        }
        return result
    }

    mutating func value(_ entry: [String: Any], defaults: [String: Any], at index: String, sunSpec: Bool) -> ProfileValue? {
        let path = index + "."
        let before = problems.count
        rejectUnknown(entry, allowed: ProfileParser.valueKeys, at: path)
        let name = string(entry, "name", at: path, required: true) ?? ""
        let label = name.isEmpty ? index : "\(index) '\(name)'"
        let at = label + "."
        func merged(_ key: String) -> [String: Any] {
            entry[key] != nil ? entry : defaults
        }
        let function = choice(merged("function"), "function", at: at, as: RegisterFunction.self) ?? .input
        let type: RegisterDataType
        if function == .coil {
            type = .uint16
        } else if entry["type"] == nil, defaults["type"] == nil {
            problems.append("\(at)type: missing (required unless set in defaults)")
            type = .uint16
        } else {
            type = choice(merged("type"), "type", at: at, as: RegisterDataType.self) ?? .uint16
        }
        let wordOrder = choice(merged("wordOrder"), "wordOrder", at: at, as: WordOrder.self) ?? .highFirst
        let byteOrder = choice(merged("byteOrder"), "byteOrder", at: at, as: ByteOrder.self) ?? .big
        let sentinels = self.sentinels(merged("unavailable"), at: at, type: type) ?? []
        let scale = double(entry, "scale", at: at) ?? 1
        if scale == 0 { problems.append("\(at)scale: must not be zero") }

        var location: ValueLocation?
        let address = int(entry, "address", at: at, range: 0...65535)
        let models = intList(entry, "model", at: at, range: 1...65534)
        let offset = int(entry, "offset", at: at, range: 0...65535)
        switch (address, models, offset) {
        case let (address?, nil, nil):
            location = .address(address)
        case let (nil, models?, offset?):
            location = .sunSpec(models: models, offset: offset)
            if !sunSpec { problems.append("\(at)model: SunSpec location needs a top-level 'sunspec' block") }
        default:
            let given = ["address", "model", "offset"].filter { entry[$0] != nil }
            if given.isEmpty {
                problems.append("\(at)address: missing (give 'address', or 'model' and 'offset' for SunSpec)")
            } else if given != ["address"], given != ["model", "offset"] {
                problems.append("\(at)address: give either 'address' or both 'model' and 'offset', not a mix")
            }  // otherwise the bad field was already reported
        }
        let minimum = double(entry, "min", at: at)
        let maximum = double(entry, "max", at: at)
        var range: ClosedRange<Double>?
        if let minimum, let maximum {
            if minimum <= maximum { range = minimum...maximum } else { problems.append("\(at)min: greater than max") }
        } else if minimum != nil || maximum != nil {
            problems.append("\(at)min/max: give both or neither")
        }
        guard problems.count == before, let location else { return nil }
        return ProfileValue(
            name: name, function: function, location: location,
            layout: ValueLayout(type: type, wordOrder: wordOrder, byteOrder: byteOrder, scale: scale, sentinels: sentinels),
            scaleFactor: string(entry, "scaleFactor", at: at),
            unit: string(entry, "unit", at: at) ?? "",
            measurand: choice(entry, "measurand", at: at, as: Measurand.self),
            phase: choice(entry, "phase", at: at, as: Phase.self),
            isOptional: bool(entry, "optional", at: at) ?? false,
            isWritable: bool(entry, "writable", at: at) ?? false,
            writeRange: range)
    }
}
