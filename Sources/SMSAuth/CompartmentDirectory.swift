import Foundation

/// The compartment names of a site, as printed on the doors, matched tolerantly:
/// case, spaces, dashes and other punctuation do not matter ("a-3", "A 3" -> "A3").
public struct CompartmentDirectory: Sendable, Equatable {
    /// Canonical key -> the name as configured.
    private let namesByKey: [String: String]

    public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
        case emptyName(position: Int)
        case ambiguousNames(String, String)

        public var description: String {
            switch self {
            case .emptyName(let position):
                "compartment name #\(position + 1) has no letters or digits; give every compartment a printable name"
            case .ambiguousNames(let first, let second):
                "compartment names '\(first)' and '\(second)' are the same when case and punctuation are ignored; an SMS could not tell them apart, rename one"
            }
        }
    }

    public init(names: [String]) throws(ConfigurationError) {
        var map: [String: String] = [:]
        for (position, name) in names.enumerated() {
            let key = Self.key(name)
            guard !key.isEmpty else { throw .emptyName(position: position) }
            if let existing = map[key] { throw .ambiguousNames(existing, name) }
            map[key] = name
        }
        namesByKey = map
    }

    public var names: [String] { namesByKey.values.sorted() }

    /// The configured name matching `text`, or nil.
    public func match(_ text: String) -> String? {
        namesByKey[Self.key(text)]
    }

    /// The canonical form: letters and digits only, diacritics folded, upper case.
    public static func key(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        return String(String.UnicodeScalarView(folded.unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }))
            .uppercased()
    }
}
