import Foundation

/// A phone number in E.164 form: "+" then 7 to 15 digits, the first not 0.
public struct E164Number: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The digits without "+".
    public let digits: String

    public var description: String { "+" + digits }

    /// Validates digits that are already international (no "+", no trunk prefix).
    public init?(digits: String) {
        guard (7...15).contains(digits.count),
              digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              digits.first != "0" else { return nil }
        self.digits = digits
    }

    /// Normalizes what a modem or gateway reports as sender: "+49 170 123-4567",
    /// "0049 170 1234567", national "0170 1234567" (with `countryCode`), "(0170) 12 34 567".
    /// Spaces, dashes, dots, slashes and parentheses are ignored. Nil when the result is not
    /// a plausible E.164 number (too short, letters, national without a country code).
    public init?(normalizing raw: String, countryCode: String? = nil) {
        let separators: Set<Character> = [" ", "-", ".", "/", "(", ")", "\u{00A0}"]
        // "+49 (0)170 ..." is a common German way to show the trunk prefix; it is never dialled.
        var text = Substring(raw.replacingOccurrences(of: "(0)", with: "").filter { !separators.contains($0) })
        let digits: String
        if text.hasPrefix("+") {
            text = text.dropFirst()
            digits = String(text)
        } else if text.hasPrefix("00") {
            digits = String(text.dropFirst(2))
        } else if text.hasPrefix("0") {
            guard let countryCode else { return nil }
            digits = countryCode + text.dropFirst()
        } else {
            // Bare digits: modems report international numbers this way when they drop the "+".
            digits = String(text)
        }
        self.init(digits: digits)
    }
}

/// What the sender of an SMS is, for deciding whether to answer.
public enum SenderClassification: Sendable, Equatable {
    case number(E164Number)
    /// Letters in the sender: a bank, a carrier, another automated system.
    case alphanumeric(String)
    /// Too short to be a subscriber (service numbers, carrier notices).
    case shortCode(String)
    /// Neither a usable number nor a name.
    case invalid(String)

    public static func classify(_ raw: String, countryCode: String? = nil) -> SenderClassification {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if trimmed.contains(where: { $0.isLetter }) { return .alphanumeric(trimmed) }
        if let number = E164Number(normalizing: trimmed, countryCode: countryCode) { return .number(number) }
        let digitCount = trimmed.filter(\.isNumber).count
        if digitCount > 0, digitCount <= 6 { return .shortCode(trimmed) }
        return .invalid(trimmed)
    }
}


/// Who gets an answer. Automated senders never do: two robots answering each other would
/// loop until one of them runs out of credit.
public struct SenderPolicy: Sendable {
    public enum Decision: Sendable, Equatable {
        case accept(E164Number)
        case ignore(IgnoreReason)
    }

    public enum IgnoreReason: Sendable, Equatable {
        case alphanumericSender(String)
        case shortCode(String)
        case invalidNumber(String)
        case blocked(E164Number)
    }

    /// Exact numbers that never get an answer.
    public let blockedNumbers: Set<E164Number>
    /// Digit prefixes (without "+") that never get an answer, e.g. premium ranges.
    public let blockedPrefixes: [String]
    /// Country code for national numbers ("49"), nil to refuse national numbers.
    public let countryCode: String?

    /// Block list entries are numbers in any form `E164Number(normalizing:)` accepts; an
    /// entry ending in "*" blocks every number starting with it ("+49900*").
    public init(blockList: [String] = [], countryCode: String? = nil) throws(SenderPolicyError) {
        var numbers: Set<E164Number> = []
        var prefixes: [String] = []
        for entry in blockList {
            if entry.hasSuffix("*") {
                let prefix = entry.dropLast().filter(\.isNumber)
                guard !prefix.isEmpty else { throw .invalidBlockListEntry(entry) }
                prefixes.append(String(prefix))
            } else if let number = E164Number(normalizing: entry, countryCode: countryCode) {
                numbers.insert(number)
            } else {
                throw .invalidBlockListEntry(entry)
            }
        }
        blockedNumbers = numbers
        blockedPrefixes = prefixes
        self.countryCode = countryCode
    }

    public func decide(sender raw: String) -> Decision {
        switch SenderClassification.classify(raw, countryCode: countryCode) {
        case .alphanumeric(let name): return .ignore(.alphanumericSender(name))
        case .shortCode(let code): return .ignore(.shortCode(code))
        case .invalid(let text): return .ignore(.invalidNumber(text))
        case .number(let number):
            if blockedNumbers.contains(number) || blockedPrefixes.contains(where: { number.digits.hasPrefix($0) }) {
                return .ignore(.blocked(number))
            }
            return .accept(number)
        }
    }
}

public enum SenderPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidBlockListEntry(String)

    public var description: String {
        switch self {
        case .invalidBlockListEntry(let entry):
            "SMS block list entry '\(entry)' is not a phone number; write it as +49... or as a prefix ending in *"
        }
    }
}
