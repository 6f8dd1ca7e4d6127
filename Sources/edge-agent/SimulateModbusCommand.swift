import ArgumentParser
import EdgeAgent
import Foundation
import Logging
import MeterBus

extension EdgeAgentCommand {
    /// The simulated site's meters on a real Modbus TCP server, without the daemon.
    struct SimulateModbus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate-modbus",
            abstract: "Serve a site's meters on a Modbus TCP simulator (the simulated site by default).",
            discussion: """
                Every meter, charger controller, grid meter and PV inverter of the site's simulated bus answers at
                its unit id with its profile. Grid power follows the compartments switched on (--relay-on) plus a
                base load minus PV; PV follows a day curve; compartment meters count energy while switched on.
                Examples:
                  edge-agent simulate-modbus
                  edge-agent simulate-modbus --port 1502 --set 11:power=450 --set 100:Voltage=228 --relay-on A1
                """)

        @Option(help: "Site file whose meters to serve (default: the embedded simulated site).")
        var config: String?

        @Option(help: "Which bus of the site to serve (default: the simulated board's bus, else the first with devices).")
        var bus: String?

        @Option(help: "Address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "TCP port (default: the bus's port, else 1502; 0 picks a free one).")
        var port: Int?

        @Option(name: .customLong("set"), help: "Pin a value: UNIT:NAME=VALUE (profile value name or OCPP measurand). Repeatable.")
        var settings: [String] = []

        @Option(name: .customLong("relay-on"), help: "Treat this compartment's relay as on (it draws its maxPowerWatts). Repeatable.")
        var relaysOn: [String] = []

        @Option(name: .customLong("fault"), help: "Inject a fault: UNIT:silent|exception|garbage. Repeatable.")
        var faults: [String] = []

        @Option(name: .customLong("pv-peak"), help: "PV peak power at solar noon (W).")
        var pvPeakWatts: Double = 4000

        @Option(name: .customLong("base-load"), help: "Always-on load behind the grid meter (W).")
        var baseLoadWatts: Double = 300

        func run() async throws {
            LogSetup.bootstrap(level: .warning)
            let site: SiteConfiguration
            do {
                site = try SiteConfigurationLoader.loadSite(path: config, overrides: .none)
            } catch {
                printToStandardError("edge-agent simulate-modbus: \(error)")
                throw ExitCode(exitInvalidConfiguration)
            }
            let simulatedBus = SimulatedMeterSite.simulatedBus(of: site)
            let devicesByBus = Dictionary(grouping: MeteredDevice.all(in: site), by: \.bus)
            guard let busName = bus ?? simulatedBus?.name ?? site.buses.first(where: { devicesByBus[$0.name] != nil })?.name,
                  site.bus(named: busName) != nil else {
                fail("the site has no bus \(bus.map { "'\($0)'" } ?? "with devices"); buses: \(site.buses.map(\.name).joined(separator: ", "))")
            }
            var listenPort = port ?? 1502
            if port == nil, case let .tcp(tcp)? = site.bus(named: busName)?.transport { listenPort = tcp.port }
            let devices = SimulatedMeterSite.devices(of: site, bus: busName, catalog: SiteProfiles.catalog(for: site))
            let simulation: SimulatedMeterSite
            let boundPort: Int
            do {
                simulation = try SimulatedMeterSite(
                    devices: devices, host: host, port: listenPort, start: Date(), pvPeakWatts: pvPeakWatts,
                    baseLoadWatts: baseLoadWatts, logger: Logger(label: "edge-agent.simulate-modbus"))
                for setting in settings {
                    let (unit, name, value) = try parseSetting(setting)
                    try await simulation.set(unit: unit, values: [name: value])
                }
                for fault in faults {
                    let parts = fault.split(separator: ":", maxSplits: 1).map(String.init)
                    guard parts.count == 2, let unit = Int(parts[0]) else { fail("--fault '\(fault)' is not UNIT:silent|exception|garbage") }
                    try await simulation.setFault(unit: unit, fault: parts[1])
                }
                boundPort = try await simulation.start(at: Date())
            } catch let error as SimulatorError {
                fail("\(error)")
            }
            let relays = Dictionary(uniqueKeysWithValues: relaysOn.map { ($0, true) })
            say("edge-agent simulate-modbus: serving bus '\(busName)' on \(host):\(boundPort) (Ctrl-C stops)")
            for device in devices {
                say("  unit \(device.metered.unit)\t\(device.metered.role.rawValue)\t\(device.metered.name)\t\(device.profile.name)")
            }
            while !Task.isCancelled {
                await simulation.step(at: Date(), relays: relays)
                try? await Task.sleep(for: .seconds(1))
            }
        }

        /// `11:power=450` -> (11, "power", 450).
        private func parseSetting(_ text: String) throws -> (Int, String, Double) {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            let pair = parts.count == 2 ? parts[1].split(separator: "=", maxSplits: 1).map(String.init) : []
            guard parts.count == 2, let unit = Int(parts[0]), pair.count == 2, let value = Double(pair[1]) else {
                fail("--set '\(text)' is not UNIT:NAME=VALUE, e.g. --set 11:power=450")
            }
            return (unit, pair[0], value)
        }

        /// Written at once (not buffered), so a script waiting for the "serving" line sees it.
        private func say(_ line: String) {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }

        private func fail(_ message: String) -> Never {
            printToStandardError("edge-agent simulate-modbus: \(message)")
            Foundation.exit(1)
        }
    }
}
