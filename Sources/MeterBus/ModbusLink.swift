import CModbus
import Foundation

/// One libmodbus context and its reopen/backoff bookkeeping. Not thread-safe by design:
/// it is confined to its bus's serial dispatch queue, which is what serializes the bus.
final class ModbusLink {
    let configuration: BusConfiguration
    private var context: OpaquePointer?
    private var lastRequestEnd: ContinuousClock.Instant?
    private var reopenNotBefore: ContinuousClock.Instant?
    private var backoff: Duration
    /// A TCP peer that silently vanished (cable pulled, NAT timeout) only shows as timeouts.
    private var consecutiveTimeouts = 0
    static let timeoutsBeforeReopen = 3
    private let clock = ContinuousClock()

    init(configuration: BusConfiguration) {
        self.configuration = configuration
        self.backoff = configuration.reconnectBackoff.initial
    }

    deinit { close() }

    var isOpen: Bool { context != nil }

    private var isTCP: Bool {
        if case .tcp = configuration.link { return true }
        return false
    }

    func close() {
        if let context {
            modbus_close(context)
            modbus_free(context)
        }
        context = nil
    }

    enum Operation {
        case read(RegisterFunction, address: Int, count: Int)
        case writeRegisters(address: Int, values: [UInt16])
        case writeCoil(address: Int, on: Bool)

        var function: RegisterFunction {
            switch self {
            case let .read(function, _, _): function
            case .writeRegisters: .holding
            case .writeCoil: .coil
            }
        }

        var address: Int {
            switch self {
            case let .read(_, address, _), let .writeRegisters(address, _), let .writeCoil(address, _): address
            }
        }

        var count: Int {
            switch self {
            case let .read(_, _, count): count
            case let .writeRegisters(_, values): values.count
            case .writeCoil: 1
            }
        }
    }

    /// Runs one request with retries. Blocks the calling (queue) thread.
    func perform(_ operation: Operation, unit: Int) -> Result<[UInt16], ModbusError> {
        let requestContext = RequestContext(
            bus: configuration.description, unit: unit, function: operation.function,
            address: operation.address, count: operation.count)
        var attempt = 0
        while true {
            let result = performOnce(operation, unit: unit, requestContext: requestContext)
            guard case let .failure(error) = result, error.isRetryable, attempt < configuration.retries else {
                return result
            }
            attempt += 1
        }
    }

    private func performOnce(_ operation: Operation, unit: Int, requestContext: RequestContext) -> Result<[UInt16], ModbusError> {
        let context: OpaquePointer
        switch open() {
        case let .success(opened): context = opened
        case let .failure(error): return .failure(error)
        }
        waitForGap()
        defer { lastRequestEnd = clock.now }
        modbus_set_slave(context, Int32(unit))

        var output: [UInt16] = []
        let rc: Int32
        switch operation {
        case let .read(function, address, count):
            switch function {
            case .input, .holding:
                var buffer = [UInt16](repeating: 0, count: count)
                rc = buffer.withUnsafeMutableBufferPointer { pointer in
                    function == .input
                        ? modbus_read_input_registers(context, Int32(address), Int32(count), pointer.baseAddress)
                        : modbus_read_registers(context, Int32(address), Int32(count), pointer.baseAddress)
                }
                output = buffer
            case .coil:
                var bits = [UInt8](repeating: 0, count: count)
                rc = bits.withUnsafeMutableBufferPointer { pointer in
                    modbus_read_bits(context, Int32(address), Int32(count), pointer.baseAddress)
                }
                output = bits.map { $0 == 0 ? 0 : 1 }
            }
        case let .writeRegisters(address, values):
            rc = values.count == 1
                ? modbus_write_register(context, Int32(address), values[0])
                : values.withUnsafeBufferPointer { modbus_write_registers(context, Int32(address), Int32(values.count), $0.baseAddress) }
        case let .writeCoil(address, on):
            rc = modbus_write_bit(context, Int32(address), on ? 1 : 0)
        }
        let error = rc >= 0 ? nil : ModbusError.from(errno: errno, context: requestContext)
        if case .timeout = error { consecutiveTimeouts += 1 } else { consecutiveTimeouts = 0 }
        guard let error else { return .success(output) }
        switch error {
        case .busUnavailable:
            // The link is gone (TCP reset, adapter unplugged): drop it; the next request reopens.
            close()
            reopenNotBefore = nil
        case .timeout where isTCP && consecutiveTimeouts >= Self.timeoutsBeforeReopen:
            close()
            consecutiveTimeouts = 0
        case .timeout, .badCRC, .invalidResponse, .wrongUnit:
            // A late or partial reply must not be mistaken for the answer to the next request.
            modbus_flush(context)
        default:
            break
        }
        return .failure(error)
    }

    private func open() -> Result<OpaquePointer, ModbusError> {
        if let context { return .success(context) }
        let bus = configuration.description
        if let notBefore = reopenNotBefore, clock.now < notBefore {
            let wait = notBefore - clock.now
            let milliseconds = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
            return .failure(.busUnavailable("reopen backoff, next attempt in \(milliseconds) ms", bus: bus))
        }
        let created: OpaquePointer?
        switch configuration.link {
        case let .tcp(host, port):
            created = modbus_new_tcp_pi(host, String(port))
        case let .rtu(serial):
            created = modbus_new_rtu(serial.device, Int32(serial.baud), CChar(UInt8(ascii: serial.parity.rawValue.unicodeScalars.first!)),
                                     Int32(serial.dataBits), Int32(serial.stopBits))
        }
        guard let created else {
            return failOpen("cannot create context: \(String(cString: modbus_strerror(errno)))")
        }
        modbus_set_response_timeout(created, Self.seconds(configuration.responseTimeout), Self.microseconds(configuration.responseTimeout))
        modbus_set_byte_timeout(created, Self.seconds(configuration.byteTimeout), Self.microseconds(configuration.byteTimeout))
        if modbus_connect(created) != 0 {
            let reason = String(cString: modbus_strerror(errno))
            modbus_free(created)
            return failOpen("cannot open: \(reason)")
        }
        if case let .rtu(serial) = configuration.link, serial.rs485 {
            // Drivers without RS-485 support refuse; the adapter then handles direction itself.
            _ = modbus_rtu_set_serial_mode(created, MODBUS_RTU_RS485)
        }
        context = created
        backoff = configuration.reconnectBackoff.initial
        reopenNotBefore = nil
        return .success(created)
    }

    private func failOpen(_ reason: String) -> Result<OpaquePointer, ModbusError> {
        reopenNotBefore = clock.now + backoff
        backoff = min(backoff * 2, configuration.reconnectBackoff.maximum)
        return .failure(.busUnavailable(reason, bus: configuration.description))
    }

    private func waitForGap() {
        guard configuration.interRequestGap > .zero, let last = lastRequestEnd else { return }
        let ready = last + configuration.interRequestGap
        let now = clock.now
        if ready > now {
            let wait = ready - now
            Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
        }
    }

    static func seconds(_ duration: Duration) -> UInt32 { UInt32(clamping: duration.components.seconds) }
    static func microseconds(_ duration: Duration) -> UInt32 { UInt32(clamping: duration.components.attoseconds / 1_000_000_000_000) }
}
