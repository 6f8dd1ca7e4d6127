/// Faults a simulated device can be told to show.
public enum SimulatorFault: Sendable, Hashable {
    /// Never answer (the client times out).
    case silent
    /// Answer every request with this exception.
    case exception(ModbusExceptionCode)
    /// Answer with a frame that does not match the request.
    case garbage
}

/// The register image of one simulated device, encoded from engineering values through its
/// profile (the same profile a reader uses to decode). A value type: the server owns it.
public struct SimulatedDevice: Sendable {
    public let unit: Int
    public let profile: DeviceProfile
    /// Resolved address per value.
    public private(set) var addresses: [String: Int] = [:]
    public private(set) var engineering: [String: Double?] = [:]
    public var fault: SimulatorFault?
    /// Values that answer with "illegal data address" (to exercise optional registers).
    public var unsupported: Set<String> = []
    private(set) var tables: [RegisterFunction: [Int: UInt16]] = [:]
    /// Address ranges that exist per table; reads outside them get "illegal data address".
    private(set) var defined: [RegisterFunction: [Range<Int>]] = [:]

    /// Standard SunSpec model lengths; model 160 is laid out with two MPPT modules.
    static let sunSpecLengths: [Int: Int] = [1: 66, 101: 50, 102: 50, 103: 50, 111: 60, 112: 60, 113: 60, 160: 48]

    /// - Parameter sunSpecModels: the chain to publish (default: model 1, then the last model
    ///   listed by each value group, e.g. 103 and 160).
    public init(unit: Int, profile: DeviceProfile, sunSpecBase: Int = 40000, sunSpecModels: [Int]? = nil) {
        self.unit = unit
        self.profile = profile
        if profile.sunSpec != nil {
            layoutSunSpec(base: sunSpecBase, models: sunSpecModels ?? defaultModels())
        } else {
            for value in profile.values {
                if case let .address(address) = value.location { addresses[value.name] = address }
            }
            // Plain meters answer reads across the holes of their map (with zeros).
            for function in RegisterFunction.allCases {
                let spans = profile.values.filter { $0.function == function }.compactMap { value in
                    addresses[value.name].map { $0..<($0 + value.registerCount) }
                }
                if let low = spans.map(\.lowerBound).min(), let high = spans.map(\.upperBound).max() {
                    defined[function] = [low..<high]
                }
            }
        }
        for value in profile.values where addresses[value.name] != nil {
            set(value.name, to: 0)
        }
    }

    private func defaultModels() -> [Int] {
        var models = [1]
        for value in profile.values {
            if case let .sunSpec(wanted, _) = value.location, let last = wanted.last, !models.contains(last) {
                models.append(last)
            }
        }
        return models
    }

    private mutating func layoutSunSpec(base: Int, models: [Int]) {
        var image: [Int: UInt16] = [base: SunSpecChain.marker[0], base + 1: SunSpecChain.marker[1]]
        var chain: [SunSpecModel] = []
        var address = base + 2
        for id in models {
            let needed = profile.values.compactMap { value -> Int? in
                if case let .sunSpec(wanted, offset) = value.location, wanted.contains(id) { return offset + value.registerCount }
                return nil
            }.max() ?? 0
            let length = Self.sunSpecLengths[id] ?? needed
            chain.append(SunSpecModel(id: id, address: address, length: length))
            image[address] = UInt16(id)
            image[address + 1] = UInt16(length)
            for offset in 0..<length { image[address + 2 + offset] = 0 }
            if id == 160 { image[address + 2 + 6] = 2 }  // N: two MPPT modules
            address += 2 + length
        }
        image[address] = 0xFFFF
        image[address + 1] = 0
        tables[.holding] = image
        defined[.holding] = [base..<(address + 2)]
        for value in profile.values {
            if case let .sunSpec(wanted, offset) = value.location,
               let resolved = SunSpecChain.resolve(models: wanted, offset: offset, registerCount: value.registerCount, in: chain) {
                addresses[value.name] = resolved
            }
        }
    }

    /// Sets an engineering value (nil = "not available": encodes the sentinel or NaN).
    /// Returns false for a name the profile does not have.
    @discardableResult
    public mutating func set(_ name: String, to value: Double?) -> Bool {
        guard let spec = profile.value(named: name), addresses[name] != nil else { return false }
        engineering[name] = value
        encode(spec)
        // Values scaled by this one are re-encoded so their engineering value stays put.
        for dependent in profile.values where dependent.scaleFactor == name {
            if engineering[dependent.name] != nil { encode(dependent) }
        }
        return true
    }

    /// Sets the value feeding an OCPP measurand (and phase). False if the profile has none.
    @discardableResult
    public mutating func set(_ measurand: Measurand, phase: Phase? = nil, to value: Double?) -> Bool {
        guard let spec = profile.values.first(where: { $0.measurand == measurand && $0.phase == phase }) else { return false }
        return set(spec.name, to: value)
    }

    public func value(_ name: String) -> Double? {
        engineering[name] ?? nil
    }

    private mutating func encode(_ spec: ProfileValue) {
        guard let address = addresses[spec.name] else { return }
        let value = engineering[spec.name] ?? nil
        let words: [UInt16]
        if spec.function == .coil {
            words = [(value ?? 0) != 0 ? 1 : 0]
        } else {
            var scaleFactor: Int?
            if let sf = spec.scaleFactor { scaleFactor = Int((engineering[sf] ?? nil) ?? 0) }
            words = RegisterCodec.encode(value, layout: spec.layout, scaleFactor: scaleFactor)
        }
        for (index, word) in words.enumerated() {
            tables[spec.function, default: [:]][address + index] = word
        }
    }

    /// Answer to a read: registers, or the exception a real device would send.
    func read(_ function: RegisterFunction, address: Int, count: Int) -> Result<[UInt16], ModbusExceptionCode> {
        let span = RegisterSpan(function: function, address: address, count: count)
        guard isDefined(span) else { return .failure(.illegalDataAddress) }
        if touchesUnsupported(span) { return .failure(.illegalDataAddress) }
        let table = tables[function] ?? [:]
        return .success((address..<(address + count)).map { table[$0] ?? 0 })
    }

    /// Applies a write from a client; only writable values within their range are accepted.
    mutating func write(_ function: RegisterFunction, address: Int, words: [UInt16]) -> ModbusExceptionCode? {
        let span = RegisterSpan(function: function, address: address, count: words.count)
        let targets = profile.values.filter { value in
            guard value.function == function, let start = addresses[value.name] else { return false }
            return start < span.end && start + value.registerCount > span.address
        }
        guard !targets.isEmpty, targets.allSatisfy(\.isWritable), !touchesUnsupported(span) else { return .illegalDataAddress }
        var candidate = tables[function] ?? [:]
        for (index, word) in words.enumerated() { candidate[address + index] = word }
        var decoded: [String: Double] = [:]
        for target in targets {
            let start = addresses[target.name]!
            let registers = (start..<(start + target.registerCount)).map { candidate[$0] ?? 0 }
            let value = function == .coil ? Double(registers[0]) : RegisterCodec.decode(registers, layout: target.layout)
            guard let value else { return .illegalDataValue }
            if let range = target.writeRange, !range.contains(value) { return .illegalDataValue }
            decoded[target.name] = value
        }
        tables[function] = candidate
        for (name, value) in decoded { engineering[name] = value }
        return nil
    }

    private func isDefined(_ span: RegisterSpan) -> Bool {
        (defined[span.function] ?? []).contains { $0.lowerBound <= span.address && span.end <= $0.upperBound }
    }

    private func touchesUnsupported(_ span: RegisterSpan) -> Bool {
        unsupported.contains { name in
            guard let spec = profile.value(named: name), spec.function == span.function, let start = addresses[name] else { return false }
            return start < span.end && start + spec.registerCount > span.address
        }
    }
}
