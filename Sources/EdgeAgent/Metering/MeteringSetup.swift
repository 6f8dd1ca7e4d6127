import Foundation
import Logging
import MeterBus
import ServiceLifecycle

/// Builds the daemon's metering: on the simulated board it first starts the Modbus simulator on the simulated
/// bus's address, then polls every device through the real MeterBus client, as on a board.
enum MeteringSetup {
    struct Parts {
        let service: MeteringService
        let simulation: SimulatedMeterSite?

        /// Metering (and the simulator's driver) as services after the site controller, so they stop before it.
        func services(site: SiteController) -> [ServiceGroupConfiguration.ServiceConfiguration] {
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: service)]
            if let simulation { services.append(.init(service: SimulatedMeterDriver(simulation: simulation, site: site))) }
            return services
        }
    }

    static func start(configuration: SiteConfiguration, logger: Logger) async -> Parts {
        let meterLogger = logger.with(label: "edge-agent.metering")
        let catalog = SiteProfiles.catalog(for: configuration)
        let simulation = await startSimulation(configuration: configuration, catalog: catalog, logger: meterLogger)
        let service = MeteringService(
            configuration: configuration, catalog: catalog,
            pollInterval: .seconds(configuration.balancing.controlIntervalSeconds),
            staleAfter: .seconds(configuration.balancing.meterStaleAfterSeconds),
            simulation: simulation, logger: meterLogger)
        return Parts(service: service, simulation: simulation)
    }

    /// A simulator that cannot bind (the port is taken, e.g. by `edge-agent simulate-modbus`) is not fatal:
    /// the daemon then polls whatever serves that address, and its meters go stale if nothing does.
    private static func startSimulation(configuration: SiteConfiguration, catalog: ProfileCatalog, logger: Logger) async
        -> SimulatedMeterSite?
    {
        guard let bus = SimulatedMeterSite.simulatedBus(of: configuration) else { return nil }
        let devices = SimulatedMeterSite.devices(of: configuration, bus: bus.name, catalog: catalog)
        do {
            let simulation = try SimulatedMeterSite(
                devices: devices, host: bus.host, port: bus.port, start: Date(), logger: logger)
            let port = try await simulation.start(at: Date())
            logger.info("simulated Modbus bus serving", metadata: [
                "bus": "\(bus.name)", "address": "\(bus.host):\(port)", "devices": "\(devices.count)",
            ])
            return simulation
        } catch {
            logger.warning("simulated Modbus bus not started; polling whatever serves its address", metadata: [
                "bus": "\(bus.name)", "error": "\(error)",
                "fix": "stop the other program on \(bus.host):\(bus.port) or give the bus another port in the site file",
            ])
            return nil
        }
    }
}
