import Foundation
import Logging

extension SiteConfigurationLoader {
    /// Loads the site file (nil: the embedded simulated site), applies overrides and validates it against the
    /// device profiles MeterBus ships plus the site's `profilesFolder`; a broken profile file is a problem too.
    public static func loadSite(path: String?, overrides: ConfigurationOverrides) throws(ConfigurationError)
        -> SiteConfiguration
    {
        let profiles = SiteProfiles.load(folder: SiteProfiles.folder(ofSiteAt: path))
        let site: SiteConfiguration
        do {
            site = try load(path: path, overrides: overrides, knownProfiles: profiles.names)
        } catch {
            throw ConfigurationError(source: error.source, problems: profiles.problems + error.problems)
        }
        guard profiles.problems.isEmpty else {
            throw ConfigurationError(source: path ?? embeddedSource, problems: profiles.problems)
        }
        return site
    }
}

extension Logger.Level {
    /// Parses a level name as the site file and `--log-level` spell it.
    public init?(configurationName: String) {
        self.init(rawValue: configurationName.lowercased())
    }
}

/// Sets up swift-log once for the whole process: structured `key=value` metadata on standard error, which
/// journald captures on a board.
public enum LogSetup {
    /// `ring`: also keep recent lines for GetDiagnostics bundles (Operations/DiagnosticsLogRing.swift).
    public static func bootstrap(level: Logger.Level, ring: DiagnosticsLogRing? = nil) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            guard let ring else { return handler }
            return RingRecordingLogHandler(label: label, wrapping: handler, ring: ring)
        }
    }
}
