// TEMPORARY: the lead's stand-in for the configuration contract while the configuration helper works.
// Deleted when Sources/EdgeAgent/Configuration lands.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible { public let path: String; public let message: String
    public var description: String { "\(path): \(message)" } }
public struct ConfigurationError: Error, Sendable, CustomStringConvertible { public let source: String; public let problems: [ConfigurationProblem]
    public var description: String { "\(source):\n" + problems.map { "  \($0)" }.joined(separator: "\n") } }
public struct ConfigurationOverrides: Sendable { public var stateDirectory: String?; public var centralSystemURL: String?; public var apiListen: String?; public var logLevel: String?
    public init(stateDirectory: String? = nil, centralSystemURL: String? = nil, apiListen: String? = nil, logLevel: String? = nil) { self.stateDirectory = stateDirectory; self.centralSystemURL = centralSystemURL; self.apiListen = apiListen; self.logLevel = logLevel } }
public enum SiteConfigurationLoader {
    public static func load(path: String?, overrides: ConfigurationOverrides, knownProfiles: Set<String>) throws(ConfigurationError) -> SiteConfiguration {
        var c = SiteConfiguration(station: .init(identity: "SIM", vendor: "v", model: "m", serialNumber: "s", firmwareVersion: "f"), centralSystem: nil,
            compartments: (1...12).map { CompartmentConfiguration(name: "A\($0)", connectorId: $0, maxPowerWatts: 500) }, chargers: [],
            api: .init(host: "127.0.0.1", port: 8080, token: nil, tokenFile: nil), storage: .init(folder: "./.state"), logging: .init(level: "info"))
        if let s = overrides.stateDirectory { c.storage.folder = s }
        if let a = overrides.apiListen { let p = a.split(separator: ":"); c.api.host = String(p[0]); c.api.port = Int(p[1])! }
        if let l = overrides.logLevel { c.logging.level = l }
        return c
    }
}
public struct StationConfiguration: Sendable, Equatable { public var identity, vendor, model, serialNumber, firmwareVersion: String }
public struct CentralSystemConfiguration: Sendable, Equatable { public var url: String; public var securityProfile: Int }
public struct CompartmentConfiguration: Sendable, Equatable { public var name: String; public var connectorId: Int; public var maxPowerWatts: Double }
public struct ChargerConfiguration: Sendable, Equatable { public var connectorId: Int }
public struct LocalAPIConfiguration: Sendable, Equatable { public var host: String; public var port: Int; public var token: String?; public var tokenFile: String? }
public struct StorageConfiguration: Sendable, Equatable { public var folder: String }
public struct LoggingConfiguration: Sendable, Equatable { public var level: String }
public struct SiteConfiguration: Sendable, Equatable {
    public var station: StationConfiguration; public var centralSystem: CentralSystemConfiguration?
    public var compartments: [CompartmentConfiguration]; public var chargers: [ChargerConfiguration]
    public var api: LocalAPIConfiguration; public var storage: StorageConfiguration; public var logging: LoggingConfiguration
    public var isSimulated: Bool { true }
}
