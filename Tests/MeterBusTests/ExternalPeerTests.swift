import Foundation
import Testing
@testable import MeterBus

/// Our reader against peers we did not write: a pymodbus server over TCP and over RTU on a
/// socat pseudo-terminal pair, plus a raw RTU device that sends bad CRCs or a wrong unit id.
/// The peers must be there: a missing one fails the suite (never skips it), and `make test` installs them.
@Suite("External peers", .serialized)
struct ExternalPeerTests {
    let catalog: ProfileCatalog
    init() throws { catalog = try ProfileCatalog.shipped() }

    @Test("the peers are installed (python with pymodbus in .venv, socat)")
    func peersAreInstalled() {
        #expect(ExternalProcess.hasPython, "no python at \(ExternalProcess.python): run `make test`, which creates .venv")
        #expect(ExternalProcess.hasSocat, "socat is missing: run `make test`, which installs it")
    }

    /// Checks the values the pymodbus script encoded with Python's struct module.
    func expectPeerValues(_ configuration: BusConfiguration) async throws {
        let bus = ModbusBus(configuration: configuration)
        defer { Task { await bus.close() } }
        let sdm = MeterDevice(id: "sdm", bus: bus, unit: 1, profile: try catalog.profile(named: "eastron-sdm630"))
        let em = MeterDevice(id: "em", bus: bus, unit: 2, profile: try catalog.profile(named: "carlo-gavazzi-em24"))
        let pv = MeterDevice(id: "pv", bus: bus, unit: 3, profile: try catalog.profile(named: "sunspec-inverter"))
        // The peer may still be starting: retry the first read for a while.
        let sdmReading = try await withTimeout(15) {
            while true {
                if let reading = try? await sdm.read() { return reading }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(sdmReading["voltage-l1"] == 230.5)
        #expect(sdmReading["current-l1"] == 12.25)
        #expect(sdmReading["power"] == 2825)
        #expect(sdmReading.value(.energyActiveImportRegister)?.value == 1234.5)

        let emReading = try await em.read()
        #expect(abs((emReading["voltage-l1"] ?? 0) - 231.4) < 1e-9)
        #expect(abs((emReading["power"] ?? 0) - -1500.5) < 1e-9)
        #expect(abs((emReading["energy-import"] ?? 0) - 5432.1) < 1e-9)

        let layout = try await pv.probe()
        #expect(layout.sunSpecModels.map(\.id) == [1, 103])
        let pvReading = try await pv.read()
        #expect(pvReading["power"] == 4560)
        #expect(abs((pvReading["voltage-l1"] ?? 0) - 229.9) < 1e-9)
        #expect(pvReading["voltage-l2"] == nil)
        #expect(pvReading["energy"] == 987_654)
        #expect(pvReading["mppt1-power"] == nil)
    }

    @Test("pymodbus server over TCP")
    func pymodbusTCP() async throws {
        let port = freeLoopbackPort()
        let server = try ExternalProcess.python(script: PeerScripts.pymodbusServer, arguments: ["tcp", String(port)])
        defer { server.terminate() }
        var configuration = try BusURL.parse("tcp://127.0.0.1:\(port)?timeout=500&retries=0")
        configuration.reconnectBackoff = .init(initial: .milliseconds(50), maximum: .milliseconds(200))
        try await expectPeerValues(configuration)
    }

    @Test("pymodbus server over RTU on a socat pty pair")
    func pymodbusRTU() async throws {
        let pty = try await PtyPair()
        defer { pty.close() }
        let server = try ExternalProcess.python(script: PeerScripts.pymodbusServer, arguments: ["rtu", pty.device])
        defer { server.terminate() }
        var configuration = try BusURL.parse("rtu://\(pty.client)?baud=19200&parity=N&timeout=500&retries=0")
        configuration.reconnectBackoff = .init(initial: .milliseconds(50), maximum: .milliseconds(200))
        try await expectPeerValues(configuration)
    }

    @Test("RTU replies with a bad CRC or from another unit become specific errors",
          arguments: [("badcrc", "CRC"), ("wrongunit", "different unit id")])
    func faultyRTU(mode: String, fragment: String) async throws {
        let pty = try await PtyPair()
        defer { pty.close() }
        let device = try ExternalProcess.python(script: PeerScripts.faultyRTUDevice, arguments: [pty.device, mode])
        defer { device.terminate() }
        try await Task.sleep(for: .milliseconds(300))  // let the script open its end
        let configuration = try BusURL.parse("rtu://\(pty.client)?baud=9600&timeout=400&retries=0")
        let bus = ModbusBus(configuration: configuration)
        do {
            _ = try await bus.read(unit: 7, function: .holding, address: 100, count: 2)
            Issue.record("expected a \(mode) error")
        } catch {
            #expect(error.description.contains(fragment), "\(error)")
            #expect(error.description.contains("unit 7, holding register 100..101"), "\(error)")
            switch (mode, error) {
            case ("badcrc", .badCRC), ("wrongunit", .wrongUnit): break
            default: Issue.record("unexpected \(error)")
            }
        }
        await bus.close()
    }
}
