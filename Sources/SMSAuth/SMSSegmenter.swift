import Foundation

/// The character set a message is sent in (TP-DCS alphabet).
public enum SMSAlphabet: Sendable, Equatable {
    /// GSM 7-bit default alphabet; German umlauts and ß are in it.
    case gsm7
    /// UCS-2 (sent as UTF-16, so surrogate pairs reach phones intact).
    case ucs2
}

/// One part of a (possibly concatenated) SMS, still unpacked.
public enum SMSSegment: Sendable, Equatable {
    /// Unpacked septets, escape pairs included.
    case gsm7([UInt8])
    /// UTF-16 code units.
    case ucs2([UInt16])

    public var alphabet: SMSAlphabet {
        switch self {
        case .gsm7: .gsm7
        case .ucs2: .ucs2
        }
    }
}

/// Splits outgoing text into SMS parts. 7-bit when every character is in the GSM default
/// alphabet or its extension table, UCS-2 otherwise.
public enum SMSSegmenter {
    public static let singleGSM7Limit = 160
    public static let concatenatedGSM7Limit = 153
    public static let singleUCS2Limit = 70
    public static let concatenatedUCS2Limit = 67

    /// The alphabet the text will be sent in.
    public static func alphabet(for text: String) -> SMSAlphabet {
        GSMAlphabet.encode(normalized(text)) == nil ? .ucs2 : .gsm7
    }

    /// The parts for `text`: one part when it fits a single SMS, otherwise parts sized for
    /// a concatenation header. Escape pairs and surrogate pairs are never split.
    public static func segments(for text: String) -> [SMSSegment] {
        let text = normalized(text)
        if let septets = GSMAlphabet.encode(text) {
            if septets.count <= singleGSM7Limit { return [.gsm7(septets)] }
            return splitSeptets(septets).map { .gsm7($0) }
        }
        let units = Array(text.utf16)
        if units.count <= singleUCS2Limit { return [.ucs2(units)] }
        return splitUnits(units).map { .ucs2($0) }
    }

    /// Precomposed form, so "e" + combining accent becomes "é", which is in the GSM alphabet.
    static func normalized(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
    }

    private static func splitSeptets(_ septets: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0
        while start < septets.count {
            var end = min(start + concatenatedGSM7Limit, septets.count)
            // An escape as the last septet of a part would orphan its extension character.
            if end < septets.count, septets[end - 1] == GSMAlphabet.escape, !isEscapedSeptet(septets, at: end - 1) {
                end -= 1
            }
            parts.append(Array(septets[start..<end]))
            start = end
        }
        return parts
    }

    /// True when the septet at `index` is the second half of an escape pair.
    private static func isEscapedSeptet(_ septets: [UInt8], at index: Int) -> Bool {
        var escapes = 0
        var cursor = index - 1
        while cursor >= 0, septets[cursor] == GSMAlphabet.escape {
            escapes += 1
            cursor -= 1
        }
        return escapes % 2 == 1
    }

    private static func splitUnits(_ units: [UInt16]) -> [[UInt16]] {
        var parts: [[UInt16]] = []
        var start = 0
        while start < units.count {
            var end = min(start + concatenatedUCS2Limit, units.count)
            if end < units.count, UTF16.isLeadSurrogate(units[end - 1]) { end -= 1 }
            parts.append(Array(units[start..<end]))
            start = end
        }
        return parts
    }
}
