import Testing
@testable import LockerIO

/// Bytes exactly as the kernel writes `struct input_event` (little-endian).
func kernelEvent(_ layout: InputEventLayout, seconds: Int64, micros: Int64, type: UInt16, code: UInt16, value: Int32) -> [UInt8] {
    func little<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    let time = layout == .lp64 ? little(seconds) + little(micros) : little(Int32(seconds)) + little(Int32(micros))
    return time + little(type) + little(code) + little(value)
}

private func keyStrokes(_ layout: InputEventLayout, codes: [UInt16]) -> [UInt8] {
    var bytes: [UInt8] = []
    for (index, code) in codes.enumerated() {
        let micros = Int64(index) * 8_000
        // A real keyboard report: MSC_SCAN, key down, SYN_REPORT, key up, SYN_REPORT.
        bytes += kernelEvent(layout, seconds: 1_700_000_000, micros: micros, type: 4, code: 4, value: 0x7001e)
        bytes += kernelEvent(layout, seconds: 1_700_000_000, micros: micros, type: 1, code: code, value: 1)
        bytes += kernelEvent(layout, seconds: 1_700_000_000, micros: micros, type: 0, code: 0, value: 0)
        bytes += kernelEvent(layout, seconds: 1_700_000_000, micros: micros + 4_000, type: 1, code: code, value: 0)
        bytes += kernelEvent(layout, seconds: 1_700_000_000, micros: micros + 4_000, type: 0, code: 0, value: 0)
    }
    return bytes
}

@Suite("Linux input events")
struct InputEventTests {
    @Test("the 64-bit layout is 24 bytes: timeval(16), type, code, value")
    func lp64Layout() throws {
        let bytes = kernelEvent(.lp64, seconds: 1_700_000_123, micros: 456_789, type: 1, code: 30, value: 1)
        #expect(bytes.count == 24)
        let event = try #require(InputEventLayout.lp64.decode(bytes))
        #expect(event == InputEvent(seconds: 1_700_000_123, microseconds: 456_789, type: 1, code: 30, value: 1))
    }

    @Test("the 32-bit ARM layout is 16 bytes: timeval(8), type, code, value")
    func ilp32Layout() throws {
        let bytes = kernelEvent(.ilp32, seconds: 1_700_000_123, micros: 456_789, type: 1, code: 28, value: 2)
        #expect(bytes.count == 16)
        let event = try #require(InputEventLayout.ilp32.decode(bytes))
        #expect(event == InputEvent(seconds: 1_700_000_123, microseconds: 456_789, type: 1, code: 28, value: 2))
        #expect(!event.isKeyPress)
    }

    @Test("negative values survive sign extension")
    func negativeValue() throws {
        let bytes = kernelEvent(.ilp32, seconds: 5, micros: 0, type: 2, code: 0, value: -3)
        #expect(InputEventLayout.ilp32.decode(bytes)?.value == -3)
    }

    @Test("the native layout matches this machine's word size")
    func nativeLayout() {
        #expect(InputEventLayout.native.size == (MemoryLayout<Int>.size == 8 ? 24 : 16))
    }

    @Test("the parser keeps partial events across reads", arguments: [InputEventLayout.lp64, .ilp32])
    func partialReads(layout: InputEventLayout) {
        let bytes = keyStrokes(layout, codes: [2, 3])
        var parser = InputEventParser(layout: layout)
        let first = parser.feed(bytes[0..<(layout.size + 5)])
        let rest = parser.feed(bytes[(layout.size + 5)...])
        #expect(first.count == 1)
        #expect(rest.count == 9)
        #expect((first + rest).filter(\.isKeyPress).map(\.code) == [2, 3])
    }

    @Test("key codes map to characters and control keys")
    func keyCodes() {
        #expect(ReaderKey(linuxKeyCode: 2) == .character("1"))
        #expect(ReaderKey(linuxKeyCode: 11) == .character("0"))
        #expect(ReaderKey(linuxKeyCode: 30) == .character("A"))
        #expect(ReaderKey(linuxKeyCode: 18) == .character("E"))
        #expect(ReaderKey(linuxKeyCode: 79) == .character("1"))
        #expect(ReaderKey(linuxKeyCode: 28) == .enter)
        #expect(ReaderKey(linuxKeyCode: 96) == .enter)
        #expect(ReaderKey(linuxKeyCode: 42) == nil)  // KEY_LEFTSHIFT
    }

    @Test("a keyboard-wedge card read becomes an idTag when Enter comes", arguments: [InputEventLayout.lp64, .ilp32])
    func cardFromKeyStrokes(layout: InputEventLayout) {
        // "1193046" then Enter: KEY_1=2, KEY_9=10, KEY_3=4, KEY_0=11, KEY_4=5, KEY_6=7, KEY_ENTER=28.
        let bytes = keyStrokes(layout, codes: [2, 2, 10, 4, 11, 5, 7, 28])
        var decoder = InputDeviceCardDecoder(format: .decimal, layout: layout)
        #expect(decoder.feed(Array(bytes), at: .ms(0)) == [.cardPresented(IdTag(cardNumber: [0x12, 0x34, 0x56])!)])
    }
}
