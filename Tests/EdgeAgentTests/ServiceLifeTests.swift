#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import EdgeAgent

@Suite("Service life")
struct ServiceLifeTests {
    @Test("graceful shutdown stops the site controller, leaves relays off and records a clean stop")
    func gracefulShutdown() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = try simulatedSite(stateFolder: folder)
        let store = try SiteStore(folder: folder)
        let now = Date()
        let runStart = try store.beginRun(at: now, version: "test")
        let site = SiteController(configuration: configuration, store: store, runStart: runStart, startedAt: now, logger: quietLogger)
        let group = ServiceGroup(services: [site], logger: quietLogger)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await site.isResponsive() == false)
        #expect(await site.status().compartments.allSatisfy { $0.relay == "off" })
        let runs = try store.runs()
        #expect(runs.last?.stoppedAt != nil)
        store.close()
    }

    @Test("sd_notify datagrams reach the NOTIFY_SOCKET, and the watchdog interval is half of WATCHDOG_USEC")
    func systemdNotify() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/notify.sock"
        let receiver = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(receiver >= 0)
        defer { close(receiver) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(receiver, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)

        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"])
        #expect(notifier.isEnabled)
        #expect(notifier.watchdogInterval == .seconds(2))
        #expect(notifier.notify("READY=1"))

        var buffer = [UInt8](repeating: 0, count: 256)
        let received = recv(receiver, &buffer, buffer.count, 0)
        #expect(received == 7)
        #expect(String(decoding: buffer.prefix(max(received, 0)), as: UTF8.self) == "READY=1")
    }

    @Test("without NOTIFY_SOCKET nothing is sent and the watchdog is off")
    func notUnderSystemd() {
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "1000000"])
        #expect(!notifier.isEnabled)
        #expect(notifier.watchdogInterval == nil)
        #expect(!notifier.notify("READY=1"))
    }

    @Test("a watchdog meant for another process is ignored")
    func watchdogForAnotherPid() {
        let notifier = SystemdNotifier(environment: [
            "NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "\(getpid() + 1)",
        ])
        #expect(notifier.watchdogInterval == nil)
    }
}
