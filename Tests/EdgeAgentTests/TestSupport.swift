import Foundation
import Logging
@testable import EdgeAgent

/// A fresh folder under the system temp directory, removed by the caller with `removeItem`.
func makeTemporaryFolder(_ name: String = #function) -> String {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("edge-agent-tests-\(UUID().uuidString)", isDirectory: true)
    try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.path
}

/// The embedded simulated site with its state folder moved to `stateFolder`.
func simulatedSite(stateFolder: String) throws -> SiteConfiguration {
    try SiteConfigurationLoader.loadSite(path: nil, overrides: ConfigurationOverrides(stateDirectory: stateFolder))
}

let quietLogger: Logger = {
    var logger = Logger(label: "edge-agent.tests")
    logger.logLevel = .critical
    return logger
}()
