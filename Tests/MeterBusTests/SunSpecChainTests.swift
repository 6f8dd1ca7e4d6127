import Testing
@testable import MeterBus

/// Builds an in-memory holding-register image and a reader over it.
struct RegisterImage {
    var registers: [Int: UInt16] = [:]

    mutating func chain(base: Int, models: [(id: Int, length: Int)], endMarker: Bool = true) {
        registers[base] = 0x5375
        registers[base + 1] = 0x6E53
        var address = base + 2
        for model in models {
            registers[address] = UInt16(model.id)
            registers[address + 1] = UInt16(model.length)
            for offset in 0..<model.length { registers[address + 2 + offset] = 0 }
            address += 2 + model.length
        }
        if endMarker {
            registers[address] = 0xFFFF
            registers[address + 1] = 0
        }
    }

    var reader: SunSpecChain.Reader {
        let registers = self.registers
        return { (address: Int, count: Int) async throws(ModbusError) -> [UInt16] in
            var words: [UInt16] = []
            for index in address..<(address + count) {
                guard let word = registers[index] else {
                    throw .exception(.illegalDataAddress, RequestContext(bus: "memory", unit: 1, function: .holding, address: address, count: count))
                }
                words.append(word)
            }
            return words
        }
    }
}

@Suite("SunSpec chain walker")
struct SunSpecChainTests {
    @Test("finds the marker at each base and walks the models", arguments: [40000, 0, 50000])
    func bases(base: Int) async throws {
        var image = RegisterImage()
        image.chain(base: base, models: [(1, 66), (103, 50), (160, 48)])
        let models = try await SunSpecChain.discover(bases: [40000, 0, 50000], read: image.reader)
        #expect(models == [
            SunSpecModel(id: 1, address: base + 2, length: 66),
            SunSpecModel(id: 103, address: base + 70, length: 50),
            SunSpecModel(id: 160, address: base + 122, length: 48),
        ])
    }

    @Test("a chain without end marker stops at the first exception")
    func noEndMarker() async throws {
        var image = RegisterImage()
        image.chain(base: 40000, models: [(1, 66), (101, 50)], endMarker: false)
        let models = try await SunSpecChain.discover(bases: [40000], read: image.reader)
        #expect(models.map(\.id) == [1, 101])
    }

    @Test("no marker anywhere is a specific error")
    func noMarker() async {
        var image = RegisterImage()
        image.registers[40000] = 0x1234
        image.registers[40001] = 0x5678
        await #expect(throws: MeterError.sunSpecMarkerNotFound(bases: [40000, 0, 50000])) {
            try await SunSpecChain.discover(bases: [40000, 0, 50000], read: image.reader)
        }
    }

    @Test("values resolve through the first present model and respect its length")
    func resolve() {
        let chain = [SunSpecModel(id: 1, address: 40002, length: 66), SunSpecModel(id: 101, address: 40070, length: 50)]
        #expect(SunSpecChain.resolve(models: [101, 102, 103], offset: 12, registerCount: 1, in: chain) == 40084)
        #expect(SunSpecChain.resolve(models: [103, 101], offset: 22, registerCount: 2, in: chain) == 40094)
        #expect(SunSpecChain.resolve(models: [160], offset: 0, registerCount: 1, in: chain) == nil)
        #expect(SunSpecChain.resolve(models: [101], offset: 49, registerCount: 2, in: chain) == nil)
    }

    @Test("timeouts are not mistaken for a missing marker")
    func timeout() async {
        let context = RequestContext(bus: "memory", unit: 1)
        await #expect(throws: MeterError.transport(.timeout(context))) {
            try await SunSpecChain.discover(bases: [40000]) { (_: Int, _: Int) async throws(ModbusError) -> [UInt16] in
                throw .timeout(context)
            }
        }
    }
}
