// GSM 03.38 (3GPP TS 23.038) default 7-bit alphabet and its extension table.

/// The GSM 7-bit default alphabet with the default extension table, as used by SMS.
public enum GSMAlphabet {
    /// The escape septet that announces a character from the extension table.
    public static let escape: UInt8 = 0x1B

    /// Default alphabet, indexed by septet value. 0x1B (escape) is a placeholder here and
    /// is never produced by `septet(for:)`.
    static let defaultTable: [Unicode.Scalar] = [
        "@", "£", "$", "¥", "è", "é", "ù", "ì", "ò", "Ç", "\n", "Ø", "ø", "\r", "Å", "å",
        "Δ", "_", "Φ", "Γ", "Λ", "Ω", "Π", "Ψ", "Σ", "Θ", "Ξ", "\u{1B}", "Æ", "æ", "ß", "É",
        " ", "!", "\"", "#", "¤", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/",
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?",
        "¡", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
        "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "Ä", "Ö", "Ñ", "Ü", "§",
        "¿", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
        "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "ä", "ö", "ñ", "ü", "à",
    ]

    /// Default extension table: septet after the escape -> character.
    static let extensionTable: [UInt8: Unicode.Scalar] = [
        0x0A: "\u{0C}", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
        0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€",
    ]

    private static let defaultLookup: [Unicode.Scalar: UInt8] = {
        var lookup: [Unicode.Scalar: UInt8] = [:]
        for (index, scalar) in defaultTable.enumerated() where index != 0x1B {
            lookup[scalar] = UInt8(index)
        }
        return lookup
    }()

    private static let extensionLookup: [Unicode.Scalar: UInt8] = {
        var lookup: [Unicode.Scalar: UInt8] = [:]
        for (septet, scalar) in extensionTable { lookup[scalar] = septet }
        return lookup
    }()

    /// The septets for one character: one for the default table, escape + one for the
    /// extension table, nil when the character is not representable in GSM 7-bit.
    public static func septets(for scalar: Unicode.Scalar) -> [UInt8]? {
        if let septet = defaultLookup[scalar] { return [septet] }
        if let septet = extensionLookup[scalar] { return [escape, septet] }
        return nil
    }

    /// Encodes text as unpacked septets, or nil when any character needs UCS-2.
    public static func encode(_ text: String) -> [UInt8]? {
        var septets: [UInt8] = []
        septets.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard let encoded = Self.septets(for: scalar) else { return nil }
            septets.append(contentsOf: encoded)
        }
        return septets
    }

    /// Decodes unpacked septets. An escape followed by an unknown septet decodes as the
    /// default-table character of that septet (the spec's fallback); a trailing lone
    /// escape decodes as a space.
    public static func decode(_ septets: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < septets.count {
            let septet = septets[index] & 0x7F
            if septet == escape {
                index += 1
                guard index < septets.count else { scalars.append(" "); break }
                let next = septets[index] & 0x7F
                scalars.append(extensionTable[next] ?? defaultTable[Int(next == escape ? 0x20 : next)])
            } else {
                scalars.append(defaultTable[Int(septet)])
            }
            index += 1
        }
        return String(scalars)
    }

    /// Packs septets into octets, least significant bit first (TS 23.038 section 6.1.2.1.1).
    /// `fillBits` zero bits come first, so septets after a user data header start on a
    /// septet boundary.
    public static func pack(_ septets: [UInt8], fillBits: Int = 0) -> [UInt8] {
        var octets: [UInt8] = []
        var accumulator: UInt32 = 0
        var bitCount = fillBits
        for septet in septets {
            accumulator |= UInt32(septet & 0x7F) << UInt32(bitCount)
            bitCount += 7
            while bitCount >= 8 {
                octets.append(UInt8(accumulator & 0xFF))
                accumulator >>= 8
                bitCount -= 8
            }
        }
        if bitCount > 0 { octets.append(UInt8(accumulator & 0xFF)) }
        return octets
    }

    /// Unpacks `count` septets from packed octets, skipping `fillBits` leading bits.
    /// Returns nil when the octets are too short for the announced septet count.
    public static func unpack(_ octets: some Collection<UInt8>, count: Int, fillBits: Int = 0) -> [UInt8]? {
        let bytes = Array(octets)
        guard count >= 0, (fillBits + count * 7 + 7) / 8 <= bytes.count else { return nil }
        var septets: [UInt8] = []
        septets.reserveCapacity(count)
        for index in 0..<count {
            let bit = fillBits + index * 7
            let byte = bit / 8
            let shift = bit % 8
            var value = UInt16(bytes[byte]) >> UInt16(shift)
            if shift > 1, byte + 1 < bytes.count {
                value |= UInt16(bytes[byte + 1]) << UInt16(8 - shift)
            }
            septets.append(UInt8(value & 0x7F))
        }
        return septets
    }
}
