import Foundation
import Logging
import OCPP

/// The WebSocket connection is the uplink's transport in the daemon.
extension OCPPConnection: UplinkTransport {
    public func setPingInterval(seconds: Int) async { updatePingInterval(.seconds(seconds)) }
    public func setAuthorizationKey(_ key: String) async { updatePassword(key) }

    public nonisolated var connectFailures: AsyncStream<String> {
        let states = self.states  // taken now: the connection publishes only to streams already taken
        return AsyncStream { continuation in
            let task = Task {
                for await state in states {
                    if case .disconnected(.connectFailed(let error)) = state { continuation.yield(error.description) }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

extension UplinkSetup {
    /// The uplink for a site with a central system: the WebSocket connection to
    /// `centralSystem.url` + "/" + identity, configured from the site file and the stored
    /// configuration keys (AuthorizationKey, WebSocketPingInterval). Connecting starts when the
    /// uplink service runs; an unreachable central system only means retries.
    public static func makeUplink(
        configuration: SiteConfiguration, central: CentralSystemConfiguration, store: SiteStore, site: SiteController,
        buildVersion: String, logger: Logger
    ) -> OCPPUplink {
        let registry = registry(for: configuration)
        let keys = loadKeys(
            registry: registry, store: store, central: central, siteDefaults: configuration.ocppDefaults, logger: logger)
        let connection = OCPPConnection(
            configuration: OCPPConnectionConfiguration(
                centralSystemURL: central.url, stationIdentity: configuration.station.identity,
                securityProfile: OCPPSecurityProfile(rawValue: central.securityProfile) ?? .unsecured,
                password: initialPassword(keys: keys, central: central, logger: logger),
                caBundlePath: central.caBundle, clientCertificatePath: central.clientCertificate,
                clientKeyPath: central.clientKey,
                pingInterval: .seconds(registry.integer(.webSocketPingInterval, in: keys) ?? 60)),
            logger: logger.with(label: "edge-agent.ocpp.link"))
        return OCPPUplink(
            settings: UplinkSettings(bootNotification: bootNotification(for: configuration.station, buildVersion: buildVersion)),
            transport: connection, store: store, connectors: site, monitor: site.uplinkMonitor, registry: registry,
            keys: keys, logger: logger.with(label: "edge-agent.ocpp"),
            dataTransferRouter: DataTransferRouter(vendorId: central.vendorId ?? configuration.station.vendor))
    }
}
