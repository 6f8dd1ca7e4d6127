import Foundation
import Testing
@testable import MeterBus

/// Fails the test instead of hanging when something never arrives.
func withTimeout<T: Sendable>(_ seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw CancellationError()
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

/// A running simulator on a free loopback port, stopped when the test ends.
func startSimulator() throws -> (ModbusSimulator, BusConfiguration) {
    let simulator = ModbusSimulator(host: "127.0.0.1", port: 0)
    try simulator.start()
    var configuration = try #require(simulator.busConfiguration)
    configuration.responseTimeout = .milliseconds(300)
    configuration.retries = 0
    configuration.reconnectBackoff = .init(initial: .milliseconds(20), maximum: .milliseconds(100))
    return (simulator, configuration)
}

@Suite("Simulator over TCP loopback")
struct SimulatorLoopbackTests {
    let catalog: ProfileCatalog

    init() throws { catalog = try ProfileCatalog.shipped() }

    /// Distinct test values per value, within every type's range.
    static func testValue(_ value: ProfileValue, index: Int) -> Double {
        if value.function == .coil { return 1 }
        if let range = value.writeRange { return (range.lowerBound + range.upperBound).rounded(.down) / 2 }
        if value.layout.type == .int16, value.name.hasSuffix("-sf") { return -1 }
        let raw = Double(index + 1) * 10.5
        if value.layout.type.isFloatingPoint { return raw }
        // Integers carry whole steps of their resolution (scale, and 10^-1 from the test's scale factors).
        let step = value.layout.scale * (value.scaleFactor == nil ? 1 : 0.1)
        return (raw / step).rounded() * step
    }

    @Test("every shipped profile reads back the engineering values the simulator encoded",
          arguments: ProfileTests.required)
    func shippedProfile(name: String) async throws {
        let profile = try catalog.profile(named: name)
        let (simulator, configuration) = try startSimulator()
        defer { simulator.stop() }
        try await Self.expectRoundTrip(profile, unit: profile.defaultUnitId ?? 1, simulator: simulator, bus: configuration)
    }

    /// Sets every value of `profile` on the simulator, reads the device through `bus` and
    /// expects the same engineering values back (shared by the TCP and RTU tests).
    static func expectRoundTrip(_ profile: DeviceProfile, unit: Int, simulator: ModbusSimulator, bus: BusConfiguration) async throws {
        let name = profile.name
        try simulator.addDevice(unit: unit, profile: profile)
        var expected: [String: Double] = [:]
        for (index, value) in profile.values.enumerated() {
            let number = testValue(value, index: index)
            try simulator.set(unit: unit, value.name, to: number)
            expected[value.name] = number
        }
        let reading = try await ReadMeter.readOnce(bus: bus, unit: unit, profile: profile)
        #expect(reading.profile == name)
        #expect(Set(reading.values.map(\.name)) == Set(expected.keys), "\(name): every value is read")
        for value in reading.values {
            let want = try #require(expected[value.name])
            let got = try #require(value.value, "\(name).\(value.name) should be available")
            #expect(abs(got - want) <= abs(want) * 1e-6 + 1e-9, "\(name).\(value.name): \(got) != \(want)")
        }
        #expect(reading.value(.powerActiveImport) != nil || reading.value(.powerActiveExport) != nil)
    }

    @Test("named values land on the right measurands (SDM630)")
    func sdm630Measurands() async throws {
        let profile = try catalog.profile(named: "eastron-sdm630")
        let (simulator, configuration) = try startSimulator()
        defer { simulator.stop() }
        try simulator.addDevice(unit: 3, profile: profile)
        try simulator.set(unit: 3, .voltage, phase: .l2N, to: 231.5)
        try simulator.set(unit: 3, .currentImport, phase: .l3, to: 15.25)
        try simulator.set(unit: 3, .energyActiveImportRegister, to: 12345.5)
        let reading = try await ReadMeter.readOnce(bus: configuration, unit: 3, profile: profile)
        #expect(reading.value(.voltage, phase: .l2N)?.value == 231.5)
        #expect(reading.value(.currentImport, phase: .l3)?.value == 15.25)
        #expect(reading.value(.energyActiveImportRegister)?.value == 12345.5)
        #expect(reading.value(.energyActiveImportRegister)?.unit == "kWh")
    }

    @Test("SunSpec: single-phase model 101 without model 160 at base 0; sentinels are unavailable")
    func sunSpecVariant() async throws {
        let profile = try catalog.profile(named: "sunspec-inverter")
        let (simulator, configuration) = try startSimulator()
        defer { simulator.stop() }
        try simulator.addDevice(unit: 1, profile: profile, sunSpecBase: 0, sunSpecModels: [1, 101])
        try simulator.set(unit: 1, "power-sf", to: 1)
        try simulator.set(unit: 1, "power", to: 4560)
        try simulator.set(unit: 1, "voltage-sf", to: -1)
        try simulator.set(unit: 1, "voltage-l1", to: 229.9)
        try simulator.set(unit: 1, "voltage-l2", to: nil)
        try simulator.set(unit: 1, "energy-sf", to: 0)
        try simulator.set(unit: 1, "energy", to: 987_654)
        let bus = ModbusBus(configuration: configuration)
        let device = MeterDevice(id: "pv", bus: bus, unit: 1, profile: profile)
        let layout = try await device.probe()
        #expect(layout.sunSpecModels.map(\.id) == [1, 101])
        #expect(layout.addresses["power"] == 2 + 66 + 2 + 2 + 12)
        #expect(layout.unavailable["mppt1-power"] != nil)
        let reading = try await device.read()
        #expect(reading["power"] == 4560)
        #expect(abs((reading["voltage-l1"] ?? 0) - 229.9) < 1e-9)
        #expect(reading["voltage-l2"] == nil)
        #expect(reading["mppt1-power"] == nil)
        #expect(reading.value(.energyActiveExportRegister)?.value == 987_654)
        await bus.close()
    }

    @Test("optional registers answering exceptions are unavailable; the device still works (SDM72 V1)")
    func optionalRegisters() async throws {
        let profile = try catalog.profile(named: "eastron-sdm72")
        let (simulator, configuration) = try startSimulator()
        defer { simulator.stop() }
        try simulator.addDevice(unit: 1, profile: profile)
        for name in ["voltage-l1", "voltage-l2", "voltage-l3", "current-l1", "current-l2", "current-l3", "frequency"] {
            try simulator.setUnsupported(name, unit: 1)
        }
        try simulator.set(unit: 1, "power", to: 7200)
        let bus = ModbusBus(configuration: configuration)
        let device = MeterDevice(id: "sdm72", bus: bus, unit: 1, profile: profile)
        let layout = try await device.probe()
        #expect(Set(layout.unavailable.keys) == ["voltage-l1", "voltage-l2", "voltage-l3", "current-l1", "current-l2", "current-l3", "frequency"])
        let reading = try await device.read()
        #expect(reading["power"] == 7200)
        #expect(reading["voltage-l1"] == nil)
        await bus.close()
    }

    @Test("exception replies give the specific error and do not stall other devices on the bus")
    func exceptions() async throws {
        let (simulator, configuration) = try startSimulator()
        defer { simulator.stop() }
        try simulator.addDevice(unit: 1, profile: catalog.profile(named: "eastron-sdm630"))
        try simulator.addDevice(unit: 2, profile: catalog.profile(named: "eastron-sdm120"))
        try simulator.set(unit: 2, "power", to: 321)
        let bus = ModbusBus(configuration: configuration)
        let busy = MeterDevice(id: "grid", bus: bus, unit: 1, profile: try catalog.profile(named: "eastron-sdm630"))
        let healthy = MeterDevice(id: "c2", bus: bus, unit: 2, profile: try catalog.profile(named: "eastron-sdm120"))
        _ = try await busy.probe()
        try simulator.setFault(.exception(.serverDeviceBusy), unit: 1)

        async let failing: MeterReading = busy.read()
        async let fine: MeterReading = healthy.read()
        do {
            _ = try await failing
            Issue.record("expected an exception")
        } catch let error as MeterError {
            guard case let .transport(.exception(code, context)) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(code == .serverDeviceBusy)
            #expect(context.unit == 1)
            #expect(context.address == 0)
            #expect(error.description.contains("unit 1, input register 0"))
            #expect(error.description.contains("server device busy"))
        }
        #expect(try await fine["power"] == 321)
        await bus.close()
    }

    @Test("timeouts and garbage become typed errors naming bus, unit and register")
    func timeoutAndGarbage() async throws {
        let profile = try catalog.profile(named: "eastron-sdm120")
        let (simulator, configuration) = try startSimulator()
        defer { simulator.stop() }
        try simulator.addDevice(unit: 5, profile: profile)
        let bus = ModbusBus(configuration: configuration)
        try simulator.setFault(.silent, unit: 5)
        do {
            _ = try await bus.read(unit: 5, function: .input, address: 0x48, count: 2)
            Issue.record("expected timeout")
        } catch {
            #expect(error == .timeout(RequestContext(bus: configuration.description, unit: 5, function: .input, address: 0x48, count: 2)))
            #expect(error.description.contains("unit 5, input register 72..73"))
        }
        try simulator.setFault(.garbage, unit: 5)
        do {
            _ = try await bus.read(unit: 5, function: .input, address: 0, count: 2)
            Issue.record("expected invalid response")
        } catch {
            guard case .invalidResponse = error else { Issue.record("unexpected \(error)"); return }
        }
        try simulator.setFault(nil, unit: 5)
        try simulator.set(unit: 5, "voltage", to: 233)
        let words = try await bus.read(unit: 5, function: .input, address: 0, count: 2)
        #expect(RegisterCodec.decode(words, layout: ValueLayout(type: .float32)) == 233)
        await bus.close()
    }

    @Test("a device that stops answering becomes stale and recovers")
    func staleOverTCP() async throws {
        let profile = try catalog.profile(named: "eastron-sdm120")
        let (simulator, configuration) = try startSimulator()
        defer { simulator.stop() }
        try simulator.addDevice(unit: 1, profile: profile)
        try simulator.set(unit: 1, "power", to: 100)
        var fast = configuration
        fast.responseTimeout = .milliseconds(80)
        let bus = ModbusBus(configuration: fast)
        let device = MeterDevice(id: "c1", bus: bus, unit: 1, profile: profile)
        let poller = DevicePoller(device: device, settings: .init(interval: .milliseconds(40), staleAfter: .milliseconds(250)))
        let updates = await poller.updates()
        await poller.start()
        let sequence = try await withTimeout {
            var seen: [String] = []
            for await update in updates {
                switch update {
                case let .reading(reading) where seen.isEmpty:
                    #expect(reading["power"] == 100)
                    seen.append("fresh")
                    try simulator.setFault(.silent, unit: 1)
                case let .stale(notice) where seen == ["fresh"]:
                    #expect(notice.lastError.contains("no answer"))
                    seen.append("stale")
                    try simulator.set(unit: 1, "power", to: 250)
                    try simulator.setFault(nil, unit: 1)
                case let .reading(reading) where seen == ["fresh", "stale"]:
                    #expect(reading["power"] == 250)
                    seen.append("recovered")
                    return seen
                default:
                    continue
                }
            }
            return seen
        }
        #expect(sequence == ["fresh", "stale", "recovered"])
        await poller.stop()
        await bus.close()
    }

    @Test("a dropped bus is reopened with backoff without a restart")
    func reconnect() async throws {
        let profile = try catalog.profile(named: "eastron-sdm120")
        let (simulator, configuration) = try startSimulator()
        try simulator.addDevice(unit: 1, profile: profile)
        try simulator.set(unit: 1, "voltage", to: 230)
        let bus = ModbusBus(configuration: configuration)
        _ = try await bus.read(unit: 1, function: .input, address: 0, count: 2)
        simulator.stop()
        await #expect(throws: ModbusError.self) { try await bus.read(unit: 1, function: .input, address: 0, count: 2) }

        guard case let .tcp(_, port) = configuration.link else { return }
        let restarted = ModbusSimulator(host: "127.0.0.1", port: port)
        try restarted.start()
        defer { restarted.stop() }
        try restarted.addDevice(unit: 1, profile: profile)
        try restarted.set(unit: 1, "voltage", to: 231)
        let words = try await withTimeout {
            while true {
                if let words = try? await bus.read(unit: 1, function: .input, address: 0, count: 2) { return words }
                try await Task.sleep(for: .milliseconds(30))
            }
        }
        #expect(RegisterCodec.decode(words, layout: ValueLayout(type: .float32)) == 231)
        await bus.close()
    }

    @Test("setpoints are written with read-back; out-of-range requests change nothing")
    func setpoint() async throws {
        let profile = try catalog.profile(named: "phoenix-ev-charge-control")
        let (simulator, configuration) = try startSimulator()
        defer { simulator.stop() }
        try simulator.addDevice(unit: 255, profile: profile)
        let bus = ModbusBus(configuration: configuration)
        let charger = MeterDevice(id: "charger", bus: bus, unit: 255, profile: profile)
        try await charger.write("current-setpoint", value: 16)
        #expect(try simulator.value(unit: 255, "current-setpoint") == 16)
        try await charger.write("charging-enabled", value: 1)
        #expect(try simulator.value(unit: 255, "charging-enabled") == 1)
        await #expect(throws: MeterError.outOfRange(value: "current-setpoint", requested: 3, allowed: 6...80)) {
            try await charger.write("current-setpoint", value: 3)
        }
        await #expect(throws: MeterError.notWritable("power", profile: profile.name)) {
            try await charger.write("power", value: 3)
        }
        #expect(try simulator.value(unit: 255, "current-setpoint") == 16)
        let reading = try await charger.read()
        #expect(reading.value(.currentOffered)?.value == 16)
        await bus.close()
    }

    @Test("read-meter helper: URL, profile name, text and JSON output")
    func readMeter() async throws {
        let profile = try catalog.profile(named: "abb-b23")
        let (simulator, configuration) = try startSimulator()
        defer { simulator.stop() }
        try simulator.addDevice(unit: 9, profile: profile)
        try simulator.set(unit: 9, "energy-import", to: 4321.25)
        try simulator.set(unit: 9, "voltage-l2", to: nil)
        let reading = try await ReadMeter.readOnce(busURL: "\(configuration)?timeout=300", unit: 9, profileName: "abb-b23", catalog: catalog)
        #expect(reading["energy-import"] == 4321.25)
        #expect(reading["voltage-l2"] == nil)
        #expect(reading.formatted.contains("energy-import"))
        #expect(reading.formatted.contains("4321.250 kWh"))
        #expect(reading.formatted.contains("n/a"))
        let json = ReadMeter.json(reading)
        #expect(json.contains("\"name\" : \"energy-import\""))
        #expect(json.contains("Energy.Active.Import.Register"))
        await #expect(throws: ProfileCatalogError.self) {
            try await ReadMeter.readOnce(busURL: "\(configuration)", unit: 9, profileName: "nope", catalog: catalog)
        }
        await #expect(throws: BusURLError.self) {
            try await ReadMeter.readOnce(busURL: "modbus://x", unit: 9, profileName: "abb-b23", catalog: catalog)
        }
    }

    @Test("concurrent requests from several devices on one bus never interleave")
    func serialized() async throws {
        let profile = try catalog.profile(named: "eastron-sdm120")
        let (simulator, configuration) = try startSimulator()
        defer { simulator.stop() }
        for unit in 1...4 {
            try simulator.addDevice(unit: unit, profile: profile)
            try simulator.set(unit: unit, "power", to: Double(unit * 100))
        }
        var gapped = configuration
        gapped.interRequestGap = .milliseconds(2)
        let bus = ModbusBus(configuration: gapped)
        let results = try await withThrowingTaskGroup(of: (Int, Double?).self) { group in
            for round in 0..<5 {
                for unit in 1...4 {
                    group.addTask {
                        let device = MeterDevice(id: "c\(unit)-\(round)", bus: bus, unit: unit, profile: profile)
                        return (unit, try await device.read()["power"])
                    }
                }
            }
            var results: [(Int, Double?)] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(results.count == 20)
        for (unit, power) in results { #expect(power == Double(unit * 100)) }
        await bus.close()
    }
}
