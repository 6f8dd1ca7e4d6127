import Foundation
import Testing
@testable import MeterBus

/// Our simulator serving Modbus RTU on one end of a socat pty pair, our client on the other:
/// the same engineering-value round trip as over TCP, for every shipped profile.
@Suite("Simulator over RTU on a socat pty pair", .serialized)
struct SimulatorRTUTests {
    let catalog: ProfileCatalog
    init() throws { catalog = try ProfileCatalog.shipped() }

    /// Generous timeouts: the line is a pty on a busy machine, and nothing here measures time.
    func clientConfiguration(_ pty: PtyPair) -> BusConfiguration {
        BusConfiguration(link: .rtu(SerialSettings(device: pty.client, baud: 19200)),
                         responseTimeout: .milliseconds(1500), byteTimeout: .milliseconds(500), retries: 1,
                         reconnectBackoff: .init(initial: .milliseconds(50), maximum: .milliseconds(200)))
    }

    @Test("socat is installed")
    func socatIsInstalled() {
        #expect(ExternalProcess.hasSocat, "socat is missing: run `make test`, which installs it")
    }

    @Test("every shipped profile reads back the engineering values the simulator encoded",
          arguments: ProfileTests.required)
    func shippedProfile(name: String) async throws {
        let profile = try catalog.profile(named: name)
        let pty = try await PtyPair()
        defer { pty.close() }
        let simulator = ModbusSimulator(rtu: SerialSettings(device: pty.device, baud: 19200))
        try simulator.start()
        defer { simulator.stop() }
        // RTU addresses 1...247 (the Phoenix controller's TCP unit 255 does not exist on a serial line).
        let unit = min(profile.defaultUnitId ?? 1, 247)
        try await SimulatorLoopbackTests.expectRoundTrip(profile, unit: unit, simulator: simulator, bus: clientConfiguration(pty))
    }

    @Test("one RTU line serves several units; absent units stay silent; writes, exceptions and garbage")
    func severalUnits() async throws {
        let pty = try await PtyPair()
        defer { pty.close() }
        let simulator = ModbusSimulator(rtu: SerialSettings(device: pty.device, baud: 19200))
        try simulator.start()
        defer { simulator.stop() }
        let sdm120 = try catalog.profile(named: "eastron-sdm120")
        for unit in [3, 17, 200] {
            try simulator.addDevice(unit: unit, profile: sdm120)
            try simulator.set(unit: unit, "power", to: Double(unit * 10))
        }
        try simulator.addDevice(unit: 9, profile: catalog.profile(named: "phoenix-ev-charge-control"))
        var configuration = clientConfiguration(pty)
        configuration.responseTimeout = .milliseconds(400)
        configuration.retries = 0
        let bus = ModbusBus(configuration: configuration)
        for unit in [3, 17, 200] {
            let words = try await bus.read(unit: unit, function: .input, address: 0x0C, count: 2)
            #expect(RegisterCodec.decode(words, layout: ValueLayout(type: .float32)) == Double(unit * 10))
        }
        await #expect(throws: ModbusError.timeout(RequestContext(bus: configuration.description, unit: 4, function: .input, address: 0x0C, count: 2))) {
            try await bus.read(unit: 4, function: .input, address: 0x0C, count: 2)
        }
        let charger = MeterDevice(id: "charger", bus: bus, unit: 9, profile: try catalog.profile(named: "phoenix-ev-charge-control"))
        try await charger.write("current-setpoint", value: 20)
        #expect(try simulator.value(unit: 9, "current-setpoint") == 20)
        try await charger.write("charging-enabled", value: 1)
        #expect(try simulator.value(unit: 9, "charging-enabled") == 1)

        try simulator.setFault(.exception(.serverDeviceBusy), unit: 17)
        do {
            _ = try await bus.read(unit: 17, function: .input, address: 0, count: 2)
            Issue.record("expected an exception")
        } catch {
            guard case .exception(.serverDeviceBusy, _) = error else { Issue.record("unexpected \(error)"); return }
        }
        try simulator.setFault(.garbage, unit: 17)
        await #expect(throws: ModbusError.self) { try await bus.read(unit: 17, function: .input, address: 0, count: 2) }
        try simulator.setFault(nil, unit: 17)
        // The line recovers after the bad frame.
        let words = try await withTimeout(20) {
            while true {
                if let words = try? await bus.read(unit: 17, function: .input, address: 0x0C, count: 2) { return words }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(RegisterCodec.decode(words, layout: ValueLayout(type: .float32)) == 170)
        await bus.close()
    }

    @Test("request framing: whole frames with a good CRC, partial frames wait, bad ones are dropped")
    func framing() {
        // Read input registers 0x0000..0x0001 from unit 1: 01 04 00 00 00 02 71 CB.
        let read: [UInt8] = [0x01, 0x04, 0x00, 0x00, 0x00, 0x02, 0x71, 0xCB]
        #expect(RTURequestFraming.next(in: read) == .frame(length: 8))
        #expect(RTURequestFraming.next(in: read + [0x01]) == .frame(length: 8))
        #expect(RTURequestFraming.next(in: Array(read.prefix(5))) == .incomplete)
        var corrupted = read
        corrupted[7] ^= 0xFF
        #expect(RTURequestFraming.next(in: corrupted) == .invalid)
        #expect(RTURequestFraming.next(in: [0x01, 0x2B, 0x0E]) == .invalid)
        // Write two holding registers at 0x0210 on unit 9: length from the byte count.
        var write: [UInt8] = [0x09, 0x10, 0x02, 0x10, 0x00, 0x02, 0x04, 0x00, 0x14, 0x00, 0x01]
        #expect(RTURequestFraming.next(in: write) == .incomplete)
        let crc = RTURequestFraming.crc16(write[...])
        write += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        #expect(RTURequestFraming.next(in: write) == .frame(length: 13))
    }
}
