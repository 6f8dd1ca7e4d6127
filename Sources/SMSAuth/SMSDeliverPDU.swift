import Foundation

// SMS-DELIVER decoding for PDU mode (3GPP TS 23.040 section 9.2.2.1).

/// Where one part belongs in a concatenated message.
public struct ConcatenationInfo: Sendable, Equatable, Hashable {
    public let reference: UInt16
    public let total: UInt8
    public let sequence: UInt8
}

/// The service centre time stamp as sent (local time plus offset in quarter hours).
public struct ServiceCentreTimestamp: Sendable, Equatable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int
    public let offsetQuarterHours: Int

    /// The instant, or nil when the fields do not form a valid date.
    public var date: Date? {
        guard let zone = TimeZone(secondsFromGMT: offsetQuarterHours * 15 * 60) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}

/// A received SMS (one part), decoded.
public struct SMSDeliver: Sendable, Equatable {
    public let serviceCentre: PDUAddress?
    public let sender: PDUAddress
    public let timestamp: ServiceCentreTimestamp
    public let text: String
    public let concatenation: ConcatenationInfo?

    /// Decodes a PDU as listed by +CMGL / +CMGR / +CMT (hex, SMSC field first).
    public static func decode(hex: String) throws(PDUError) -> SMSDeliver {
        var reader = PDUReader(try PDUHex.decode(hex))
        let smscLength = Int(try reader.byte("SMSC length"))
        var serviceCentre: PDUAddress?
        if smscLength > 0 {
            let typeOfAddress = try reader.byte("SMSC type of address")
            let digits = PDUAddressCodec.digits(fromSemiOctets: try reader.bytes(smscLength - 1, "SMSC digits"), count: (smscLength - 1) * 2)
            serviceCentre = (typeOfAddress >> 4) & 0x07 == 0x01
                ? .international(digits: digits)
                : .other(digits: digits, typeOfAddress: typeOfAddress)
        }
        let firstOctet = try reader.byte("first octet")
        guard firstOctet & 0x03 == 0x00 else { throw .unsupportedMessageType(firstOctet & 0x03) }
        let hasHeader = firstOctet & 0x40 != 0
        let sender = try PDUAddressCodec.decode(&reader)
        _ = try reader.byte("protocol identifier")
        let dataCoding = try reader.byte("data coding scheme")
        let timestamp = decodeTimestamp(try reader.bytes(7, "service centre time stamp"))
        let userDataLength = Int(try reader.byte("user data length"))
        let userData = Array(reader.rest())
        let alphabet = try alphabet(for: dataCoding)

        var headerOctets = 0
        var concatenation: ConcatenationInfo?
        if hasHeader {
            guard let headerLength = userData.first, Int(headerLength) + 1 <= userData.count else {
                throw .malformedUserDataHeader("header length exceeds user data")
            }
            headerOctets = Int(headerLength) + 1
            concatenation = try parseConcatenation(userData[1..<headerOctets])
        }

        let text: String
        switch alphabet {
        case .gsm7:
            let headerSeptets = (headerOctets * 8 + 6) / 7
            guard userDataLength >= headerSeptets,
                  let septets = GSMAlphabet.unpack(userData, count: userDataLength) else {
                throw .truncated("7-bit user data")
            }
            text = GSMAlphabet.decode(Array(septets.dropFirst(headerSeptets)))
        case .ucs2:
            guard userDataLength >= headerOctets, userDataLength <= userData.count else { throw .truncated("UCS-2 user data") }
            let body = userData[headerOctets..<userDataLength]
            var units: [UInt16] = []
            var index = body.startIndex
            while index + 1 < body.endIndex {
                units.append(UInt16(body[index]) << 8 | UInt16(body[index + 1]))
                index += 2
            }
            text = String(decoding: units, as: UTF16.self)
        case .eightBit:
            guard userDataLength >= headerOctets, userDataLength <= userData.count else { throw .truncated("8-bit user data") }
            // 8-bit data is binary; read it as Latin-1 so a misconfigured sender still parses.
            text = String(String.UnicodeScalarView(userData[headerOctets..<userDataLength].map { Unicode.Scalar($0) }))
        }
        return SMSDeliver(serviceCentre: serviceCentre, sender: sender, timestamp: timestamp, text: text, concatenation: concatenation)
    }

    private enum DataAlphabet { case gsm7, eightBit, ucs2 }

    private static func alphabet(for dcs: UInt8) throws(PDUError) -> DataAlphabet {
        switch dcs >> 4 {
        case 0x0...0x7: // general data coding (and automatic deletion group)
            if dcs & 0x20 != 0 { throw .unsupportedDataCoding(dcs) } // compressed
            switch (dcs >> 2) & 0x03 {
            case 0: return .gsm7
            case 1: return .eightBit
            case 2: return .ucs2
            default: throw .unsupportedDataCoding(dcs)
            }
        case 0xE: return .ucs2
        case 0xF: return dcs & 0x04 != 0 ? .eightBit : .gsm7
        default: return .gsm7 // message waiting groups and reserved groups: default alphabet
        }
    }

    private static func parseConcatenation(_ header: ArraySlice<UInt8>) throws(PDUError) -> ConcatenationInfo? {
        var index = header.startIndex
        while index < header.endIndex {
            guard index + 1 < header.endIndex else { throw .malformedUserDataHeader("element at \(index) has no length") }
            let identifier = header[index]
            let length = Int(header[index + 1])
            let start = index + 2
            guard start + length <= header.endIndex else { throw .malformedUserDataHeader("element 0x\(String(identifier, radix: 16)) overruns the header") }
            let data = header[start..<start + length]
            if identifier == 0x00, length == 3 {
                return ConcatenationInfo(reference: UInt16(data[start]), total: data[start + 1], sequence: data[start + 2])
            }
            if identifier == 0x08, length == 4 {
                return ConcatenationInfo(reference: UInt16(data[start]) << 8 | UInt16(data[start + 1]), total: data[start + 2], sequence: data[start + 3])
            }
            index = start + length
        }
        return nil
    }

    private static func decodeTimestamp(_ octets: ArraySlice<UInt8>) -> ServiceCentreTimestamp {
        let fields = octets.map { Int($0 & 0x0F) * 10 + Int($0 >> 4) }
        let zoneOctet = octets[octets.startIndex + 6]
        let quarters = Int(zoneOctet & 0x07) * 10 + Int(zoneOctet >> 4)
        let year = fields[0] < 70 ? 2000 + fields[0] : 1900 + fields[0]
        return ServiceCentreTimestamp(
            year: year, month: fields[1], day: fields[2], hour: fields[3], minute: fields[4], second: fields[5],
            offsetQuarterHours: zoneOctet & 0x08 != 0 ? -quarters : quarters
        )
    }
}
