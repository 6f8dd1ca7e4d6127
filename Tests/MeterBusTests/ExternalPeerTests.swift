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

    /// Starts the pymodbus peer serving every shipped profile (see `PeerFixture`).
    func startPeer(_ transport: String, _ endpoint: String) throws -> ExternalProcess {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let fixture = String(decoding: try encoder.encode(PeerFixture.devices), as: UTF8.self)
        return try ExternalProcess.python(script: PeerScripts.pymodbusProfiles, arguments: [transport, endpoint, fixture])
    }

    /// Reads every shipped profile from the peer and expects the fixture's engineering values.
    func expectPeerValues(_ configuration: BusConfiguration, peer: ExternalProcess) async throws {
        let bus = ModbusBus(configuration: configuration)
        defer { Task { await bus.close() } }
        #expect(Set(PeerFixture.devices.keys) == Set(ProfileTests.required), "the peer serves every shipped profile")
        // The peer may still be starting: retry the first read for a while (generous: a loaded machine).
        let first = try #require(PeerFixture.devices["eastron-sdm630"])
        let probe = MeterDevice(id: "probe", bus: bus, unit: first.unit, profile: try catalog.profile(named: "eastron-sdm630"))
        let ready = try await withTimeout(45) {
            while peer.isRunning {
                if (try? await probe.read()) != nil { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return false
        }
        try #require(ready, "the pymodbus peer exited: \(peer.standardError)")

        for name in ProfileTests.required {
            let profile = try catalog.profile(named: name)
            let fixture = try #require(PeerFixture.devices[name])
            let device = MeterDevice(id: name, bus: bus, unit: fixture.unit, profile: profile)
            if profile.sunSpec != nil {
                let layout = try await device.probe()
                #expect(layout.sunSpecModels.map(\.id) == [1, 103, 160])
            }
            let reading = try await device.read()
            #expect(Set(reading.values.map(\.name)) == Set(fixture.values.keys), "\(name): every value is read")
            for value in reading.values {
                let want = try #require(fixture.values[value.name], "\(name).\(value.name) has no fixture value")
                if let want {
                    let got = try #require(value.value, "\(name).\(value.name) should be available")
                    #expect(abs(got - want) <= abs(want) * 1e-9 + 1e-9, "\(name).\(value.name): \(got) != \(want)")
                } else {
                    #expect(value.value == nil, "\(name).\(value.name) should be unavailable, got \(value.value ?? 0)")
                }
            }
        }
    }

    @Test("pymodbus server over TCP: every shipped profile")
    func pymodbusTCP() async throws {
        let port = freeLoopbackPort()
        let server = try startPeer("tcp", String(port))
        defer { server.terminate() }
        var configuration = try BusURL.parse("tcp://127.0.0.1:\(port)?timeout=1000&retries=1")
        configuration.reconnectBackoff = .init(initial: .milliseconds(50), maximum: .milliseconds(200))
        try await expectPeerValues(configuration, peer: server)
    }

    @Test("pymodbus server over RTU on a socat pty pair: every shipped profile")
    func pymodbusRTU() async throws {
        let pty = try await PtyPair()
        defer { pty.close() }
        let server = try startPeer("rtu", pty.device)
        defer { server.terminate() }
        var configuration = try BusURL.parse("rtu://\(pty.client)?baud=19200&parity=N&timeout=1000&retries=1")
        configuration.reconnectBackoff = .init(initial: .milliseconds(50), maximum: .milliseconds(200))
        try await expectPeerValues(configuration, peer: server)
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
