import Logging
import ServiceLifecycle

/// Pings the systemd watchdog while the site controller still answers, so a wedged controller gets restarted
/// instead of holding doors and relays in an unknown state.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let site: SiteController
    let logger: Logger

    func run() async throws {
        guard let interval = notifier.watchdogInterval else {
            try? await gracefulShutdown()
            return
        }
        logger.debug("systemd watchdog enabled", metadata: ["interval": "\(interval)"])
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if await site.isResponsive() {
                notifier.notify("WATCHDOG=1")
            }
            try? await Task.sleep(for: interval)
        }
    }
}
