import Foundation

/// Converts between 16-bit registers and numbers, honouring word order, byte order,
/// scaling and "not available" sentinels. Pure.
public enum RegisterCodec {
    /// Raw bits of a value, right-aligned in a UInt64 (after word and byte reordering).
    public static func rawBits(
        _ registers: some Collection<UInt16>, type: RegisterDataType,
        wordOrder: WordOrder, byteOrder: ByteOrder
    ) -> UInt64? {
        guard registers.count >= type.registerCount else { return nil }
        var words = Array(registers.prefix(type.registerCount))
        if byteOrder == .little { words = words.map { $0.byteSwapped } }
        if wordOrder == .lowFirst { words.reverse() }
        return words.reduce(UInt64(0)) { ($0 << 16) | UInt64($1) }
    }

    /// Registers carrying `bits` for the given layout (inverse of `rawBits`).
    public static func registers(
        bits: UInt64, type: RegisterDataType, wordOrder: WordOrder, byteOrder: ByteOrder
    ) -> [UInt16] {
        let count = type.registerCount
        var words = (0..<count).map { index in
            UInt16(truncatingIfNeeded: bits >> (16 * UInt64(count - 1 - index)))
        }
        if wordOrder == .lowFirst { words.reverse() }
        if byteOrder == .little { words = words.map { $0.byteSwapped } }
        return words
    }

    /// Numeric value of raw bits; nil for NaN (floats use NaN for "not available").
    public static func number(bits: UInt64, type: RegisterDataType) -> Double? {
        let value: Double
        switch type {
        case .int16: value = Double(Int16(truncatingIfNeeded: bits))
        case .uint16: value = Double(UInt16(truncatingIfNeeded: bits))
        case .int32: value = Double(Int32(truncatingIfNeeded: bits))
        case .uint32: value = Double(UInt32(truncatingIfNeeded: bits))
        case .int64: value = Double(Int64(bitPattern: bits))
        case .uint64: value = Double(bits)
        case .float32: value = Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .float64: value = Double(bitPattern: bits)
        }
        return value.isNaN ? nil : value
    }

    /// Raw bits for a number, rounding and clamping integers into the type's range.
    public static func bits(for number: Double, type: RegisterDataType) -> UInt64 {
        func clamped<T: FixedWidthInteger>(_: T.Type) -> T {
            let rounded = number.rounded()
            if rounded.isNaN { return 0 }
            if rounded <= Double(T.min) { return T.min }
            if rounded >= Double(T.max) { return T.max }
            return T(rounded)
        }
        switch type {
        case .int16: return UInt64(UInt16(bitPattern: clamped(Int16.self)))
        case .uint16: return UInt64(clamped(UInt16.self))
        case .int32: return UInt64(UInt32(bitPattern: clamped(Int32.self)))
        case .uint32: return UInt64(clamped(UInt32.self))
        case .int64: return UInt64(bitPattern: clamped(Int64.self))
        case .uint64: return clamped(UInt64.self)
        case .float32: return UInt64(Float(number).bitPattern)
        case .float64: return number.bitPattern
        }
    }

    /// The conventional SunSpec "not implemented" pattern for a type.
    public static func sunSpecSentinel(for type: RegisterDataType) -> UInt64? {
        switch type {
        case .int16: 0x8000
        case .uint16: 0xFFFF
        case .int32: 0x8000_0000
        case .uint32: 0xFFFF_FFFF
        case .int64: 0x8000_0000_0000_0000
        case .uint64: 0xFFFF_FFFF_FFFF_FFFF
        case .float32, .float64: nil
        }
    }

    /// Decodes one value. Returns nil when the registers hold a sentinel or NaN
    /// ("not available" is not zero).
    public static func decode(
        _ registers: some Collection<UInt16>, layout: ValueLayout, scaleFactor: Int? = nil
    ) -> Double? {
        guard let bits = rawBits(registers, type: layout.type,
                                 wordOrder: layout.wordOrder, byteOrder: layout.byteOrder)
        else { return nil }
        if layout.sentinels.contains(bits) { return nil }
        guard let number = number(bits: bits, type: layout.type) else { return nil }
        var value = number * layout.scale
        if let scaleFactor { value *= pow(10, Double(scaleFactor)) }
        return value + layout.offset
    }

    /// Encodes an engineering value into registers (inverse of `decode`).
    /// `nil` encodes the first sentinel (or NaN for floats).
    public static func encode(_ value: Double?, layout: ValueLayout, scaleFactor: Int? = nil) -> [UInt16] {
        let bits: UInt64
        if let value {
            var raw = value - layout.offset
            if let scaleFactor { raw /= pow(10, Double(scaleFactor)) }
            raw /= layout.scale
            bits = Self.bits(for: raw, type: layout.type)
        } else if let sentinel = layout.sentinels.first {
            bits = sentinel
        } else {
            bits = Self.bits(for: .nan, type: layout.type)
        }
        return registers(bits: bits, type: layout.type, wordOrder: layout.wordOrder, byteOrder: layout.byteOrder)
    }
}

/// Everything the codec needs to know about one value's encoding.
public struct ValueLayout: Sendable, Hashable {
    public var type: RegisterDataType
    public var wordOrder: WordOrder
    public var byteOrder: ByteOrder
    /// engineering = raw * scale (* 10^scaleFactor) + offset
    public var scale: Double
    public var offset: Double
    /// Raw bit patterns meaning "not available".
    public var sentinels: [UInt64]

    public init(
        type: RegisterDataType, wordOrder: WordOrder = .highFirst, byteOrder: ByteOrder = .big,
        scale: Double = 1, offset: Double = 0, sentinels: [UInt64] = []
    ) {
        self.type = type
        self.wordOrder = wordOrder
        self.byteOrder = byteOrder
        self.scale = scale
        self.offset = offset
        self.sentinels = sentinels
    }
}
