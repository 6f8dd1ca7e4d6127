// Register-level vocabulary shared by profiles, the codec, the planner and the simulator.

/// Which Modbus table a value lives in.
public enum RegisterFunction: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    /// Function 04 (read input registers).
    case input
    /// Function 03 (read holding registers), 06/16 to write.
    case holding
    /// Function 01 (read coils), 05 to write. One bit per address.
    case coil

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.sortKey < rhs.sortKey
    }

    private var sortKey: Int {
        switch self {
        case .input: 0
        case .holding: 1
        case .coil: 2
        }
    }
}

/// How the raw register content is interpreted.
public enum RegisterDataType: String, Sendable, Codable, CaseIterable, Hashable {
    case int16, uint16, int32, uint32, int64, uint64, float32, float64

    /// Number of 16-bit registers the type occupies.
    public var registerCount: Int {
        switch self {
        case .int16, .uint16: 1
        case .int32, .uint32, .float32: 2
        case .int64, .uint64, .float64: 4
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
    public var isSigned: Bool { self == .int16 || self == .int32 || self == .int64 }
}

/// Order of the 16-bit words of a multi-register value.
public enum WordOrder: String, Sendable, Codable, Hashable, CaseIterable {
    /// Most significant word at the lowest address (Modbus "big endian", ABCD).
    case highFirst = "high-first"
    /// Least significant word at the lowest address (e.g. Carlo Gavazzi, CDAB).
    case lowFirst = "low-first"
}

/// Order of the two bytes inside each register.
public enum ByteOrder: String, Sendable, Codable, Hashable, CaseIterable {
    /// As the Modbus specification says: high byte first.
    case big
    /// Swapped bytes inside each register (BADC / DCBA layouts).
    case little
}

/// The OCPP 1.6 measurands a value can feed.
public enum Measurand: String, Sendable, Codable, CaseIterable, Hashable {
    case energyActiveImportRegister = "Energy.Active.Import.Register"
    case energyActiveExportRegister = "Energy.Active.Export.Register"
    case powerActiveImport = "Power.Active.Import"
    case powerActiveExport = "Power.Active.Export"
    case currentImport = "Current.Import"
    case currentExport = "Current.Export"
    case currentOffered = "Current.Offered"
    case voltage = "Voltage"
    case frequency = "Frequency"
}

/// Phase qualifier, as OCPP spells it.
public enum Phase: String, Sendable, Codable, CaseIterable, Hashable {
    case l1 = "L1", l2 = "L2", l3 = "L3"
    case l1N = "L1-N", l2N = "L2-N", l3N = "L3-N"
    case n = "N"
}

/// A contiguous run of registers (or coils) in one table.
public struct RegisterSpan: Sendable, Hashable, Comparable {
    public var function: RegisterFunction
    public var address: Int
    public var count: Int

    public init(function: RegisterFunction, address: Int, count: Int) {
        self.function = function
        self.address = address
        self.count = count
    }

    /// One past the last address.
    public var end: Int { address + count }

    public func overlaps(_ other: RegisterSpan) -> Bool {
        other.function == function && other.address < end && address < other.end
    }

    public func contains(_ other: RegisterSpan) -> Bool {
        other.function == function && other.address >= address && other.end <= end
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.function, lhs.address, lhs.count) < (rhs.function, rhs.address, rhs.count)
    }
}
