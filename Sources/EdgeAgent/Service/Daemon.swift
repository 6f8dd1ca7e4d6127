import Foundation
import Hummingbird
import NIOCore
import Logging
import ServiceLifecycle

/// Errors that stop the daemon before it starts, each phrased for the person at the console.
public enum DaemonError: Error, Sendable, CustomStringConvertible {
    case store(StoreError)
    case apiToken(APITokenError)
    case apiListen(address: String, reason: String)
    case hardware(SiteHardwareError)
    case apiTLS(path: String, reason: String)

    public var description: String {
        switch self {
        case let .apiTLS(path, reason):
            return "cannot start: the local API's TLS file \(path) cannot be used (\(reason)). "
                + "Point api.tls.certificate / api.tls.privateKey at PEM files readable by the edge-agent user."
        case let .store(error): return "cannot start: \(error)"
        case let .apiToken(error): return "cannot start: \(error)"
        case let .hardware(error): return "cannot start: \(error)"
        case let .apiListen(address, reason):
            return "cannot start: the local API cannot listen on \(address) (\(reason)). "
                + "Stop the program that holds the port, or choose another with api.listen in the site file or --api-listen."
        }
    }
}

/// Wires the site controller, the local API and systemd integration into one service group that starts
/// together and stops gracefully on SIGTERM or SIGINT.
public struct Daemon: Sendable {
    public static let version = "0.1.0"

    public let configuration: SiteConfiguration
    public let logger: Logger

    public init(configuration: SiteConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Returns what the process does next: exit, or restart after a Reset or a firmware install (`DaemonExit.carryOut`).
    @discardableResult
    public func run(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> DaemonExit {
        let startedAt = Date()
        // Once per process, before anything creates a metric (docs/local-api.md, "Metrics").
        let metricsRegistry = SiteMetrics.bootstrapOnce()
        // HTTPS certificate read before anything starts, so a bad file stops nothing half-way.
        let apiTLS = try configuration.api.tls.map { tls throws(DaemonError) in try APIListenPolicy.serverConfiguration(tls) }
        let store: SiteStore
        let runStart: RunStart
        let tokens: APITokens
        do {
            store = try SiteStore(folder: configuration.storage.folder, logger: logger)
            runStart = try store.beginRun(at: startedAt, version: Self.version)
        } catch {
            throw DaemonError.store(error)
        }
        do {
            tokens = try APITokens.resolve(configuration: configuration.api, stateFolder: configuration.storage.folder)
        } catch {
            store.close()
            throw DaemonError.apiToken(error)
        }
        let scopedTokens: [(APIToken?, APIScope)] = [(tokens.operatorToken, .operator), (tokens.readOnlyToken, .readOnly)]
        for (token, scope) in scopedTokens {
            if case let .generated(path)? = token?.origin {
                logger.notice("generated a local API token", metadata: ["tokenFile": "\(path)", "scope": "\(scope.rawValue)"])
            }
        }

        let notifier = SystemdNotifier(environment: environment)
        // Outputs safe and inputs read before the site controller or the API can act on anything.
        let hardware = SiteHardware(configuration: configuration, logger: logger.with(label: "edge-agent.hardware"))
        do { try await hardware.start() } catch {
            try? store.endRun(runStart.runID, at: Date())
            store.close()
            throw DaemonError.hardware(error)
        }
        let metering = await MeteringSetup.start(configuration: configuration, logger: logger)
        let authorizer = AuthorizationSetup.makeAuthorizer(
            configuration: configuration, store: store, logger: logger.with(label: "edge-agent.authorization"))
        let site = SiteController(
            configuration: configuration, store: store, runStart: runStart, startedAt: startedAt,
            logger: logger.with(label: "edge-agent.site"), hardware: hardware, metering: metering.service,
            authorizer: authorizer)
        await site.followHardware()
        // The uplink is built before the sessions are reconciled (they queue transactions through it) and runs
        // later as a service.
        let uplink = configuration.centralSystem.map { central in
            UplinkSetup.makeUplink(
                configuration: configuration, central: central, store: store, site: site, buildVersion: Self.version,
                logger: logger)
        }
        if let uplink {
            await authorizer.attach(centralSystem: uplink)
            await VendorMessages.register(on: uplink.dataTransferRouter, site: site)
        }
        // Availability, reset, firmware and diagnostics (Operations/); the stored availability applies from the start.
        let operations = uplink.map {
            OperationsService(
                site: site, uplink: $0, store: store, configuration: configuration,
                logger: logger.with(label: "edge-agent.operations"))
        }
        if let uplink, let operations { await uplink.attach(operations: operations) }
        await site.loadAvailability()
        // Smart charging follows the uplink's transactions from the first one the sessions reconcile below.
        var smartCharging: SmartCharging?
        if let uplink {
            smartCharging = await SmartChargingSetup.start(
                configuration: configuration, store: store, site: site, uplink: uplink, logger: logger)
        }
        // Stored sessions are reconciled with the hardware before the API or the uplink can act on anything.
        await site.startSessions(uplink: uplink, settings: SessionSettings(configuration: configuration))
        await site.startChargers(uplink: uplink, settings: SessionSettings(configuration: configuration))
        await site.applyAvailability()
        // SMS sessions follow the session machines (SMS/SMSRuntime.swift); nil without `sms:` in the site file.
        let sms = await SMSSetup.start(configuration: configuration, site: site, uplink: uplink, logger: logger)
        let router = LocalAPI.router(
            site: site, tokens: tokens, version: Self.version, startedAt: startedAt,
            options: LocalAPI.Options(metricsRegistry: metricsRegistry))
        logger.debug("local API routes", metadata: ["routes": "\(LocalAPI.routeList(router).joined(separator: ", "))"])
        let api = try LocalAPI.application(
            router: router, host: configuration.api.host, port: configuration.api.port, tls: apiTLS,
            logger: logger.with(label: "edge-agent.api")
        ) { [logger] port in
            logger.info("local API listening", metadata: [
                "address": "\(configuration.api.host):\(port)", "station": "\(configuration.station.identity)",
            ])
            notifier.notify("READY=1\nSTATUS=running, \(configuration.compartments.count) compartments")
        }
        let apiService = ListeningService(
            address: "\(configuration.api.host):\(configuration.api.port)", application: api)
        let watchdog = WatchdogService(notifier: notifier, site: site, logger: logger)
        // The OCPP uplink runs only when the site names a central system; it stops after the API, before the site.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: site)]
        services += metering.services(site: site)
        // Load balancing stops before metering and the site controller (Balancing/BalancingService.swift).
        services.append(.init(service: BalancingService(site: site, metering: metering.service)))
        if let uplink {
            services.append(.init(service: uplink))
        }
        if let operations {
            // A Reset or an installed firmware ends it, which stops the whole group for the restart.
            services.append(.init(service: operations, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if let smartCharging {
            services.append(.init(service: smartCharging))
        }
        if let sms {
            services.append(.init(service: sms))
        }

        // Services stop in reverse order: the API closes first, the site controller last, so no request
        // can reach the site after its outputs are safe and its store is closed.
        let group = ServiceGroup(
            configuration: .init(
                services: services + [
                    .init(service: watchdog),
                    .init(service: apiService),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        defer { store.close() }
        do {
            try await group.run()
        } catch {
            await hardware.stop()
            notifier.notify("STOPPING=1")
            await site.shutDown()
            throw error
        }
        let exit = await operations?.exit ?? .stopped
        await hardware.stop()
        // A restart in place tells systemd it is reloading (READY=1 follows from the new run), not stopping.
        notifier.notify(exit.systemdNotification)
        await site.shutDown()
        logger.info("stopped cleanly")
        return exit
    }
}

/// Runs the HTTP server and turns a failure to bind into a message that names the address and the fix.
struct ListeningService<Application: ApplicationProtocol>: Service {
    let address: String
    let application: Application

    func run() async throws {
        do {
            try await application.run()
        } catch let error as IOError {
            throw DaemonError.apiListen(address: address, reason: String(cString: strerror(error.errnoCode)).lowercased())
        }
    }
}

extension Logger {
    /// The same handler and level under another label.
    func with(label: String) -> Logger {
        var copy = Logger(label: label)
        copy.logLevel = logLevel
        return copy
    }
}
