import Testing
@testable import LockerIO

@Suite("idTag normalization and serial UID parsing")
struct IdTagTests {
    @Test("the same card gives the same idTag from Wiegand 26, hex serial and decimal readers")
    func sameCardEverywhere() throws {
        let wiegand = WiegandFrame.wiegand26(facility: 0x12, card: 0x3456).idTag
        #expect(try IdTag(uid: "123456", format: .hex) == wiegand)
        #expect(try IdTag(uid: "00123456", format: .hex) == wiegand)
        #expect(try IdTag(uid: "0x00:12:34:56", format: .hex) == wiegand)
        #expect(try IdTag(uid: "1193046", format: .decimal) == wiegand)
        #expect(try IdTag(uid: "0001193046", format: .decimal) == wiegand)
    }

    @Test("hex is upper-cased, odd digit counts get a leading zero, zero stays one byte")
    func hexRules() throws {
        #expect(try IdTag(uid: "04a1b2c3d4e5f6", format: .hex).value == "04A1B2C3D4E5F6")
        #expect(try IdTag(uid: "abc", format: .hex).value == "0ABC")
        #expect(try IdTag(uid: "0000", format: .hex).value == "00")
        #expect(IdTag(cardNumber: [0, 0, 0x0A]).map(\.value) == "0A")
        #expect(IdTag(cardNumber: []) == nil)
    }

    @Test("an idTag never exceeds 20 characters; longer numbers keep their low bytes")
    func maximumLength() throws {
        let tag = try IdTag(uid: "0102030405060708090A0B0C", format: .hex)
        #expect(tag.value == "030405060708090A0B0C")
        #expect(tag.value.count == IdTag.maximumLength)
    }

    @Test("bad UIDs are rejected with a specific reason")
    func rejections() {
        #expect(throws: UIDParseError.invalidCharacter("G", format: .hex)) { try IdTag(uid: "12G4", format: .hex) }
        #expect(throws: UIDParseError.invalidCharacter("A", format: .decimal)) { try IdTag(uid: "12A4", format: .decimal) }
        #expect(throws: UIDParseError.empty) { try IdTag(uid: "  ", format: .hex) }
        #expect(throws: UIDParseError.tooLong(characters: 21)) {
            try IdTag(uid: "999999999999999999999", format: .decimal)
        }
    }

    @Test("a serial reader's lines become idTags, across chunk boundaries and framings")
    func serialLines() {
        var parser = SerialUIDParser(format: .hex)
        #expect(parser.feed(Array("04A1B2".utf8)).isEmpty)
        #expect(parser.feed(Array("C3\r\n".utf8)) == [.success(IdTag(cardNumber: [0x04, 0xA1, 0xB2, 0xC3])!)])
        #expect(parser.feed([0x02] + Array("123456".utf8) + [0x03]) == [.success(IdTag(cardNumber: [0x12, 0x34, 0x56])!)])
        #expect(parser.feed(Array("\r\n\n".utf8)).isEmpty)
        #expect(parser.feed(Array("XYZ\n".utf8)) == [.failure(.uid(.invalidCharacter("X", format: .hex)))])
    }

    @Test("a line without an end (wrong baud rate garbage) is discarded with its length")
    func overlongLine() {
        var parser = SerialUIDParser()
        let garbage = Array(repeating: UInt8(ascii: "A"), count: 100)
        #expect(parser.feed(garbage + [0x0A]) == [.failure(.lineTooLong(bytes: 100))])
        #expect(parser.feed(Array("1234\n".utf8)) == [.success(IdTag(cardNumber: [0x12, 0x34])!)])
    }
}
