import Testing
@testable import MeterBus

@Suite("Register codec")
struct RegisterCodecTests {
    @Test("float32 230.5 in all four word/byte orders", arguments: [
        (WordOrder.highFirst, ByteOrder.big, [UInt16(0x4366), 0x8000]),
        (.lowFirst, .big, [0x8000, 0x4366]),
        (.highFirst, .little, [0x6643, 0x0080]),
        (.lowFirst, .little, [0x0080, 0x6643]),
    ])
    func float32Orders(wordOrder: WordOrder, byteOrder: ByteOrder, registers: [UInt16]) {
        let layout = ValueLayout(type: .float32, wordOrder: wordOrder, byteOrder: byteOrder)
        #expect(RegisterCodec.decode(registers, layout: layout) == 230.5)
        #expect(RegisterCodec.encode(230.5, layout: layout) == registers)
    }

    @Test("every integer type decodes known patterns", arguments: [
        (RegisterDataType.int16, [UInt16(0xFFFE)], -2.0),
        (.uint16, [0xFFFE], 65534),
        (.int32, [0xFFFE, 0x7960], -100_000),
        (.uint32, [0xEE6B, 0x2800], 4_000_000_000),
        (.int64, [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF], -1),
        (.int64, [0x0000, 0x011F, 0x71FB, 0x04CB], 1_234_567_890_123),
        (.uint64, [0x0000, 0x0000, 0x0001, 0x0000], 65536),
        (.float64, [0x4093, 0x4A00, 0x0000, 0x0000], 1234.5),
    ])
    func integerTypes(type: RegisterDataType, registers: [UInt16], expected: Double) {
        let layout = ValueLayout(type: type)
        #expect(RegisterCodec.decode(registers, layout: layout) == expected)
        #expect(RegisterCodec.encode(expected, layout: layout) == registers)
    }

    @Test("64-bit values with the low word first reverse all four words")
    func lowFirst64() {
        let layout = ValueLayout(type: .int64, wordOrder: .lowFirst)
        #expect(RegisterCodec.decode([0x04CB, 0x71FB, 0x011F, 0x0000], layout: layout) == 1_234_567_890_123)
        let swapped = ValueLayout(type: .uint32, wordOrder: .highFirst, byteOrder: .little)
        #expect(RegisterCodec.decode([0x6BEE, 0x0028], layout: swapped) == 4_000_000_000)
    }

    @Test("scale and power-of-ten scale factors")
    func scaling() {
        #expect(RegisterCodec.decode([2305], layout: ValueLayout(type: .uint16), scaleFactor: -1) == 230.5)
        #expect(RegisterCodec.decode([5], layout: ValueLayout(type: .int16), scaleFactor: 3) == 5000)
        let energy = ValueLayout(type: .uint64, scale: 0.01)
        #expect(RegisterCodec.decode([0, 0, 0, 12345], layout: energy) == 123.45)
        #expect(RegisterCodec.encode(123.45, layout: energy) == [0, 0, 0, 12345])
        #expect(RegisterCodec.encode(230.5, layout: ValueLayout(type: .uint16), scaleFactor: -1) == [2305])
    }

    @Test("sentinels and NaN mean not available, not zero")
    func sentinels() {
        let int16 = ValueLayout(type: .int16, sentinels: [RegisterCodec.sunSpecSentinel(for: .int16)!])
        #expect(RegisterCodec.decode([0x8000], layout: int16) == nil)
        #expect(RegisterCodec.decode([0x0000], layout: int16) == 0)
        let uint16 = ValueLayout(type: .uint16, sentinels: [0xFFFF])
        #expect(RegisterCodec.decode([0xFFFF], layout: uint16) == nil)
        let acc32 = ValueLayout(type: .uint32, sentinels: [0])
        #expect(RegisterCodec.decode([0, 0], layout: acc32) == nil)
        let float = ValueLayout(type: .float32)
        #expect(RegisterCodec.decode([0x7FC0, 0x0000], layout: float) == nil)
        #expect(RegisterCodec.encode(nil, layout: uint16) == [0xFFFF])
        #expect(RegisterCodec.decode(RegisterCodec.encode(nil, layout: float), layout: float) == nil)
        // A sentinel for the type's width is matched after word reordering.
        let signed = ValueLayout(type: .int32, wordOrder: .lowFirst, sentinels: [0x7FFF_FFFF])
        #expect(RegisterCodec.decode([0xFFFF, 0x7FFF], layout: signed) == nil)
    }

    @Test("too few registers decode to nil")
    func short() {
        #expect(RegisterCodec.decode([0x4366], layout: ValueLayout(type: .float32)) == nil)
    }

    @Test("encode then decode round-trips for every type and order")
    func roundTrip() {
        for type in RegisterDataType.allCases {
            for wordOrder in WordOrder.allCases {
                for byteOrder in ByteOrder.allCases {
                    let layout = ValueLayout(type: type, wordOrder: wordOrder, byteOrder: byteOrder, scale: 0.1)
                    let value = type == .uint16 || type == .uint32 || type == .uint64 ? 1234.5 : -1234.5
                    let decoded = RegisterCodec.decode(RegisterCodec.encode(value, layout: layout), layout: layout)
                    #expect(abs((decoded ?? .nan) - value) < 0.01, "\(type) \(wordOrder) \(byteOrder)")
                }
            }
        }
    }

    @Test("out-of-range integers clamp instead of wrapping")
    func clamping() {
        #expect(RegisterCodec.encode(70000, layout: ValueLayout(type: .uint16)) == [0xFFFF])
        #expect(RegisterCodec.encode(-5, layout: ValueLayout(type: .uint16)) == [0])
        #expect(RegisterCodec.encode(-40000, layout: ValueLayout(type: .int16)) == [0x8000])
    }
}
