import Foundation
import ServiceLifecycle

/// The load-balancing control loop as a service of the daemon: about once a second it hands the site controller
/// the meters' latest statuses, and the controller decides whether a step is due (the control interval, an
/// engine timer, a grid reading above the limit). Sessions starting or ending and new central limits do not
/// wait for it: they decide at once through `requestBalancing()`.
struct BalancingService: Service {
    let site: SiteController
    let metering: MeteringService?
    var wakeInterval: Duration = .seconds(1)

    func run() async throws {
        await site.startBalancing(meters: await metering?.statuses() ?? [], at: Date())
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: wakeInterval)
            await site.balancingPump(meters: await metering?.statuses() ?? [], at: Date())
        }
        // Without the loop nothing keeps chargers within the grid limit: switch them off while Modbus still runs
        // (this service stops before metering).
        await site.parkChargersForShutdown()
    }
}
