// TP-Address fields (3GPP TS 23.040 section 9.1.2.5).

/// An originating or destination address as carried in a PDU.
public enum PDUAddress: Sendable, Equatable, Hashable {
    /// International number, digits only (TON 1, NPI 1 -> 0x91). Rendered with "+".
    case international(digits: String)
    /// Any other numeric address (national, subscriber, short code); kept as digits.
    case other(digits: String, typeOfAddress: UInt8)
    /// Alphanumeric sender (TON 5), e.g. a bank or another automated system.
    case alphanumeric(String)

    /// The address as text: "+4917..." for international numbers, otherwise as received.
    public var text: String {
        switch self {
        case .international(let digits): "+" + digits
        case .other(let digits, _): digits
        case .alphanumeric(let name): name
        }
    }
}

enum PDUAddressCodec {
    /// Encodes a destination address ("+49170..." or national digits) as length, type and
    /// swapped semi-octets.
    static func encode(_ address: PDUAddress) throws(PDUError) -> [UInt8] {
        let digits: String
        let typeOfAddress: UInt8
        switch address {
        case .international(let value):
            digits = value
            typeOfAddress = 0x91
        case .other(let value, let type):
            digits = value
            typeOfAddress = type
        case .alphanumeric:
            throw .unsupportedDestination("alphanumeric destinations cannot be sent from a modem")
        }
        guard !digits.isEmpty, digits.count <= 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .unsupportedDestination("destination must be 1 to 20 digits, got '\(digits)'")
        }
        return [UInt8(digits.count), typeOfAddress] + semiOctets(digits)
    }

    /// Digits as swapped BCD semi-octets, padded with F.
    static func semiOctets(_ digits: String) -> [UInt8] {
        let values = digits.compactMap { $0.wholeNumberValue }.map(UInt8.init)
        var octets: [UInt8] = []
        var index = 0
        while index < values.count {
            let low = values[index]
            let high: UInt8 = index + 1 < values.count ? values[index + 1] : 0x0F
            octets.append(high << 4 | low)
            index += 2
        }
        return octets
    }

    /// Decodes swapped BCD semi-octets, stopping at the F filler.
    static func digits(fromSemiOctets octets: some Collection<UInt8>, count: Int) -> String {
        var result = ""
        for octet in octets {
            for nibble in [octet & 0x0F, octet >> 4] where result.count < count {
                switch nibble {
                case 0...9: result.append(Character(String(nibble)))
                case 0x0A: result.append("*")
                case 0x0B: result.append("#")
                case 0x0C: result.append("a")
                case 0x0D: result.append("b")
                case 0x0E: result.append("c")
                default: return result
                }
            }
        }
        return result
    }

    /// Decodes an address starting at `reader`'s position (length in semi-octets first).
    static func decode(_ reader: inout PDUReader) throws(PDUError) -> PDUAddress {
        let length = Int(try reader.byte("address length"))
        let typeOfAddress = try reader.byte("type of address")
        let octetCount = (length + 1) / 2
        let body = try reader.bytes(octetCount, "address digits")
        let typeOfNumber = (typeOfAddress >> 4) & 0x07
        if typeOfNumber == 0x05 {
            // Alphanumeric: GSM 7-bit packed; the length counts semi-octets actually used.
            let septetCount = length * 4 / 7
            guard let septets = GSMAlphabet.unpack(body, count: septetCount) else {
                throw .truncated("alphanumeric address")
            }
            return .alphanumeric(GSMAlphabet.decode(septets))
        }
        let digits = digits(fromSemiOctets: body, count: length)
        if typeOfNumber == 0x01 { return .international(digits: digits) }
        return .other(digits: digits, typeOfAddress: typeOfAddress)
    }
}
