import Foundation
import Hummingbird
import Prometheus

extension LocalAPI {
    /// How the daemon serves the operator surface (metrics, the live event stream, the commissioning page).
    public struct Options: Sendable {
        /// How often an idle event stream gets a comment line.
        public var eventStreamHeartbeat: Duration
        /// Where `GET /metrics` reads swift-metrics' counters from: the daemon passes the registry it bootstrapped
        /// (`SiteMetrics.bootstrapOnce()`); without one, `/metrics` shows only the site's present state.
        public var metricsRegistry: PrometheusCollectorRegistry?

        public init(eventStreamHeartbeat: Duration = .seconds(15), metricsRegistry: PrometheusCollectorRegistry? = nil) {
            self.eventStreamHeartbeat = eventStreamHeartbeat
            self.metricsRegistry = metricsRegistry
        }
    }

    static func addOperatorSurfaceRoutes(to router: Router<BasicRequestContext>, site: SiteController, options: Options) {
        addMetricsRoute(to: router, site: site, registry: options.metricsRegistry ?? PrometheusCollectorRegistry())
        addEventStreamRoutes(to: router.group("v1"), site: site, heartbeat: options.eventStreamHeartbeat)
        addCommissioningPageRoutes(to: router)
    }
}

extension LocalAPI {
    /// Every route the router serves, as `METHOD /path/{parameter}` (the daemon logs it at debug level; the
    /// contract test checks it against docs/openapi.yaml).
    public static func routeList(_ router: Router<BasicRequestContext>) -> [String] {
        router.routes.map { route in
            let path = route.path.description.split(separator: "/").map { component in
                component.hasPrefix(":") ? "{\(component.dropFirst())}" : String(component)
            }
            return "\(route.method) /\(path.joined(separator: "/"))"
        }.sorted()
    }
}
