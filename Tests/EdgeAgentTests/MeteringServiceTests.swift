import Foundation
import Logging
import MeterBus
import ServiceLifecycle
import Testing
@testable import EdgeAgent

/// The daemon's metering against the project's Modbus simulator over real TCP.
@Suite("Metering service")
struct MeteringServiceTests {
    /// The embedded simulated site with its Modbus bus moved to `port` and fast polling.
    static func site(port: Int, stateFolder: String) throws -> SiteConfiguration {
        let yaml = EmbeddedSimulatorSite.siteYAML
            .replacingOccurrences(of: "buses: []", with: """
                buses:
                  - name: sim-modbus
                    tcp: {host: 127.0.0.1, port: \(port)}
                    responseTimeoutMilliseconds: 100
                """)
            .replacingOccurrences(of: "controlIntervalSeconds: 5", with: "controlIntervalSeconds: 1")
            .replacingOccurrences(of: "meterStaleAfterSeconds: 15", with: "meterStaleAfterSeconds: 2")
        return try SiteConfigurationLoader.load(
            yaml: yaml, source: "test site", baseFolder: nil,
            overrides: ConfigurationOverrides(stateDirectory: stateFolder),
            knownProfiles: SiteProfiles.load(folder: nil).names)
    }

    /// Polls `condition` until it holds or 15 s pass (the deadline only bounds a broken run).
    static func eventually(_ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("every configured device is polled; a silent meter goes stale after the configured time and recovers")
    func staleAndRecovery() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let draft = try Self.site(port: 1, stateFolder: folder)
        let simulation = try SimulatedMeterSite(
            devices: SimulatedMeterSite.devices(of: draft, bus: "sim-modbus", catalog: SiteProfiles.catalog(for: draft)),
            host: "127.0.0.1", port: 0, start: Date(), logger: quietLogger)
        let port = try await simulation.start(at: Date())
        defer { simulation.simulator.stop() }
        let site = try Self.site(port: port, stateFolder: folder)
        let metering = MeteringService(
            configuration: site, catalog: SiteProfiles.catalog(for: site), pollInterval: .milliseconds(200),
            staleAfter: .seconds(1), simulation: simulation, logger: quietLogger)
        #expect(metering.devices.count == 16)
        let group = ServiceGroup(configuration: .init(services: [metering], logger: quietLogger))
        let running = Task { try await group.run() }

        try await simulation.set(unit: 11, values: ["power": 432.5])
        #expect(await Self.eventually {
            let statuses = await metering.statuses()
            return statuses.allSatisfy { !$0.stale && $0.time != nil }
                && statuses.first { $0.device.name == "A1" }?.values.first { $0.name == "power" }?.value == 432.5
        })
        let grid = try #require(await metering.status(role: .grid, name: "grid"))
        #expect(grid.values.contains { $0.measurand == .powerActiveImport && $0.phase == nil })

        try await simulation.setFault(unit: 11, fault: "silent")
        // Stale by age first, then with the poller's notice naming the failed request.
        #expect(await Self.eventually {
            let status = await metering.status(role: .compartment, name: "A1")
            return status?.stale == true && status?.lastError?.contains("unit 11") == true
        })
        let stale = try #require(await metering.status(role: .compartment, name: "A1"))
        #expect(stale.ageSeconds >= 1)
        #expect(stale.values.contains { $0.name == "power" && $0.value == 432.5 })
        // The rest of the bus keeps answering.
        #expect(await metering.status(role: .compartment, name: "A2")?.stale == false)

        try await simulation.setFault(unit: 11, fault: nil)
        #expect(await Self.eventually { await metering.status(role: .compartment, name: "A1")?.stale == false })
        #expect(await metering.status(role: .compartment, name: "A1")?.lastError == nil)

        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test("a device that never answered is stale with its error, and has no values")
    func neverAnswered() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let simulator = ModbusSimulator(host: "127.0.0.1", port: 0, logger: quietLogger)
        let port = try simulator.start()  // serves no devices: every unit is silent
        defer { simulator.stop() }
        let site = try Self.site(port: port, stateFolder: folder)
        let metering = MeteringService(
            configuration: site, catalog: SiteProfiles.catalog(for: site), pollInterval: .milliseconds(200),
            staleAfter: .milliseconds(600), logger: quietLogger)
        let group = ServiceGroup(configuration: .init(services: [metering], logger: quietLogger))
        let running = Task { try await group.run() }
        #expect(await Self.eventually { await metering.statuses().allSatisfy(\.stale) })
        let grid = try #require(await metering.status(role: .grid, name: "grid"))
        #expect(grid.values.isEmpty && grid.time == nil)
        #expect(grid.lastError != nil)
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test("the simulated site follows the relays: a compartment counts energy only while on, grid sees it")
    func simulatedDynamics() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let site = try Self.site(port: 1, stateFolder: folder)
        let start = Date(timeIntervalSince1970: 0)  // midnight UTC: no PV
        let simulation = try SimulatedMeterSite(
            devices: SimulatedMeterSite.devices(of: site, bus: "sim-modbus", catalog: SiteProfiles.catalog(for: site)),
            host: "127.0.0.1", port: 0, start: start, baseLoadWatts: 300, logger: quietLogger)
        await simulation.step(at: start, relays: ["A1": true])
        await simulation.step(at: start.addingTimeInterval(3600), relays: ["A1": true])
        // A1 draws its maxPowerWatts (500) for an hour: 0.5 kWh on its meter; the grid sees 500 + 300.
        #expect(try simulation.simulator.value(unit: 11, "energy-import") == 0.5)
        #expect(try simulation.simulator.value(unit: 100, "power") == 800)
        await simulation.step(at: start.addingTimeInterval(7200), relays: [:])
        #expect(try simulation.simulator.value(unit: 11, "power") == 0)
        #expect(try simulation.simulator.value(unit: 100, "power") == 300)
        // A pinned value survives the dynamics until cleared.
        try await simulation.set(unit: 11, values: ["Power.Active.Import": 123])
        await simulation.step(at: start.addingTimeInterval(7300), relays: [:])
        #expect(try simulation.simulator.value(unit: 11, "power") == 123)
        try await simulation.set(unit: 11, values: ["power": nil])
        #expect(try simulation.simulator.value(unit: 11, "power") == 0)
        await #expect(throws: SimulatorError.self) { try await simulation.set(unit: 11, values: ["nonsense": 1]) }
        await #expect(throws: SimulatorError.self) { try await simulation.setFault(unit: 99, fault: "silent") }
    }
}
