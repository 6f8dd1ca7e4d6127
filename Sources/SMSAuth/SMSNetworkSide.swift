import Foundation

// The network's side of PDU mode, for the simulated modem: it builds the SMS-DELIVER PDUs a
// phone's text arrives in and reads the SMS-SUBMIT PDUs the site sends (3GPP TS 23.040).

/// Builds SMS-DELIVER PDUs (SMSC field first, as +CMGL/+CMGR list them), split into
/// concatenated parts like a real network delivers a long text.
public enum SMSDeliverEncoder {
    /// The PDUs (hex) for `text` from `sender`, time-stamped `at` in UTC.
    public static func encode(text: String, from sender: PDUAddress, at date: Date, reference: UInt8) throws(PDUError) -> [String] {
        let segments = SMSSegmenter.segments(for: text)
        guard segments.count <= 255 else { throw .messageTooLong(parts: segments.count) }
        let address = try senderAddress(sender)
        let stamp = timestamp(date)
        let concatenated = segments.count > 1
        return segments.enumerated().map { index, segment in
            var tpdu: [UInt8] = [concatenated ? 0x44 : 0x04] // SMS-DELIVER, no more messages, UDHI when concatenated
            tpdu += address
            tpdu.append(0x00)
            let header: [UInt8] = concatenated ? [0x05, 0x00, 0x03, reference, UInt8(segments.count), UInt8(index + 1)] : []
            switch segment {
            case .gsm7(let septets):
                tpdu.append(0x00)
                tpdu += stamp
                let headerSeptets = (header.count * 8 + 6) / 7
                let fillBits = headerSeptets * 7 - header.count * 8
                tpdu.append(UInt8(headerSeptets + septets.count))
                tpdu += header
                tpdu += GSMAlphabet.pack(septets, fillBits: fillBits)
            case .ucs2(let units):
                tpdu.append(0x08)
                tpdu += stamp
                tpdu.append(UInt8(header.count + units.count * 2))
                tpdu += header
                for unit in units { tpdu += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
            }
            return "00" + PDUHex.encode(tpdu)
        }
    }

    private static func senderAddress(_ sender: PDUAddress) throws(PDUError) -> [UInt8] {
        guard case .alphanumeric(let name) = sender else { return try PDUAddressCodec.encode(sender) }
        guard let septets = GSMAlphabet.encode(name), septets.count <= 11 else {
            throw .unsupportedDestination("alphanumeric sender '\(name)' must be at most 11 GSM characters")
        }
        let packed = GSMAlphabet.pack(septets)
        return [UInt8((septets.count * 7 + 3) / 4), 0xD0] + packed
    }

    /// Service centre time stamp: swapped BCD, UTC (zone 0).
    static func timestamp(_ date: Date) -> [UInt8] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let values = [(parts.year ?? 2000) % 100, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, 0]
        return values.map { UInt8($0 % 10) << 4 | UInt8($0 / 10) }
    }
}

/// One SMS-SUBMIT part as the network reads it.
public struct SMSSubmit: Sendable, Equatable {
    public let destination: PDUAddress
    public let text: String
    public let concatenation: ConcatenationInfo?
    public let alphabet: SMSAlphabet

    /// Reads the hex that followed AT+CMGS (SMSC field first, usually "00").
    public static func decode(hex: String) throws(PDUError) -> SMSSubmit {
        var reader = PDUReader(try PDUHex.decode(hex))
        let smscLength = Int(try reader.byte("SMSC length"))
        _ = try reader.bytes(smscLength, "SMSC")
        let firstOctet = try reader.byte("first octet")
        guard firstOctet & 0x03 == 0x01 else { throw .unsupportedMessageType(firstOctet & 0x03) }
        _ = try reader.byte("message reference")
        let destination = try PDUAddressCodec.decode(&reader)
        _ = try reader.byte("protocol identifier")
        let dataCoding = try reader.byte("data coding scheme")
        switch (firstOctet >> 3) & 0x03 {
        case 0x02: _ = try reader.byte("validity period")
        case 0x01, 0x03: _ = try reader.bytes(7, "validity period")
        default: break
        }
        let userDataLength = Int(try reader.byte("user data length"))
        let userData = Array(reader.rest())
        var headerOctets = 0
        var concatenation: ConcatenationInfo?
        if firstOctet & 0x40 != 0 {
            guard let length = userData.first, Int(length) + 1 <= userData.count else {
                throw .malformedUserDataHeader("header length exceeds user data")
            }
            headerOctets = Int(length) + 1
            if length >= 5, userData[1] == 0x00, userData[2] == 0x03 {
                concatenation = ConcatenationInfo(reference: UInt16(userData[3]), total: userData[4], sequence: userData[5])
            }
        }
        if dataCoding & 0x0C == 0x08 {
            guard userDataLength <= userData.count, userDataLength >= headerOctets else { throw .truncated("UCS-2 user data") }
            var units: [UInt16] = []
            var index = headerOctets
            while index + 1 < userDataLength {
                units.append(UInt16(userData[index]) << 8 | UInt16(userData[index + 1]))
                index += 2
            }
            return SMSSubmit(destination: destination, text: String(decoding: units, as: UTF16.self), concatenation: concatenation, alphabet: .ucs2)
        }
        guard dataCoding & 0x0C == 0x00 else { throw .unsupportedDataCoding(dataCoding) }
        let headerSeptets = (headerOctets * 8 + 6) / 7
        guard userDataLength >= headerSeptets, let septets = GSMAlphabet.unpack(userData, count: userDataLength) else {
            throw .truncated("7-bit user data")
        }
        return SMSSubmit(
            destination: destination, text: GSMAlphabet.decode(Array(septets.dropFirst(headerSeptets))),
            concatenation: concatenation, alphabet: .gsm7)
    }
}
