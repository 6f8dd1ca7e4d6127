// SMS-SUBMIT encoding for PDU mode (3GPP TS 23.040 section 9.2.2.2).

/// One SMS-SUBMIT ready for `AT+CMGS=<length>` followed by the hex and Ctrl-Z.
public struct SubmitPDU: Sendable, Equatable {
    /// The full PDU as hex, starting with "00" (use the SMSC stored in the SIM).
    public let hex: String
    /// The length for AT+CMGS: octets of the TPDU, not counting the SMSC field.
    public let tpduLength: Int
}

/// Builds SMS-SUBMIT PDUs, splitting long text into concatenated parts with an 8-bit
/// reference concatenation header (IEI 0x00).
public struct SMSSubmitEncoder: Sendable {
    /// Relative validity period (TP-VP); 0xA7 is 24 hours, 0xAA is 4 days.
    public var validityPeriod: UInt8
    /// Ask the network for a delivery status report (TP-SRR).
    public var requestStatusReport: Bool

    public init(validityPeriod: UInt8 = 0xA7, requestStatusReport: Bool = false) {
        self.validityPeriod = validityPeriod
        self.requestStatusReport = requestStatusReport
    }

    /// The PDUs for `text` to `destination`. `reference` ties the parts of one long message
    /// together; the caller keeps a counter and passes the next value per message.
    public func encode(text: String, to destination: PDUAddress, reference: UInt8) throws(PDUError) -> [SubmitPDU] {
        let segments = SMSSegmenter.segments(for: text)
        guard segments.count <= 255 else { throw .messageTooLong(parts: segments.count) }
        let address = try PDUAddressCodec.encode(destination)
        let concatenated = segments.count > 1
        return segments.enumerated().map { index, segment in
            var tpdu: [UInt8] = []
            var firstOctet: UInt8 = 0x01 | 0x10 // SMS-SUBMIT, relative validity period
            if requestStatusReport { firstOctet |= 0x20 }
            if concatenated { firstOctet |= 0x40 } // user data header present
            tpdu.append(firstOctet)
            tpdu.append(0x00) // message reference: the modem assigns it
            tpdu.append(contentsOf: address)
            tpdu.append(0x00) // protocol identifier: plain SMS
            let header: [UInt8] = concatenated
                ? [0x05, 0x00, 0x03, reference, UInt8(segments.count), UInt8(index + 1)]
                : []
            switch segment {
            case .gsm7(let septets):
                tpdu.append(0x00)
                tpdu.append(validityPeriod)
                let headerSeptets = (header.count * 8 + 6) / 7
                let fillBits = headerSeptets * 7 - header.count * 8
                tpdu.append(UInt8(headerSeptets + septets.count))
                tpdu.append(contentsOf: header)
                tpdu.append(contentsOf: GSMAlphabet.pack(septets, fillBits: fillBits))
            case .ucs2(let units):
                tpdu.append(0x08)
                tpdu.append(validityPeriod)
                tpdu.append(UInt8(header.count + units.count * 2))
                tpdu.append(contentsOf: header)
                for unit in units {
                    tpdu.append(UInt8(unit >> 8))
                    tpdu.append(UInt8(unit & 0xFF))
                }
            }
            return SubmitPDU(hex: "00" + PDUHex.encode(tpdu), tpduLength: tpdu.count)
        }
    }
}
