import Logging

/// What a probe learned about one device: where each value lives and which are unavailable.
public struct DeviceLayout: Sendable, Hashable {
    /// Resolved address per value name; values missing here are unavailable on this device.
    public var addresses: [String: Int]
    /// Values the device does not provide, with the reason.
    public var unavailable: [String: String]
    /// SunSpec models found (empty for plain devices).
    public var sunSpecModels: [SunSpecModel]
    /// Batched requests covering every available value.
    public var requests: [RegisterSpan]
}

/// One device on a bus, read and written through its profile.
public actor MeterDevice {
    public nonisolated let id: String
    public nonisolated let unit: Int
    public nonisolated let profile: DeviceProfile
    private let bus: any RegisterBus
    private let clock: any MeterClock
    private let logger: Logger
    public private(set) var layout: DeviceLayout?

    public init(id: String, bus: any RegisterBus, unit: Int, profile: DeviceProfile,
                clock: any MeterClock = SystemMeterClock(), logger: Logger = Logger(label: "meterbus.device")) {
        self.id = id
        self.bus = bus
        self.unit = unit
        self.profile = profile
        self.clock = clock
        var logger = logger
        logger[metadataKey: "device"] = "\(id)"
        logger[metadataKey: "unit"] = "\(unit)"
        self.logger = logger
    }

    /// Finds the SunSpec chain (if any), marks optional values that answer with an exception
    /// as unavailable, and plans the batched reads.
    @discardableResult
    public func probe() async throws(MeterError) -> DeviceLayout {
        var addresses: [String: Int] = [:]
        var unavailable: [String: String] = [:]
        var models: [SunSpecModel] = []
        var excluded: [RegisterSpan] = []
        if let discovery = profile.sunSpec {
            let bus = self.bus, unit = self.unit
            models = try await SunSpecChain.discover(bases: discovery.baseAddresses) { (address: Int, count: Int) async throws(ModbusError) -> [UInt16] in
                try await bus.read(unit: unit, function: .holding, address: address, count: count)
            }
        }
        for value in profile.values {
            switch value.location {
            case let .address(address):
                addresses[value.name] = address
            case let .sunSpec(wanted, offset):
                if let address = SunSpecChain.resolve(models: wanted, offset: offset, registerCount: value.registerCount, in: models) {
                    addresses[value.name] = address
                } else {
                    let reason = "SunSpec model \(wanted.map(String.init).joined(separator: "/")) with offset \(offset) not present"
                    guard value.isOptional else { throw .requiredValueMissing(value: value.name, reason: reason) }
                    unavailable[value.name] = reason
                }
            }
        }
        for value in profile.values where value.isOptional {
            guard let address = addresses[value.name] else { continue }
            do {
                _ = try await bus.read(unit: unit, function: value.function, address: address, count: value.registerCount)
            } catch let .exception(code, _) {
                excluded.append(RegisterSpan(function: value.function, address: address, count: value.registerCount))
                addresses[value.name] = nil
                unavailable[value.name] = "device answered exception \(code.rawValue) at probe"
                logger.info("optional value unavailable", metadata: ["value": "\(value.name)", "exception": "\(code.rawValue)"])
            } catch {
                throw .transport(error)
            }
        }
        // A value scaled by an unavailable scale factor cannot be decoded either.
        for value in profile.values {
            if let sf = value.scaleFactor, addresses[sf] == nil, addresses[value.name] != nil {
                guard value.isOptional else {
                    throw .requiredValueMissing(value: value.name, reason: "its scale factor '\(sf)' is unavailable")
                }
                addresses[value.name] = nil
                unavailable[value.name] = "scale factor '\(sf)' unavailable"
            }
        }
        let spans = profile.values.compactMap { value in
            addresses[value.name].map { RegisterSpan(function: value.function, address: $0, count: value.registerCount) }
        }
        let requests: [RegisterSpan]
        do {
            requests = try ReadPlanner.plan(spans, limits: profile.limits, excluding: excluded)
        } catch {
            throw .requiredValueMissing(value: profile.name, reason: "\(error)")
        }
        let layout = DeviceLayout(addresses: addresses, unavailable: unavailable, sunSpecModels: models, requests: requests)
        self.layout = layout
        return layout
    }

    /// Reads every available value in as few requests as the profile allows.
    public func read() async throws(MeterError) -> MeterReading {
        let layout = try await currentLayout()
        var registers: [RegisterFunction: [Int: UInt16]] = [:]
        for request in layout.requests {
            let words: [UInt16]
            do {
                words = try await bus.read(unit: unit, function: request.function, address: request.address, count: request.count)
            } catch {
                throw .transport(error)
            }
            for (index, word) in words.enumerated() {
                registers[request.function, default: [:]][request.address + index] = word
            }
        }
        let time = clock.now()
        let decoded = ProfileDecoder.decode(profile: profile, addresses: layout.addresses, registers: registers)
        return MeterReading(device: id, profile: profile.name, time: time, values: decoded)
    }

    /// Writes a setpoint (engineering units) and reads it back.
    public func write(_ name: String, value: Double) async throws(MeterError) {
        guard let spec = profile.value(named: name) else { throw .unknownValue(name, profile: profile.name) }
        guard spec.isWritable else { throw .notWritable(name, profile: profile.name) }
        if let range = spec.writeRange, !range.contains(value) {
            throw .outOfRange(value: name, requested: value, allowed: range)
        }
        let layout = try await currentLayout()
        guard let address = layout.addresses[name] else {
            throw .requiredValueMissing(value: name, reason: layout.unavailable[name] ?? "not resolved")
        }
        let context = RequestContext(bus: bus.name, unit: unit, function: spec.function, address: address, count: spec.registerCount)
        var scaleFactor: Int?
        if let sf = spec.scaleFactor, let sfSpec = profile.value(named: sf), let sfAddress = layout.addresses[sf] {
            do {
                let words = try await bus.read(unit: unit, function: sfSpec.function, address: sfAddress, count: 1)
                scaleFactor = RegisterCodec.decode(words, layout: sfSpec.layout).map { Int($0) }
            } catch {
                throw .transport(error)
            }
        }
        let expected: [UInt16] = spec.function == .coil ? [value != 0 ? 1 : 0] : RegisterCodec.encode(value, layout: spec.layout, scaleFactor: scaleFactor)
        do throws(ModbusError) {
            if spec.function == .coil {
                try await bus.writeCoil(unit: unit, address: address, on: value != 0)
            } else {
                try await bus.write(unit: unit, address: address, registers: expected)
            }
            let actual = try await bus.read(unit: unit, function: spec.function, address: address, count: spec.registerCount)
            guard actual == expected else {
                throw ModbusError.readBackMismatch(expected: expected, actual: actual, context)
            }
        } catch {
            throw .transport(error)
        }
        logger.info("setpoint written", metadata: ["value": "\(name)", "setpoint": "\(value)"])
    }

    /// Forgets the probe result, e.g. after the device was replaced.
    public func invalidate() {
        layout = nil
    }

    private func currentLayout() async throws(MeterError) -> DeviceLayout {
        if let layout { return layout }
        return try await probe()
    }
}

/// Turns fetched registers into engineering values. Pure.
enum ProfileDecoder {
    static func decode(profile: DeviceProfile, addresses: [String: Int], registers: [RegisterFunction: [Int: UInt16]]) -> [MeterValue] {
        func words(_ value: ProfileValue) -> [UInt16]? {
            guard let address = addresses[value.name], let table = registers[value.function] else { return nil }
            let words = (address..<(address + value.registerCount)).compactMap { table[$0] }
            return words.count == value.registerCount ? words : nil
        }
        return profile.values.map { value in
            var number: Double?
            if let valueWords = words(value) {
                if value.function == .coil {
                    number = Double(valueWords[0])
                } else if let sfName = value.scaleFactor {
                    if let sfSpec = profile.value(named: sfName), let sfWords = words(sfSpec),
                       let sf = RegisterCodec.decode(sfWords, layout: sfSpec.layout), (-10...10).contains(sf) {
                        number = RegisterCodec.decode(valueWords, layout: value.layout, scaleFactor: Int(sf))
                    }
                } else {
                    number = RegisterCodec.decode(valueWords, layout: value.layout)
                }
            }
            return MeterValue(name: value.name, value: number, unit: value.unit, measurand: value.measurand, phase: value.phase)
        }
    }
}
