import Foundation

/// The pure parts of GetDiagnostics: which log lines the requested window holds, the bundle's file name, where it is
/// uploaded, and the journalctl call for the same window.
public enum DiagnosticsRules {
    /// Lines at or after `start` and at or before `stop` (either bound absent: open on that side), oldest first.
    public static func select(_ lines: [DiagnosticsLogLine], start: Date?, stop: Date?) -> [DiagnosticsLogLine] {
        lines.filter { line in
            (start.map { line.at >= $0 } ?? true) && (stop.map { line.at <= $0 } ?? true)
        }.sorted { $0.at < $1.at }
    }

    /// `diagnostics-<identity>-<UTC time>.tar.gz`: unique per request, safe in a URL and on any file system.
    public static func fileName(identity: String, at time: Date) -> String {
        let safeIdentity = String(identity.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time)
        let stamp = String(
            format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        return "diagnostics-\(safeIdentity)-\(stamp).tar.gz"
    }

    /// Why a location cannot take the upload (nil: it can). Only http and https are supported.
    public static func unsupportedLocation(_ location: String) -> String? {
        guard let url = URL(string: location), let scheme = url.scheme?.lowercased(), url.host != nil else {
            return "'\(location)' is not a URL"
        }
        return scheme == "http" || scheme == "https" ? nil
            : "\(scheme):// is not supported for diagnostics uploads; only http:// and https:// are"
    }

    /// The upload URL: a location ending in "/" is a folder and gets the file name appended; any other location is
    /// the upload URL itself.
    public static func uploadURL(location: String, fileName: String) -> String {
        location.hasSuffix("/") ? location + fileName : location
    }

    /// journalctl arguments for the daemon's unit and the window, in UTC.
    public static func journalctlArguments(unit: String, start: Date?, stop: Date?) -> [String] {
        func stamp(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            return formatter.string(from: date) + " UTC"
        }
        var arguments = ["-u", unit, "--no-pager", "-o", "short-iso-precise"]
        if let start { arguments += ["--since", stamp(start)] }
        if let stop { arguments += ["--until", stamp(stop)] }
        return arguments
    }

    /// How many upload attempts GetDiagnostics asks for (`retries`, at least one) and the pause between them.
    public static func attempts(retries: Int?, retryInterval: Int?) -> (count: Int, interval: TimeInterval) {
        (max(1, retries ?? 1), TimeInterval(max(0, retryInterval ?? 30)))
    }
}
