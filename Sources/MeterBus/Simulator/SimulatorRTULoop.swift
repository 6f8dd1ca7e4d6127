import CModbus
import Foundation

/// Splits the bytes arriving on an RTU line into request frames. Pure, so it is tested
/// without a serial port. libmodbus's own receive cannot be used: in RTU mode it drops every
/// request not addressed to its single slave id, and the simulator serves many units.
enum RTURequestFraming: Equatable {
    /// Not enough bytes yet for a whole request.
    case incomplete
    /// A whole request with a good CRC in the first `length` bytes.
    case frame(length: Int)
    /// Bytes that cannot start a request we understand (bad CRC or unknown function):
    /// drop everything pending, as a device resynchronises on the next silence.
    case invalid

    static func next(in bytes: [UInt8]) -> RTURequestFraming {
        guard bytes.count >= 2 else { return .incomplete }
        let length: Int
        switch bytes[1] {
        case 0x01...0x06:
            length = 8  // unit, function, address, count or value, CRC
        case 0x0F, 0x10:
            guard bytes.count >= 7 else { return .incomplete }
            length = 9 + Int(bytes[6])  // unit, function, address, count, byte count, data, CRC
        default:
            return .invalid
        }
        guard bytes.count >= length else { return .incomplete }
        let crc = crc16(bytes[0..<(length - 2)])
        guard bytes[length - 2] == UInt8(crc & 0xFF), bytes[length - 1] == UInt8(crc >> 8) else { return .invalid }
        return .frame(length: length)
    }

    /// Modbus CRC-16 (polynomial 0xA001, initial 0xFFFF); sent low byte first.
    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return crc
    }
}

/// The blocking RTU receive/reply loop: frames requests itself (any unit), answers through the
/// same `respond` path as TCP and lets libmodbus build and send the replies with their CRC.
/// Polls with a short timeout so `stop()` is noticed; a silence with a partial frame drops it.
struct RTUServerLoop: Sendable {
    let context: ContextBox
    let simulator: ModbusSimulator

    func run() {
        let ctx = context.context
        let fd = modbus_get_socket(ctx)
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while simulator.isRunning {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, 100)
            guard ready > 0 else {
                pending.removeAll()  // silence: a partial frame will never complete
                continue
            }
            guard entry.revents & Int16(POLLIN) != 0 else {
                // Hang-up or error without data (the other end of a pty is gone): do not spin.
                usleep(50_000)
                continue
            }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else {
                if count == 0 || (errno != EAGAIN && errno != EINTR) { usleep(50_000) }
                continue
            }
            pending += chunk[0..<count]
            framing: while true {
                switch RTURequestFraming.next(in: pending) {
                case .incomplete:
                    break framing
                case .invalid:
                    pending.removeAll()
                    break framing
                case let .frame(length):
                    answer(Array(pending[0..<length]))
                    pending.removeFirst(length)
                }
            }
        }
        modbus_close(ctx)
        modbus_free(ctx)
    }

    /// `frame` is a whole request including its CRC (libmodbus strips it when replying).
    private func answer(_ frame: [UInt8]) {
        let ctx = context.context
        let unit = Int(frame[0])
        // Broadcasts (unit 0) are never answered on RTU.
        guard unit != 0 else { return }
        let request = SimulatorRequest.parse(frame[1..<(frame.count - 2)])
        switch simulator.respond(unit: unit, request: request) {
        case .none:
            break
        case let .exception(code):
            modbus_reply_exception(ctx, frame, UInt32(code.rawValue))
        case .garbage:
            // Right unit and a valid CRC, but a function code that matches no request.
            let raw: [UInt8] = [frame[0], 0x2B, 0xDE, 0xAD]
            modbus_send_raw_request(ctx, raw, Int32(raw.count))
        case let .registers(function, address, words), let .written(function, address, words):
            ServerLoop.reply(ctx, query: frame, function: function, address: address, words: words)
        }
    }
}
