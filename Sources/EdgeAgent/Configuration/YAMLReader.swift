import Yams

/// Collects problems while a YAML document is read, and remembers which file line each
/// key path came from so later (semantic) problems can point at a line too.
final class ConfigurationProblemLog {
    private(set) var problems: [ConfigurationProblem] = []
    private var lineByPath: [String: Int] = [:]

    func report(_ path: String, _ message: String, line: Int? = nil) {
        problems.append(ConfigurationProblem(path: path, message: message, line: line ?? self.line(for: path)))
    }

    func noteLine(_ line: Int?, for path: String) {
        if let line, lineByPath[path] == nil { lineByPath[path] = line }
    }

    /// The line of the path, or of its nearest parent that has one.
    func line(for path: String) -> Int? {
        var current = Substring(path)
        while !current.isEmpty {
            if let line = lineByPath[String(current)] { return line }
            guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            current = current[..<cut]
        }
        return nil
    }

    /// Whether a problem was already reported at this path, inside it, or at a section that
    /// contains it, so a later check does not pile a second, confusing message on one mistake.
    func hasProblem(atOrUnder path: String) -> Bool {
        problems.contains { Self.isSameOrInside($0.path, path) || Self.isSameOrInside(path, $0.path) }
    }

    private static func isSameOrInside(_ inner: String, _ outer: String) -> Bool {
        inner == outer || inner.hasPrefix(outer + ".") || inner.hasPrefix(outer + "[")
    }
}

/// Scalar reading with YAML's plain/quoted distinction: `8080` is a number, `"8080"` is text.
enum ConfigurationYAMLScalar {
    static func isNull(_ node: Node) -> Bool {
        guard case let .scalar(scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar): return "'\(scalar.string)'"
        case .mapping: return "a mapping (key: value pairs)"
        case .sequence: return "a list"
        }
    }

    static func plainString(_ node: Node) -> String? {
        guard case let .scalar(scalar) = node, scalar.style == .plain || scalar.style == .any else { return nil }
        return scalar.string
    }
}

/// Reads one YAML mapping: rejects unknown keys (suggesting the closest known one),
/// reports missing and mistyped values with their paths, and never throws; everything
/// found goes to the shared `ConfigurationProblemLog`.
struct ConfigurationYAMLMapping {
    let path: String
    let log: ConfigurationProblemLog
    private var values: [String: Node] = [:]
    /// Known keys that an unknown key was probably a typo of; their absence is not reported
    /// again as "missing", since the typo message already says what to fix.
    private var suggested: Set<String> = []

    /// nil (with a problem reported) when `node` is not a mapping.
    init?(_ node: Node, path: String, log: ConfigurationProblemLog, known: [String]) {
        self.path = path
        self.log = log
        log.noteLine(node.mark?.line, for: path)
        guard case let .mapping(mapping) = node else {
            log.report(path, "expected a mapping (key: value pairs), found \(ConfigurationYAMLScalar.describe(node))", line: node.mark?.line)
            return nil
        }
        for (keyNode, value) in mapping {
            guard case let .scalar(keyScalar) = keyNode else {
                log.report(path, "keys must be plain words, found \(ConfigurationYAMLScalar.describe(keyNode))", line: keyNode.mark?.line)
                continue
            }
            let key = keyScalar.string
            let keyPath = Self.join(path, key)
            log.noteLine(keyNode.mark?.line, for: keyPath)
            if !known.contains(key) {
                log.report(keyPath, Self.unknownKeyMessage(key, known: known), line: keyNode.mark?.line)
                if let suggestion = ConfigurationKeySuggestion.closest(to: key, among: known) { suggested.insert(suggestion) }
                continue
            }
            if values[key] != nil {
                log.report(keyPath, "key '\(key)' appears twice; keep one", line: keyNode.mark?.line)
                continue
            }
            values[key] = value
        }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    static func unknownKeyMessage(_ key: String, known: [String]) -> String {
        if let suggestion = ConfigurationKeySuggestion.closest(to: key, among: known) {
            return "unknown key '\(key)'; did you mean '\(suggestion)'?"
        }
        return "unknown key '\(key)'; known keys here: \(known.joined(separator: ", "))"
    }

    func childPath(_ key: String) -> String { Self.join(path, key) }

    /// The value, or nil when the key is absent or explicitly empty (`key:` / `key: null`).
    func node(_ key: String) -> Node? {
        guard let value = values[key], !ConfigurationYAMLScalar.isNull(value) else { return nil }
        return value
    }

    func has(_ key: String) -> Bool { node(key) != nil }

    func reportMissing(_ key: String, hint: String) {
        guard !suggested.contains(key) else { return }
        log.report(childPath(key), "missing required value; add `\(key): \(hint)`", line: log.line(for: path))
    }

    func string(_ key: String) -> String? {
        guard let value = node(key) else { return nil }
        guard case let .scalar(scalar) = value else {
            log.report(childPath(key), "expected text, found \(ConfigurationYAMLScalar.describe(value))")
            return nil
        }
        return scalar.string
    }

    func requiredString(_ key: String, hint: String) -> String? {
        guard has(key) else { reportMissing(key, hint: hint); return nil }
        return string(key)
    }

    func int(_ key: String) -> Int? {
        guard let value = node(key) else { return nil }
        guard let text = ConfigurationYAMLScalar.plainString(value), let number = Int(text) else {
            log.report(childPath(key), "expected a whole number, found \(ConfigurationYAMLScalar.describe(value))")
            return nil
        }
        return number
    }

    func requiredInt(_ key: String, hint: String) -> Int? {
        guard has(key) else { reportMissing(key, hint: hint); return nil }
        return int(key)
    }

    func double(_ key: String) -> Double? {
        guard let value = node(key) else { return nil }
        guard let text = ConfigurationYAMLScalar.plainString(value), let number = Double(text), number.isFinite else {
            log.report(childPath(key), "expected a number, found \(ConfigurationYAMLScalar.describe(value))")
            return nil
        }
        return number
    }

    func requiredDouble(_ key: String, hint: String) -> Double? {
        guard has(key) else { reportMissing(key, hint: hint); return nil }
        return double(key)
    }

    func bool(_ key: String) -> Bool? {
        guard let value = node(key) else { return nil }
        switch ConfigurationYAMLScalar.plainString(value)?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            log.report(childPath(key), "expected true or false, found \(ConfigurationYAMLScalar.describe(value))")
            return nil
        }
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, _ type: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(key) else { return nil }
        if let choice = Choice(rawValue: text) { return choice }
        let options = Choice.allCases.map(\.rawValue)
        let hint = ConfigurationKeySuggestion.closest(to: text, among: options).map { "; did you mean '\($0)'?" } ?? ""
        log.report(childPath(key), "'\(text)' is not one of: \(options.joined(separator: ", "))\(hint)")
        return nil
    }

    func mapping(_ key: String, known: [String]) -> ConfigurationYAMLMapping? {
        guard let value = node(key) else { return nil }
        return ConfigurationYAMLMapping(value, path: childPath(key), log: log, known: known)
    }

    /// Items of a list, each with its path (`compartments[3]`); nil when absent.
    func sequence(_ key: String) -> [(path: String, node: Node)]? {
        guard let value = node(key) else { return nil }
        guard case let .sequence(sequence) = value else {
            log.report(childPath(key), "expected a list (items starting with '- '), found \(ConfigurationYAMLScalar.describe(value))")
            return nil
        }
        return sequence.enumerated().map { index, item in
            let itemPath = "\(childPath(key))[\(index)]"
            log.noteLine(item.mark?.line, for: itemPath)
            return (itemPath, item)
        }
    }

    /// Entries of a mapping whose keys are names chosen by the author (e.g. board lines).
    func namedEntries(_ key: String) -> [(name: String, path: String, node: Node)]? {
        guard let value = node(key) else { return nil }
        guard case let .mapping(mapping) = value else {
            log.report(childPath(key), "expected a mapping of names to entries, found \(ConfigurationYAMLScalar.describe(value))")
            return nil
        }
        var seen = Set<String>()
        var entries: [(name: String, path: String, node: Node)] = []
        for (keyNode, item) in mapping {
            let name = keyNode.scalar?.string ?? ""
            let itemPath = "\(childPath(key)).\(name)"
            log.noteLine(keyNode.mark?.line, for: itemPath)
            if !seen.insert(name).inserted {
                log.report(itemPath, "'\(name)' is defined twice; names must be unique")
                continue
            }
            entries.append((name, itemPath, item))
        }
        return entries
    }
}

/// Finds the known key a typo most likely meant (edit distance, case-insensitive).
enum ConfigurationKeySuggestion {
    static func closest(to word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let allowed = max(2, min(word.count, best.candidate.count) / 3)
        return best.distance <= allowed ? best.candidate : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
