import Foundation

/// Turns a driver's text into a command. Pure: the same text and directory always give the
/// same result. Keywords may stand before or after the name, in German or English.
public struct SMSCommandParser: Sendable {
    public let directory: CompartmentDirectory
    /// Reply language when the text has no language-specific word ("A3", "status").
    public let defaultLanguage: SMSLanguage
    /// Texts longer than this (in characters) are not parsed.
    public let maxLength: Int

    public init(directory: CompartmentDirectory, defaultLanguage: SMSLanguage = .de, maxLength: Int = 160) {
        self.directory = directory
        self.defaultLanguage = defaultLanguage
        self.maxLength = maxLength
    }

    enum Keyword: Sendable, Equatable {
        case start, stop, status, help
    }

    /// Keyword -> meaning and language (nil when the word is the same in both languages).
    static let keywords: [String: (Keyword, SMSLanguage?)] = [
        "start": (.start, nil), "starten": (.start, .de), "laden": (.start, .de), "beginnen": (.start, .de),
        "charge": (.start, .en), "begin": (.start, .en),
        "stop": (.stop, .en), "stopp": (.stop, .de), "ende": (.stop, .de), "beenden": (.stop, .de),
        "fertig": (.stop, .de), "offnen": (.stop, .de), "oeffnen": (.stop, .de),
        "end": (.stop, .en), "finish": (.stop, .en), "done": (.stop, .en), "open": (.stop, .en), "unlock": (.stop, .en),
        "status": (.status, nil), "zustand": (.status, .de), "state": (.status, .en),
        "help": (.help, .en), "hilfe": (.help, .de), "info": (.help, nil),
    ]

    /// Words around a name that carry no meaning but hint at the language ("Fach A3").
    static let fillers: [String: SMSLanguage?] = [
        "fach": .de, "schliessfach": .de, "schließfach": .de, "nummer": .de, "nr": .de, "bitte": .de,
        "locker": .en, "compartment": .en, "box": nil, "number": .en, "no": .en, "please": .en, "the": .en,
    ]

    /// Longest unknown name still answered with "unknown compartment" rather than "not understood".
    static let longestPlausibleName = 8

    public func parse(_ text: String) -> ParsedSMS {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return reply(.unknown(.empty), nil) }
        guard trimmed.count <= maxLength else {
            return reply(.unknown(.tooLong(characters: trimmed.count, limit: maxLength)), nil)
        }
        if trimmed == "?" { return reply(.help, nil) }
        // A configured name wins over keyword reading, so a compartment called "Info 1" works.
        if let name = directory.match(trimmed) { return reply(.toggle(compartment: name), nil) }

        var words = Self.words(trimmed)
        var keyword: (Keyword, SMSLanguage?)?
        if let first = words.first, let found = Self.keywords[first] {
            keyword = found
            words.removeFirst()
        } else if words.count > 1, let last = words.last, let found = Self.keywords[last] {
            keyword = found
            words.removeLast()
        }
        var hint: SMSLanguage?
        words.removeAll { word in
            guard let language = Self.fillers[word] else { return false }
            hint = hint ?? language
            return true
        }
        let language = keyword?.1 ?? hint
        let rest = words.joined()

        if keyword?.0 == .help { return reply(.help, language) }
        guard !rest.isEmpty else {
            switch keyword?.0 {
            case .start: return reply(.unknown(.missingCompartment(intent: .start)), language)
            case .stop: return reply(.unknown(.missingCompartment(intent: .stop)), language)
            case .status: return reply(.status(compartment: nil), language)
            case .help: return reply(.help, language)
            case nil: return reply(.unknown(.unrecognized), language)
            }
        }
        var name = directory.match(rest)
        var gluedLanguage: SMSLanguage?
        if name == nil, keyword == nil, let glued = Self.gluedPrefix(rest), let match = directory.match(glued.remainder) {
            // "stopA3", "FachA3": a keyword or filler typed without a space before the name.
            keyword = glued.keyword
            gluedLanguage = glued.language
            name = match
        }
        guard let name else {
            let key = CompartmentDirectory.key(rest)
            let plausible = key.count <= Self.longestPlausibleName && (keyword != nil || key.contains(where: \.isNumber))
            return reply(.unknown(plausible ? .unknownCompartment(key) : .unrecognized), language)
        }
        let replyLanguage = language ?? gluedLanguage
        switch keyword?.0 {
        case .start: return reply(.start(compartment: name), replyLanguage)
        case .stop: return reply(.stop(compartment: name), replyLanguage)
        case .status: return reply(.status(compartment: name), replyLanguage)
        case .help: return reply(.help, replyLanguage)
        case nil: return reply(.toggle(compartment: name), replyLanguage)
        }
    }

    private func reply(_ command: SMSCommand, _ language: SMSLanguage?) -> ParsedSMS {
        ParsedSMS(command: command, language: language ?? defaultLanguage, languageDetected: language != nil)
    }

    /// Lower-case words, split at anything that is not a letter or digit.
    static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in folded.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(scalar)
            } else if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }

    /// A keyword or filler glued to the front of the rest ("stopa3", "facha3"), longest first.
    private static func gluedPrefix(_ rest: String) -> (keyword: (Keyword, SMSLanguage?)?, language: SMSLanguage?, remainder: String)? {
        let candidates: [(String, (Keyword, SMSLanguage?)?, SMSLanguage?)] =
            keywords.map { ($0.key, $0.value, $0.value.1) } + fillers.map { ($0.key, nil, $0.value) }
        for (word, keyword, language) in candidates.sorted(by: { $0.0.count > $1.0.count })
        where rest.hasPrefix(word) && rest.count > word.count {
            return (keyword, language, String(rest.dropFirst(word.count)))
        }
        return nil
    }
}
