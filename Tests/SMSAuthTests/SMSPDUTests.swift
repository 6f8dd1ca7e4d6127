import Foundation
import Testing
@testable import SMSAuth

@Suite("SMS-SUBMIT encoding, SMS-DELIVER decoding, reassembly")
struct SMSPDUTests {
    let destination = PDUAddress.international(digits: "46708251358")

    @Test("'hellohello' to +46708251358 matches the classic reference PDU")
    func submitReference() throws {
        let encoder = SMSSubmitEncoder(validityPeriod: 0xAA)
        let pdus = try encoder.encode(text: "hellohello", to: destination, reference: 0)
        #expect(pdus == [SubmitPDU(hex: "0011000B916407281553F80000AA0AE8329BFD4697D9EC37", tpduLength: 23)])
    }

    @Test("a two-part 7-bit message carries the 8-bit reference header and a fill bit")
    func submitConcatenated() throws {
        // Expected hex computed with an independent big-integer packer.
        let text = "this is a very long message that does not fit in a single SMS message, at least it will if I keep adding more to it as 160 characters is more than you might think"
        let pdus = try SMSSubmitEncoder().encode(text: text, to: destination, reference: 0x2A)
        #expect(pdus.count == 2)
        #expect(pdus[0].hex.hasPrefix("0051000B916407281553F80000A7A00500032A0201E8E8F41C949E83C2207B"))
        #expect(pdus[0].tpduLength == 154)
        #expect(pdus[1] == SubmitPDU(hex: "0051000B916407281553F80000A7100500032A0202CE683A888E4EBBD7", tpduLength: 28))
    }

    @Test("UCS-2 text is sent big-endian with DCS 08")
    func submitUCS2() throws {
        let pdus = try SMSSubmitEncoder().encode(text: "Zoë 😀", to: destination, reference: 0)
        #expect(pdus == [SubmitPDU(hex: "0011000B916407281553F80008A70C005A006F00EB0020D83DDE00", tpduLength: 26)])
    }

    @Test("national destinations keep their type; alphanumeric ones are refused")
    func submitAddresses() throws {
        let pdus = try SMSSubmitEncoder().encode(text: "a", to: .other(digits: "01701234567", typeOfAddress: 0x81), reference: 0)
        #expect(pdus[0].hex.hasPrefix("0011000B811007214365F7"))
        #expect(throws: PDUError.self) {
            try SMSSubmitEncoder().encode(text: "a", to: .alphanumeric("Bank"), reference: 0)
        }
    }

    @Test("decodes the classic SMS-DELIVER reference")
    func deliverReference() throws {
        let deliver = try SMSDeliver.decode(hex: "07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37")
        #expect(deliver.serviceCentre == .international(digits: "27381000015"))
        #expect(deliver.sender == .other(digits: "27838890001", typeOfAddress: 0xC8))
        #expect(deliver.text == "hellohello")
        #expect(deliver.timestamp == ServiceCentreTimestamp(year: 1999, month: 3, day: 29, hour: 15, minute: 16, second: 59, offsetQuarterHours: 8))
        #expect(deliver.concatenation == nil)
        let date = try #require(deliver.timestamp.date)
        #expect(date.timeIntervalSince1970 == 922_713_419) // 1999-03-29T13:16:59Z
    }

    @Test("decodes an international sender and text")
    func deliverInternational() throws {
        let deliver = try SMSDeliver.decode(hex: "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07")
        #expect(deliver.sender == .international(digits: "31641600986"))
        #expect(deliver.sender.text == "+31641600986")
        #expect(deliver.text == "How are you?")
    }

    @Test("decodes UCS-2 text")
    func deliverUCS2() throws {
        let hex = "00040B919471101032F40008520111122334000C005A006F00EB0020D83DDE00"
        let deliver = try SMSDeliver.decode(hex: hex)
        #expect(deliver.sender.text == "+49170101234")
        #expect(deliver.text == "Zoë 😀")
        #expect(deliver.timestamp.offsetQuarterHours == 0)
    }

    @Test("decodes an alphanumeric sender")
    func deliverAlphanumeric() throws {
        // "Bank" packed: 4 septets = 28 bits = 7 semi-octets; TOA D0 (alphanumeric).
        let name = PDUHex.encode(GSMAlphabet.pack(try #require(GSMAlphabet.encode("Bank"))))
        let hex = "000407D0" + name + "0000520111122334000161"
        let deliver = try SMSDeliver.decode(hex: hex)
        #expect(deliver.sender == .alphanumeric("Bank"))
        #expect(deliver.text == "a")
    }

    @Test("submit parts decode back (as DELIVER) and reassemble in any order")
    func reassembly() throws {
        let text = String(repeating: "Fach A3 lädt. ", count: 20) + "€"
        let pdus = try SMSSubmitEncoder().encode(text: text, to: destination, reference: 7)
        #expect(pdus.count == 2)
        let parts = try pdus.map { try SMSDeliver.decode(hex: deliverHex(fromSubmit: $0.hex)) }
        #expect(parts[0].concatenation == ConcatenationInfo(reference: 7, total: 2, sequence: 1))
        var assembler = ConcatenatedSMSAssembler()
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(assembler.add(parts[1], at: now) == nil)
        #expect(assembler.pendingCount == 1)
        let added = assembler.add(parts[0], at: now)
        let complete = try #require(added)
        #expect(complete.text == text)
        #expect(complete.sender == .international(digits: "46708251358"))
        #expect(assembler.pendingCount == 0)
    }

    @Test("incomplete sets expire after the timeout")
    func reassemblyExpiry() throws {
        let pdus = try SMSSubmitEncoder().encode(text: String(repeating: "x", count: 200), to: destination, reference: 1)
        let part = try SMSDeliver.decode(hex: deliverHex(fromSubmit: pdus[0].hex))
        var assembler = ConcatenatedSMSAssembler(timeout: 600)
        let start = Date(timeIntervalSince1970: 0)
        _ = assembler.add(part, at: start)
        #expect(assembler.expire(at: start.addingTimeInterval(599)) == 0)
        #expect(assembler.expire(at: start.addingTimeInterval(600)) == 1)
        #expect(assembler.pendingCount == 0)
    }

    @Test("malformed PDUs give specific errors", arguments: [
        ("0", PDUError.invalidHex("odd number of hex digits (1)")),
        ("00040B91947110", PDUError.truncated("address digits")),
        ("0001000B91", PDUError.unsupportedMessageType(1)),
        ("zz", PDUError.invalidHex("non-hex character at offset 0")),
    ])
    func malformed(hex: String, error: PDUError) {
        #expect(throws: error) { try SMSDeliver.decode(hex: hex) }
    }

    /// Rewrites an SMS-SUBMIT (as we encode it) into the SMS-DELIVER the recipient would
    /// get: MTI 00, no message reference, originating address, time stamp instead of VP.
    private func deliverHex(fromSubmit hex: String) throws -> String {
        let bytes = try PDUHex.decode(hex)
        let firstOctet = bytes[1] & 0x40 // keep UDHI
        let addressOctets = 2 + (Int(bytes[3]) + 1) / 2
        let address = bytes[3..<3 + addressOctets]
        var index = 3 + addressOctets
        let pid = bytes[index]; index += 1
        let dcs = bytes[index]; index += 1
        index += 1 // validity period
        let userData = bytes[index...]
        let deliver: [UInt8] = [0x00, firstOctet] + address + [pid, dcs] + [0x52, 0x01, 0x11, 0x12, 0x23, 0x34, 0x00] + userData
        return PDUHex.encode(deliver)
    }
}
