import Testing
@testable import MeterBus

@Suite("Meter device")
struct MeterDeviceTests {
    let catalog: ProfileCatalog
    init() throws { catalog = try ProfileCatalog.shipped() }

    @Test("a read issues exactly the planned batched requests")
    func batching() async throws {
        let profile = try catalog.profile(named: "eastron-sdm630")
        let bus = InMemoryBus(device: SimulatedDevice(unit: 1, profile: profile))
        let device = MeterDevice(id: "grid", bus: bus, unit: 1, profile: profile)
        _ = try await device.read()
        #expect(await bus.requests == [
            RegisterSpan(function: .input, address: 0, count: 18),
            RegisterSpan(function: .input, address: 52, count: 24),
            RegisterSpan(function: .input, address: 342, count: 2),
        ])
    }

    @Test("a scale factor that is not implemented makes its values unavailable, not zero")
    func unavailableScaleFactor() async throws {
        let profile = try catalog.profile(named: "sunspec-inverter")
        var image = SimulatedDevice(unit: 1, profile: profile)
        image.set("power", to: 1200)
        image.set("frequency-sf", to: -2)
        image.set("frequency", to: 50.01)
        image.set("power-sf", to: nil)  // 0x8000
        let device = MeterDevice(id: "pv", bus: InMemoryBus(device: image), unit: 1, profile: profile)
        let reading = try await device.read()
        #expect(reading["power"] == nil)
        #expect(reading["frequency"] == 50.01)
    }

    @Test("a setpoint that does not read back is an error")
    func readBack() async throws {
        let profile = try catalog.profile(named: "phoenix-ev-charge-control")
        let bus = InMemoryBus(device: SimulatedDevice(unit: 255, profile: profile))
        let charger = MeterDevice(id: "charger", bus: bus, unit: 255, profile: profile)
        try await charger.write("current-setpoint", value: 10)
        await bus.setDropWrites(true)
        do {
            try await charger.write("current-setpoint", value: 12)
            Issue.record("expected a read-back mismatch")
        } catch {
            guard case let .transport(.readBackMismatch(expected, actual, context)) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(expected == [12])
            #expect(actual == [10])
            #expect(context.address == 528)
        }
        await #expect(throws: MeterError.unknownValue("speed", profile: profile.name)) {
            try await charger.write("speed", value: 1)
        }
    }

    @Test("a missing required SunSpec model is a specific probe error")
    func missingModel() async throws {
        let profile = try catalog.profile(named: "sunspec-inverter")
        let image = SimulatedDevice(unit: 1, profile: profile, sunSpecModels: [1, 160])
        let device = MeterDevice(id: "pv", bus: InMemoryBus(device: image), unit: 1, profile: profile)
        do {
            try await device.probe()
            Issue.record("expected a probe error")
        } catch {
            guard case let .requiredValueMissing(value, reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(value == "current")
            #expect(reason.contains("101/102/103"))
        }
    }
}
