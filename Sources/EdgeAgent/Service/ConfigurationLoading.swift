import Foundation
import Logging

extension SiteConfigurationLoader {
    /// Device profile names a site file may refer to.
    /// TEMPORARY list until MeterBus's profile catalog lands; then this asks the catalog.
    static var knownProfileNames: Set<String> {
        ["eastron-sdm630", "eastron-sdm120", "eastron-sdm72", "abb-b23", "carlo-gavazzi-em24", "sunspec-inverter",
         "phoenix-ev-charge-control"]
    }

    /// Loads the site file (nil: the embedded simulated site), applies overrides and validates it against the
    /// device profiles this build knows.
    public static func loadSite(path: String?, overrides: ConfigurationOverrides) throws(ConfigurationError)
        -> SiteConfiguration
    {
        try load(path: path, overrides: overrides, knownProfiles: knownProfileNames)
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
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
