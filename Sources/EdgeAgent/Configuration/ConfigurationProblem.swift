/// One thing wrong with a site configuration: where it is (a key path such as
/// `compartments[3].lockLine`) and what is wrong and what to do about it.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String
    /// 1-based line in the file the problem was found in, when known.
    public let line: Int?

    public init(path: String, message: String, line: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
    }

    public var description: String { "\(path): \(message)" }
}

/// Every problem found while loading a site configuration, reported at once so an
/// integrator can fix the whole file in one pass.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The site file path, or "embedded simulator site".
    public let source: String
    public let problems: [ConfigurationProblem]

    public init(source: String, problems: [ConfigurationProblem]) {
        self.source = source
        self.problems = problems
    }

    /// A header line, then one problem per line (with its file line when known).
    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        var lines = ["\(source): invalid site configuration, \(count):"]
        for problem in problems {
            if let line = problem.line {
                lines.append("  \(problem) (line \(line))")
            } else {
                lines.append("  \(problem)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Command-line values that replace what the site file says. They are applied after
/// loading and before validating, so a bad override is reported like a bad file value.
public struct ConfigurationOverrides: Sendable, Equatable {
    public var stateDirectory: String?
    public var centralSystemURL: String?
    /// `host:port`, e.g. `127.0.0.1:8080` or `[::1]:8080`.
    public var apiListen: String?
    public var logLevel: String?

    public init(
        stateDirectory: String? = nil,
        centralSystemURL: String? = nil,
        apiListen: String? = nil,
        logLevel: String? = nil
    ) {
        self.stateDirectory = stateDirectory
        self.centralSystemURL = centralSystemURL
        self.apiListen = apiListen
        self.logLevel = logLevel
    }

    public static let none = ConfigurationOverrides()
}
