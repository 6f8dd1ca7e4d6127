/// A device's register map, loaded from YAML data (shipped or dropped in by an integrator).
public struct DeviceProfile: Sendable, Hashable, Identifiable {
    /// Unique name, e.g. "eastron-sdm630". Lowercase letters, digits and dashes.
    public var name: String
    public var manufacturer: String
    public var model: String
    public var description: String
    /// Where the register map comes from (vendor document, reference implementation).
    public var source: String
    /// Unit id the device answers at out of the box, if it has a fixed one.
    public var defaultUnitId: Int?
    public var limits: ReadPlanner.Limits
    /// Present for SunSpec devices: values are located through the model chain.
    public var sunSpec: SunSpecDiscovery?
    public var values: [ProfileValue]

    public var id: String { name }

    public init(
        name: String, manufacturer: String, model: String, description: String = "", source: String = "",
        defaultUnitId: Int? = nil, limits: ReadPlanner.Limits = .init(), sunSpec: SunSpecDiscovery? = nil,
        values: [ProfileValue]
    ) {
        self.name = name
        self.manufacturer = manufacturer
        self.model = model
        self.description = description
        self.source = source
        self.defaultUnitId = defaultUnitId
        self.limits = limits
        self.sunSpec = sunSpec
        self.values = values
    }

    public func value(named name: String) -> ProfileValue? {
        values.first { $0.name == name }
    }
}

/// Where to look for the SunSpec "SunS" marker.
public struct SunSpecDiscovery: Sendable, Hashable {
    public var baseAddresses: [Int]
    public init(baseAddresses: [Int] = [40000, 0, 50000]) { self.baseAddresses = baseAddresses }
}

/// Where a value lives.
public enum ValueLocation: Sendable, Hashable {
    /// A fixed register address (0-based, as sent on the wire).
    case address(Int)
    /// `offset` registers after the first data register of the first model in `models`
    /// found in the SunSpec chain (the model's ID and length registers are not counted).
    case sunSpec(models: [Int], offset: Int)
}

/// One value of a profile.
public struct ProfileValue: Sendable, Hashable {
    public var name: String
    public var function: RegisterFunction
    public var location: ValueLocation
    public var layout: ValueLayout
    /// Name of another value (int16) holding a power-of-ten scale factor (SunSpec style).
    public var scaleFactor: String?
    public var unit: String
    public var measurand: Measurand?
    public var phase: Phase?
    /// If the device answers with an exception at probe time, the value is marked unavailable.
    public var isOptional: Bool
    /// A setpoint: written with read-back.
    public var isWritable: Bool
    /// Allowed range for writes, in engineering units.
    public var writeRange: ClosedRange<Double>?

    public init(
        name: String, function: RegisterFunction = .input, location: ValueLocation, layout: ValueLayout,
        scaleFactor: String? = nil, unit: String = "", measurand: Measurand? = nil, phase: Phase? = nil,
        isOptional: Bool = false, isWritable: Bool = false, writeRange: ClosedRange<Double>? = nil
    ) {
        self.name = name
        self.function = function
        self.location = location
        self.layout = layout
        self.scaleFactor = scaleFactor
        self.unit = unit
        self.measurand = measurand
        self.phase = phase
        self.isOptional = isOptional
        self.isWritable = isWritable
        self.writeRange = writeRange
    }

    /// Registers (or coils) the value occupies.
    public var registerCount: Int { function == .coil ? 1 : layout.type.registerCount }
}
