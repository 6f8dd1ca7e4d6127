import Foundation
import Hummingbird
import Prometheus

/// `GET /metrics`: every metric of the process in the Prometheus text format (read scope; docs/local-api.md).
extension LocalAPI {
    static func addMetricsRoute(to router: Router<BasicRequestContext>, site: SiteController,
                                registry: PrometheusCollectorRegistry) {
        router.get("metrics") { _, _ -> Response in
            let text = await SiteMetrics.render(
                site: site, registry: registry, eventStreamClients: site.liveEvents.subscriberCount)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
