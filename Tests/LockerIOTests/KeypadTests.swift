import Testing
@testable import LockerIO

@Suite("Keypad entries")
struct KeypadTests {
    private func type(_ keys: [ReaderKey], into assembler: inout KeypadAssembler, from start: Int64 = 0, every step: Int64 = 500)
        -> [KeypadAssembler.Outcome]
    {
        keys.enumerated().flatMap { index, key in assembler.key(key, at: .ms(start + Int64(index) * step)) }
    }

    private func keys(_ text: String) -> [ReaderKey] { text.map { .character($0) } }

    @Test("an entry ends with the end key")
    func endKey() {
        var assembler = KeypadAssembler()
        #expect(type(keys("4711#"), into: &assembler) == [.entry(KeypadEntry("4711"))])
        #expect(type(keys("12") + [.enter], into: &assembler, from: 10_000) == [.entry(KeypadEntry("12"))])
    }

    @Test("the end key is configurable")
    func customEndKey() {
        var assembler = KeypadAssembler(settings: .init(endKeys: [.character("A")], cancelKeys: []))
        #expect(type(keys("12#3A"), into: &assembler) == [.entry(KeypadEntry("12#3"))])
    }

    @Test("cancel clears, backspace removes one character")
    func editing() {
        var assembler = KeypadAssembler()
        #expect(type(keys("99*12") + [.backspace] + keys("3#"), into: &assembler) == [.entry(KeypadEntry("13"))])
    }

    @Test("a pause longer than the timeout drops the partial entry")
    func timeout() {
        var assembler = KeypadAssembler(settings: .init(timeout: .seconds(5)))
        _ = type(keys("47"), into: &assembler)
        #expect(assembler.nextDeadline == .ms(5_500))
        #expect(assembler.advance(to: .ms(5_499)) == nil)
        #expect(assembler.advance(to: .ms(5_500)) == .timedOut(characters: 2))
        #expect(type(keys("11#"), into: &assembler, from: 6_000) == [.entry(KeypadEntry("11"))])
    }

    @Test("a late key after the timeout reports the timeout and starts fresh")
    func lateKey() {
        var assembler = KeypadAssembler(settings: .init(timeout: .seconds(5)))
        _ = type(keys("47"), into: &assembler)
        #expect(assembler.key(.character("1"), at: .ms(60_000)) == [.timedOut(characters: 2)])
        #expect(assembler.key(.character("#"), at: .ms(60_100)) == [.entry(KeypadEntry("1"))])
    }

    @Test("an entry's description never shows the PIN")
    func redacted() {
        #expect(!"\(KeypadEntry("4711"))".contains("4711"))
    }

    @Test("a serial keypad's bytes become entries")
    func serialKeypad() {
        var decoder = SerialKeypadDecoder()
        #expect(decoder.feed(Array("12".utf8), at: .ms(0)).isEmpty)
        #expect(decoder.feed(Array("3\r".utf8), at: .ms(100)) == [.keypadEntry(KeypadEntry("123"))])
    }
}
