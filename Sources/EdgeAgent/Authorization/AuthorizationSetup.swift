import Foundation
import Logging
import OCPP

/// Building the daemon's authorizer from the validated site and the store.
public enum AuthorizationSetup {
    /// The authorizer of this site. Its policy without a central system comes from the stored
    /// configuration keys (what a central system set before it was removed from the site file), else the
    /// site file's `ocppDefaults`, else the registry defaults: LocalAuthorizeOffline on, AllowOfflineTxForUnknownId off. An uplink
    /// attaches itself later (`Authorizer.attach(centralSystem:)`) and from then on supplies the policy.
    public static func makeAuthorizer(configuration: SiteConfiguration, store: SiteStore, logger: Logger) -> Authorizer {
        let registry = UplinkSetup.registry(for: configuration)
        let stored = UplinkSetup.storedValues(store: store, siteDefaults: configuration.ocppDefaults, logger: logger)
        let keys = registry.sanitized(ConfigurationKeyStore(values: stored)).store
        return Authorizer(store: store, offlinePolicy: AuthorizationPolicy(registry: registry, keys: keys), logger: logger)
    }
}
