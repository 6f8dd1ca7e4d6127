import Foundation
@testable import MeterBus

/// A clock whose sleep advances virtual time instantly, so polling runs without waiting.
final class VirtualClock: MeterClock {
    private let current: Locked<Date>

    init(start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Locked(start)
    }

    func now() -> Date { current.withLock { $0 } }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        current.withLock { $0 += duration.timeInterval }
        await Task.yield()
    }
}

/// An in-memory bus serving one SimulatedDevice image; can be told to time out.
actor InMemoryBus: RegisterBus {
    nonisolated let name = "memory://test"
    var device: SimulatedDevice
    var silent = false
    /// Acknowledge writes without applying them (a device that ignores setpoints).
    var dropWrites = false
    private(set) var requests: [RegisterSpan] = []

    init(device: SimulatedDevice) { self.device = device }

    func setSilent(_ silent: Bool) { self.silent = silent }
    func setDropWrites(_ drop: Bool) { dropWrites = drop }
    func set(_ name: String, _ value: Double?) { device.set(name, to: value) }

    func read(unit: Int, function: RegisterFunction, address: Int, count: Int) async throws(ModbusError) -> [UInt16] {
        let context = RequestContext(bus: name, unit: unit, function: function, address: address, count: count)
        if silent { throw .timeout(context) }
        requests.append(RegisterSpan(function: function, address: address, count: count))
        switch device.read(function, address: address, count: count) {
        case let .success(words): return words
        case let .failure(code): throw .exception(code, context)
        }
    }

    func write(unit: Int, address: Int, registers: [UInt16]) async throws(ModbusError) {
        if dropWrites { return }
        if let code = device.write(.holding, address: address, words: registers) {
            throw .exception(code, RequestContext(bus: name, unit: unit, function: .holding, address: address))
        }
    }

    func writeCoil(unit: Int, address: Int, on: Bool) async throws(ModbusError) {
        if let code = device.write(.coil, address: address, words: [on ? 1 : 0]) {
            throw .exception(code, RequestContext(bus: name, unit: unit, function: .coil, address: address))
        }
    }
}
