import Dispatch
import Logging

/// Register access on one bus; the seam between devices and the transport.
public protocol RegisterBus: Sendable {
    /// Name for messages, e.g. "tcp://10.0.0.5:502".
    var name: String { get }
    /// Reads `count` registers (or coils, as 0/1) from a unit.
    func read(unit: Int, function: RegisterFunction, address: Int, count: Int) async throws(ModbusError) -> [UInt16]
    /// Writes holding registers (function 06 for one, 16 for several).
    func write(unit: Int, address: Int, registers: [UInt16]) async throws(ModbusError)
    /// Writes one coil (function 05).
    func writeCoil(unit: Int, address: Int, on: Bool) async throws(ModbusError)
}

/// The single owner of one physical bus. Every request on the bus goes through its serial
/// queue, so meters sharing an RS-485 line never interleave, and the blocking libmodbus
/// calls run on that queue's thread instead of Swift's cooperative pool.
/// Create one per physical bus and share it between the devices on it.
public actor ModbusBus: RegisterBus {
    public nonisolated let configuration: BusConfiguration
    public nonisolated var name: String { configuration.description }
    private let queue: DispatchQueue
    private let link: LinkBox
    private let logger: Logger
    private var linkDown = false

    public init(configuration: BusConfiguration, logger: Logger = Logger(label: "meterbus.bus")) {
        self.configuration = configuration
        self.queue = DispatchQueue(label: "meterbus.bus \(configuration.description)")
        self.link = LinkBox(ModbusLink(configuration: configuration))
        var logger = logger
        logger[metadataKey: "bus"] = "\(configuration.description)"
        self.logger = logger
    }

    public func read(unit: Int, function: RegisterFunction, address: Int, count: Int) async throws(ModbusError) -> [UInt16] {
        try await run(.read(function, address: address, count: count), unit: unit)
    }

    public func write(unit: Int, address: Int, registers: [UInt16]) async throws(ModbusError) {
        _ = try await run(.writeRegisters(address: address, values: registers), unit: unit)
    }

    public func writeCoil(unit: Int, address: Int, on: Bool) async throws(ModbusError) {
        _ = try await run(.writeCoil(address: address, on: on), unit: unit)
    }

    /// Closes the link; a later request reopens it.
    public func close() async {
        let link = self.link
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                link.link.close()
                continuation.resume()
            }
        }
    }

    private func run(_ operation: ModbusLink.Operation, unit: Int) async throws(ModbusError) -> [UInt16] {
        let link = self.link
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[UInt16], ModbusError>, Never>) in
            queue.async {
                continuation.resume(returning: link.link.perform(operation, unit: unit))
            }
        }
        // Log transitions only: a bus that stays down for hours must not flood the journal.
        switch result {
        case let .failure(error) where error.isLinkFailure:
            if !linkDown { logger.warning("bus link down; reopening with backoff", metadata: ["error": "\(error)"]) }
            linkDown = true
        case .success, .failure:
            if linkDown { logger.info("bus link reopened") }
            linkDown = false
        }
        return try result.get()
    }
}

/// Carries the queue-confined link into `queue.async` closures.
private final class LinkBox: @unchecked Sendable {
    // Safety: `link` is only touched on the owning bus's serial queue.
    let link: ModbusLink
    init(_ link: ModbusLink) { self.link = link }
}
