import Testing
@testable import SMSAuth

@Suite("GSM 03.38 alphabet, packing and segmentation")
struct GSMEncodingTests {
    @Test("classic 'hellohello' packs to E8329BFD4697D9EC37")
    func packsHelloHello() throws {
        let septets = try #require(GSMAlphabet.encode("hellohello"))
        #expect(PDUHex.encode(GSMAlphabet.pack(septets)) == "E8329BFD4697D9EC37")
        let unpacked = try #require(GSMAlphabet.unpack(try PDUHex.decode("E8329BFD4697D9EC37"), count: 10))
        #expect(GSMAlphabet.decode(unpacked) == "hellohello")
    }

    @Test("German umlauts and ß are in the default alphabet, one septet each")
    func umlautsAreSevenBit() throws {
        let septets = try #require(GSMAlphabet.encode("äöüÄÖÜß"))
        #expect(septets == [0x7B, 0x7C, 0x7E, 0x5B, 0x5C, 0x5E, 0x1E])
        #expect(SMSSegmenter.alphabet(for: "Grüße aus Köln") == .gsm7)
    }

    @Test("extension characters are escape pairs", arguments: [
        ("€", [UInt8(0x1B), 0x65]), ("[", [0x1B, 0x3C]), ("]", [0x1B, 0x3E]), ("{", [0x1B, 0x28]),
        ("}", [0x1B, 0x29]), ("~", [0x1B, 0x3D]), ("\\", [0x1B, 0x2F]), ("^", [0x1B, 0x14]), ("|", [0x1B, 0x40]),
    ])
    func extensionTable(character: String, septets: [UInt8]) {
        #expect(GSMAlphabet.encode(character) == septets)
        #expect(GSMAlphabet.decode(septets) == character)
    }

    @Test("decoded combining accents are precomposed before choosing the alphabet")
    func combiningAccents() {
        #expect(SMSSegmenter.alphabet(for: "Cafe\u{0301}") == .gsm7)
    }

    @Test("characters outside the GSM alphabet switch the whole message to UCS-2")
    func ucs2Fallback() {
        #expect(GSMAlphabet.encode("Zoë") == nil)
        #expect(SMSSegmenter.alphabet(for: "Ladung ok 😀") == .ucs2)
        #expect(SMSSegmenter.segments(for: "Zoë 😀") == [.ucs2([0x005A, 0x006F, 0x00EB, 0x0020, 0xD83D, 0xDE00])])
    }

    @Test("160 septets fit one SMS, 161 need two parts of at most 153")
    func sevenBitLimits() {
        #expect(SMSSegmenter.segments(for: String(repeating: "a", count: 160)).count == 1)
        let parts = SMSSegmenter.segments(for: String(repeating: "a", count: 161))
        #expect(parts.count == 2)
        #expect(parts.map(septetCount) == [153, 8])
    }

    @Test("a long text splits after 153 characters, as other encoders do")
    func splitMatchesReference() throws {
        let text = "this is a very long message that does not fit in a single SMS message, at least it will if I keep adding more to it as 160 characters is more than you might think"
        let parts = SMSSegmenter.segments(for: text)
        #expect(parts.count == 2)
        guard case .gsm7(let first) = parts[0], case .gsm7(let second) = parts[1] else {
            Issue.record("expected 7-bit parts")
            return
        }
        #expect(GSMAlphabet.decode(first).hasSuffix("than you mi"))
        #expect(GSMAlphabet.decode(second) == "ght think")
    }

    @Test("an escape pair at the part boundary moves whole to the next part")
    func escapePairNotSplit() throws {
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 10)
        let parts = SMSSegmenter.segments(for: text)
        guard case .gsm7(let first) = parts[0], case .gsm7(let second) = parts[1] else {
            Issue.record("expected 7-bit parts")
            return
        }
        #expect(first.count == 152)
        #expect(first.last == 0x61)
        #expect(second.prefix(2) == [0x1B, 0x65])
        #expect(parts.map { GSMAlphabet.decode(septets($0)) }.joined() == text)
    }

    @Test("70 UCS-2 units fit one SMS; longer texts split at 67 without breaking surrogate pairs")
    func ucs2Limits() {
        #expect(SMSSegmenter.segments(for: "ë" + String(repeating: "x", count: 69)).count == 1)
        let text = "ë" + String(repeating: "x", count: 65) + "😀" + String(repeating: "y", count: 10)
        let parts = SMSSegmenter.segments(for: text)
        guard case .ucs2(let first) = parts[0], case .ucs2(let second) = parts[1] else {
            Issue.record("expected UCS-2 parts")
            return
        }
        #expect(first.count == 66)
        #expect(UTF16.isLeadSurrogate(second[0]))
        #expect(String(decoding: first + second, as: UTF16.self) == text)
    }

    @Test("unpacking refuses a septet count the octets cannot hold")
    func unpackTooShort() {
        #expect(GSMAlphabet.unpack([0xE8, 0x32], count: 3) == nil)
    }

    private func septets(_ segment: SMSSegment) -> [UInt8] {
        if case .gsm7(let septets) = segment { return septets }
        return []
    }

    private func septetCount(_ segment: SMSSegment) -> Int { septets(segment).count }
}
