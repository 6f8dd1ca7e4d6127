import Foundation
import Logging

/// One structured log line kept for diagnostics.
public struct DiagnosticsLogLine: Sendable, Equatable {
    public var at: Date
    public var level: Logger.Level
    public var label: String
    public var message: String
    public var metadata: [String: String]

    public init(at: Date, level: Logger.Level, label: String, message: String, metadata: [String: String] = [:]) {
        self.at = at
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }

    /// One line of text: ISO 8601 time, level, label, message, metadata sorted by key.
    public var text: String {
        let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(at.formatted(.iso8601)) \(level) [\(label)] \(message)\(fields.isEmpty ? "" : " \(fields)")"
    }
}

/// The daemon keeps no log file (journald has its standard error): a bounded ring of its recent log lines goes into
/// GetDiagnostics bundles. Metadata whose key names a secret is replaced before it is stored.
public final class DiagnosticsLogRing: @unchecked Sendable {
    /// The daemon's ring (filled by `LogSetup.bootstrap(level:ring:)`).
    public static let shared = DiagnosticsLogRing(capacity: 5_000)

    private let lock = NSLock()
    private var lines: [DiagnosticsLogLine] = []
    private var next = 0
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public func append(_ line: DiagnosticsLogLine) {
        var line = line
        line.metadata = Self.redacted(line.metadata)
        lock.withLock {
            if lines.count < capacity {
                lines.append(line)
            } else {
                lines[next] = line
                next = (next + 1) % capacity
            }
        }
    }

    /// Every kept line, oldest first.
    public func snapshot() -> [DiagnosticsLogLine] {
        lock.withLock { Array(lines[next...] + lines[..<next]) }
    }

    static let secretKeyFragments = ["password", "token", "pin", "secret", "authorizationkey", "apikey", "credential"]

    static func redacted(_ metadata: [String: String]) -> [String: String] {
        metadata.reduce(into: [:]) { result, entry in
            let key = entry.key.lowercased()
            result[entry.key] = secretKeyFragments.contains(where: key.contains) ? "<redacted>" : entry.value
        }
    }
}

/// Passes every log call on to the wrapped handler and keeps a copy in the diagnostics ring.
public struct RingRecordingLogHandler: LogHandler {
    public var wrapped: any LogHandler
    let label: String
    let ring: DiagnosticsLogRing

    public init(label: String, wrapping wrapped: any LogHandler, ring: DiagnosticsLogRing) {
        self.label = label
        self.wrapped = wrapped
        self.ring = ring
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        wrapped.log(event: event)
        var fields: [String: String] = [:]
        for (key, value) in wrapped.metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            fields[key] = "\(value)"
        }
        ring.append(DiagnosticsLogLine(at: Date(), level: event.level, label: label, message: "\(event.message)", metadata: fields))
    }
}
