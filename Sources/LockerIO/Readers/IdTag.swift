/// An OCPP idTag derived from a card, by one rule for every reader type.
///
/// The rule: take the card number as big-endian bytes, drop leading zero bytes (keeping at
/// least one), and write the rest as upper-case hex, two digits per byte. At most 20 characters
/// (10 bytes, the longest ISO 14443 UID); a longer number keeps its 10 least significant bytes.
///
/// - Wiegand 26: the 24 data bits (facility code, card number) are 3 bytes.
/// - Wiegand 34: the 32 data bits are 4 bytes.
/// - Serial readers sending hex: the digits are the bytes (an odd count gets a leading 0).
/// - Readers sending decimal (most keyboard-wedge readers): the number is converted to bytes.
///
/// So facility 0x12 / card 0x3456 on Wiegand 26, "123456" or "00123456" from a hex serial
/// reader, and "1193046" from a decimal reader all give idTag "123456".
public struct IdTag: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public static let maximumLength = 20

    public let value: String

    public var description: String { value }

    public static func < (lhs: IdTag, rhs: IdTag) -> Bool { lhs.value < rhs.value }

    /// The idTag of a card number given as big-endian bytes; `nil` if it has no bytes.
    public init?(cardNumber bytes: [UInt8]) {
        var significant = Array(bytes.drop { $0 == 0 })
        if significant.isEmpty {
            guard !bytes.isEmpty else { return nil }
            significant = [0]
        }
        let kept = significant.suffix(Self.maximumLength / 2)
        value = kept.map { byte in
            let digits = Array("0123456789ABCDEF")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
    }

    /// The idTag of a UID as a reader prints it.
    public init(uid text: String, format: UIDTextFormat) throws(UIDParseError) {
        let bytes = try format.cardNumber(from: text)
        // `cardNumber` never returns an empty array.
        self = IdTag(cardNumber: bytes)!
    }
}

/// How a reader writes a UID as text.
public enum UIDTextFormat: String, Sendable, Hashable, Codable {
    /// Hex digits, optionally with a 0x prefix and ':', '-' or space separators.
    case hex
    /// A decimal number (up to 2^64 - 1).
    case decimal

    func cardNumber(from text: String) throws(UIDParseError) -> [UInt8] {
        var body = Substring(text.trimmingWhitespace)
        guard !body.isEmpty else { throw .empty }
        switch self {
        case .hex:
            if body.hasPrefix("0x") || body.hasPrefix("0X") { body = body.dropFirst(2) }
            var nibbles: [UInt8] = []
            for character in body where !":- ".contains(character) {
                guard let nibble = character.hexDigitValue else { throw .invalidCharacter(character, format: self) }
                nibbles.append(UInt8(nibble))
            }
            guard !nibbles.isEmpty else { throw .empty }
            guard nibbles.count <= 64 else { throw .tooLong(characters: nibbles.count) }
            if nibbles.count % 2 == 1 { nibbles.insert(0, at: 0) }
            return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
        case .decimal:
            var number: UInt64 = 0
            for character in body {
                guard let digit = character.wholeNumberValue, character.isASCII else {
                    throw .invalidCharacter(character, format: self)
                }
                let (times10, overflow1) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
                guard !overflow1, !overflow2 else { throw .tooLong(characters: body.count) }
                number = sum
            }
            return (0..<8).reversed().map { UInt8(truncatingIfNeeded: number >> (UInt64($0) * 8)) }
        }
    }
}

public enum UIDParseError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case invalidCharacter(Character, format: UIDTextFormat)
    case tooLong(characters: Int)

    public var description: String {
        switch self {
        case .empty: "empty UID"
        case let .invalidCharacter(character, format):
            "character \"\(character)\" is not valid in a \(format) UID; check the reader's output format setting"
        case let .tooLong(count): "UID of \(count) characters is too long for a card number"
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
