import Foundation
import OCPP

/// Where a firmware update stands (stored, so the outcome is reported after the restart).
public enum FirmwareUpdateStage: String, Sendable, Equatable, Codable {
    /// Accepted; waiting for retrieveDate.
    case scheduled
    case downloading
    case downloaded
    /// The install command runs.
    case installing
    /// The install command succeeded; Installed is reported after the restart.
    case installed
}

/// What happened to a firmware update, in the order the update's task sees it.
public enum FirmwareUpdateEvent: Sendable, Equatable {
    case retrieveDateReached
    case downloadSucceeded(file: String)
    case downloadFailed(reason: String)
    case installSucceeded
    case installFailed(reason: String)
}

/// What the update's task does next.
public enum FirmwareUpdateEffect: Sendable, Equatable {
    /// Store the stage first (it survives a restart).
    case persist(FirmwareUpdateStage)
    /// Forget the stored update (finished, reported).
    case clear
    case report(FirmwareStatus)
    /// Download attempt `attempt` (1-based) after waiting `after` seconds.
    case download(attempt: Int, after: TimeInterval)
    case install(file: String)
    /// Stop gracefully and start again; Installed is reported by the next run.
    case restart
    case log(String)
}

/// OCPP 1.6 §5.19 firmware update as a pure machine: Downloading, Downloaded, Installing, then a restart after which
/// Installed is reported; DownloadFailed after the last attempt, InstallationFailed when the install command fails.
/// `retries` is how many times the download is tried (OCPP: "how many times the Charge Point must try"), at least
/// once; `retryInterval` seconds lie between attempts.
public struct FirmwareUpdateProgress: Sendable, Equatable {
    public let location: String
    public let attemptsAllowed: Int
    public let retryInterval: TimeInterval
    public private(set) var stage: FirmwareUpdateStage = .scheduled
    public private(set) var attemptsMade = 0
    /// True once the update ended (failed, or handed over to the restart).
    public private(set) var finished = false

    public init(location: String, retries: Int?, retryInterval: Int?) {
        self.location = location
        attemptsAllowed = max(1, retries ?? 1)
        self.retryInterval = TimeInterval(max(0, retryInterval ?? 30))
    }

    /// Whether the location can be downloaded at all (http and https; FTP is not supported).
    public static func unsupportedScheme(of location: String) -> String? {
        let scheme = URL(string: location)?.scheme?.lowercased()
        guard let scheme else { return "'\(location)' is not a URL" }
        return scheme == "http" || scheme == "https" ? nil
            : "\(scheme):// is not supported for firmware downloads; only http:// and https:// are (give the central system an HTTP(S) location)"
    }

    public mutating func handle(_ event: FirmwareUpdateEvent) -> [FirmwareUpdateEffect] {
        guard !finished else { return [] }
        switch (event, stage) {
        case (.retrieveDateReached, .scheduled):
            if let problem = Self.unsupportedScheme(of: location) {
                finished = true
                return [.log(problem), .clear, .report(.downloadFailed)]
            }
            return startAttempt(after: 0)
        case (.downloadFailed(let reason), .downloading):
            if attemptsMade < attemptsAllowed {
                return [.log("firmware download attempt \(attemptsMade) of \(attemptsAllowed) failed: \(reason); retrying in \(Int(retryInterval)) s")]
                    + startAttempt(after: retryInterval)
            }
            finished = true
            return [.log("firmware download failed after \(attemptsMade) attempts: \(reason)"), .clear, .report(.downloadFailed)]
        case (.downloadSucceeded(let file), .downloading):
            stage = .installing
            return [.persist(.downloaded), .report(.downloaded), .persist(.installing), .report(.installing), .install(file: file)]
        case (.installSucceeded, .installing):
            stage = .installed
            finished = true
            return [.persist(.installed), .restart]
        case (.installFailed(let reason), .installing):
            finished = true
            return [.log("firmware installation failed: \(reason)"), .clear, .report(.installationFailed)]
        default:
            return [.log("firmware update: \(event) ignored in stage \(stage.rawValue)")]
        }
    }

    private mutating func startAttempt(after delay: TimeInterval) -> [FirmwareUpdateEffect] {
        attemptsMade += 1
        // Downloading is reported once, when the first attempt starts; retries are part of the same download.
        let first = stage != .downloading
        stage = .downloading
        return (first ? [.persist(.downloading), .report(.downloading)] : []) + [.download(attempt: attemptsMade, after: delay)]
    }

    /// What the next run reports for an update the store still holds: Installed after a successful install,
    /// InstallationFailed when the restart cut the install command short; nil when the install had not started, so
    /// the update starts over (download at retrieveDate, with its retries).
    public static func reportAfterRestart(_ stage: FirmwareUpdateStage) -> (FirmwareStatus, String)? {
        switch stage {
        case .installed:
            return (.installed, "the install command succeeded before the restart")
        case .installing:
            return (.installationFailed, "the daemon stopped while the install command ran; its result is unknown")
        case .scheduled, .downloading, .downloaded:
            return nil
        }
    }
}
