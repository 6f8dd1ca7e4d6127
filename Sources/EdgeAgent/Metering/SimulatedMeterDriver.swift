import Foundation
import Logging
import ServiceLifecycle

/// Feeds the simulated meters from the site: once a second, each compartment's relay state as the site
/// controller reports it drives its meter, so the grid and compartment meters follow what is switched on.
struct SimulatedMeterDriver: Service {
    let simulation: SimulatedMeterSite
    let site: SiteController
    var interval: Duration = .seconds(1)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let status = await site.status()
            var relays: [String: Bool] = [:]
            for compartment in status.compartments { relays[compartment.name] = compartment.relay == "on" }
            await simulation.step(at: Date(), relays: relays)
            try? await Task.sleep(for: interval)
        }
        await simulation.stop()
    }
}
