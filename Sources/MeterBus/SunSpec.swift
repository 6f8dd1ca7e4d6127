/// One model found in a SunSpec chain.
public struct SunSpecModel: Sendable, Hashable {
    public var id: Int
    /// Address of the model's ID register.
    public var address: Int
    /// Number of data registers after the ID and length registers.
    public var length: Int

    public init(id: Int, address: Int, length: Int) {
        self.id = id
        self.address = address
        self.length = length
    }

    /// Address of the first data register.
    public var dataStart: Int { address + 2 }
}

/// Finds the "SunS" marker and walks the model chain, instead of hard-coding addresses.
public enum SunSpecChain {
    /// "SunS" as two registers.
    public static let marker: [UInt16] = [0x5375, 0x6E53]
    static let endOfChain = 0xFFFF
    static let maxModels = 64

    /// Reads registers (holding, function 03) for the walker.
    public typealias Reader = (_ address: Int, _ count: Int) async throws(ModbusError) -> [UInt16]

    /// Tries each base in order; returns the models of the first base that carries the marker.
    /// An exception reply at a base just means "not here". Timeouts and link failures are thrown.
    public static func discover(bases: [Int], read: Reader) async throws(MeterError) -> [SunSpecModel] {
        for base in bases {
            let header: [UInt16]
            do {
                header = try await read(base, 2)
            } catch .exception {
                continue
            } catch {
                throw .transport(error)
            }
            guard header == marker else { continue }
            return try await walk(from: base + 2, read: read)
        }
        throw .sunSpecMarkerNotFound(bases: bases)
    }

    /// Walks model headers from `start` until the end marker, a zero-length hole, an exception
    /// (some devices omit the end marker) or the end of the address space.
    static func walk(from start: Int, read: Reader) async throws(MeterError) -> [SunSpecModel] {
        var models: [SunSpecModel] = []
        var address = start
        while models.count < maxModels, address + 2 <= 65536 {
            let header: [UInt16]
            do {
                header = try await read(address, 2)
            } catch .exception {
                break
            } catch {
                throw .transport(error)
            }
            let id = Int(header[0])
            let length = Int(header[1])
            if id == endOfChain || id == 0 { break }
            models.append(SunSpecModel(id: id, address: address, length: length))
            address += 2 + length
        }
        return models
    }

    /// Address of a value located by model and offset, or nil when no listed model is present
    /// or the offset lies beyond the model's length.
    public static func resolve(models wanted: [Int], offset: Int, registerCount: Int, in chain: [SunSpecModel]) -> Int? {
        for id in wanted {
            guard let model = chain.first(where: { $0.id == id }) else { continue }
            return offset + registerCount <= model.length ? model.dataStart + offset : nil
        }
        return nil
    }
}
