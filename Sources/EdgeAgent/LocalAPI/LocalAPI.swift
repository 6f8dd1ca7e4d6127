import Foundation
import Hummingbird
import HummingbirdTLS
import Logging

/// The local HTTP API on the board (docs/local-api.md). Every route needs a bearer token; every route that
/// changes state (any method but GET/HEAD) needs the operator token (BearerTokenMiddleware).
public enum LocalAPI {
    /// A router that accepts only the operator token.
    public static func router(site: SiteController, token: APIToken, version: String, startedAt: Date)
        -> Router<BasicRequestContext>
    {
        router(site: site, tokens: APITokens(operatorToken: token), version: version, startedAt: startedAt)
    }

    public static func router(site: SiteController, tokens: APITokens, version: String, startedAt: Date,
                              options: Options = Options())
        -> Router<BasicRequestContext>
    {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: BearerTokenMiddleware(tokens: tokens))
        addOperatorSurfaceRoutes(to: router, site: site, options: options)
        let v1 = router.group("v1")
        v1.get("health") { _, _ -> HealthStatus in
            let responsive = await site.isResponsive()
            return HealthStatus(
                status: responsive ? "ok" : "stopping", version: version,
                uptimeSeconds: Date().timeIntervalSince(startedAt))
        }
        v1.get("status") { _, _ -> SiteStatus in
            await site.status()
        }
        addHardwareRoutes(to: v1, site: site)
        addSessionRoutes(to: v1, site: site)
        addSimulationRoutes(to: v1, site: site)
        addMeterRoutes(to: v1, site: site)
        addSimulatedMeterRoutes(to: v1, site: site)
        addSimulatedChargerRoutes(to: v1, site: site)
        addBalancingRoutes(to: v1, site: site)
        addAuthorizationRoutes(to: v1, site: site)
        addAvailabilityRoutes(to: v1, site: site)
        addChargingProfileRoutes(to: v1, site: site)
        addSMSRoutes(to: v1, site: site, tokens: tokens)
        return router
    }

    /// The HTTP server as a service of the daemon's service group.
    public static func application(
        router: Router<BasicRequestContext>, host: String, port: Int, tls: TLSConfiguration? = nil, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) throws -> some ApplicationProtocol {
        Application(
            router: router,
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: .init(address: .hostname(host, port: port), serverName: "edge-agent"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}

extension HealthStatus: ResponseEncodable {}
extension SiteStatus: ResponseEncodable {}
