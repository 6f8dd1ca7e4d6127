import Foundation

/// A bus URL that does not make sense, with what to write instead.
public struct BusURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var url: String
    public var reason: String
    public var description: String { "bus '\(url)': \(reason)" }
}

/// Parses `tcp://HOST[:PORT]` and `rtu:///dev/ttyUSB0?baud=9600&parity=N&data=8&stop=1&rs485=1`,
/// plus optional `timeout=<ms>`, `retries=<n>`, `gap=<ms>`. Pure.
public enum BusURL {
    static let examples = "use tcp://HOST:PORT or rtu:///dev/ttyUSB0?baud=9600&parity=N"

    public static func parse(_ text: String) throws(BusURLError) -> BusConfiguration {
        func fail(_ reason: String) -> BusURLError { BusURLError(url: text, reason: reason) }
        guard let schemeEnd = text.range(of: "://") else {
            throw fail("missing scheme; \(examples)")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        var rest = String(text[schemeEnd.upperBound...])
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[1].isEmpty else { throw fail("query item '\(pair)' needs the form key=value") }
                query[parts[0].lowercased()] = parts[1].removingPercentEncoding ?? parts[1]
            }
            rest = String(rest[..<mark])
        }
        func intItem(_ key: String, _ range: ClosedRange<Int>) throws(BusURLError) -> Int? {
            guard let raw = query.removeValue(forKey: key) else { return nil }
            guard let number = Int(raw), range.contains(number) else {
                throw fail("\(key)=\(raw) is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }

        var configuration: BusConfiguration
        switch scheme {
        case "tcp":
            guard !rest.isEmpty, !rest.contains("/") || rest.hasSuffix("/") else {
                throw fail("tcp needs a host, e.g. tcp://192.168.1.20:502")
            }
            if rest.hasSuffix("/") { rest.removeLast() }
            var host = rest
            var port = 502
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { throw fail("unclosed '[' in IPv6 host") }
                host = String(rest[rest.index(after: rest.startIndex)..<close])
                let after = rest[rest.index(after: close)...]
                if after.hasPrefix(":") { port = try parsePort(String(after.dropFirst()), fail) }
            } else if let colon = rest.lastIndex(of: ":") {
                host = String(rest[..<colon])
                port = try parsePort(String(rest[rest.index(after: colon)...]), fail)
            }
            guard !host.isEmpty else { throw fail("tcp needs a host, e.g. tcp://192.168.1.20:502") }
            configuration = BusConfiguration(link: .tcp(host: host, port: port))
        case "rtu":
            guard rest.hasPrefix("/"), rest.count > 1 else {
                throw fail("rtu needs an absolute device path, e.g. rtu:///dev/ttyUSB0?baud=9600")
            }
            var serial = SerialSettings(device: rest)
            if let baud = try intItem("baud", 50...4_000_000) { serial.baud = baud }
            if let parity = query.removeValue(forKey: "parity") {
                guard let value = SerialSettings.Parity(rawValue: parity.uppercased()) else {
                    throw fail("parity=\(parity) must be N, E or O")
                }
                serial.parity = value
            }
            if let data = try intItem("data", 5...8) { serial.dataBits = data }
            if let stop = try intItem("stop", 1...2) { serial.stopBits = stop }
            if let flag = query.removeValue(forKey: "rs485") {
                switch flag.lowercased() {
                case "1", "true", "yes", "on": serial.rs485 = true
                case "0", "false", "no", "off": serial.rs485 = false
                default: throw fail("rs485=\(flag) must be true or false")
                }
            }
            configuration = BusConfiguration(link: .rtu(serial))
        default:
            throw fail("unknown scheme '\(scheme)'; \(examples)")
        }
        if let timeout = try intItem("timeout", 1...60000) { configuration.responseTimeout = .milliseconds(timeout) }
        if let retries = try intItem("retries", 0...10) { configuration.retries = retries }
        if let gap = try intItem("gap", 0...10000) { configuration.interRequestGap = .milliseconds(gap) }
        if let unknown = query.keys.sorted().first {
            throw fail("unknown option '\(unknown)' (known: baud, parity, data, stop, rs485, timeout, retries, gap)")
        }
        return configuration
    }

    private static func parsePort(_ text: String, _ fail: (String) -> BusURLError) throws(BusURLError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw fail("port '\(text)' must be a number in 1...65535")
        }
        return port
    }
}
