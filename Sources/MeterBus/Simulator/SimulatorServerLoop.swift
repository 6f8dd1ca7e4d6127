import CModbus
import Foundation

enum SimulatorRequest {
    case read(RegisterFunction, address: Int, count: Int)
    case write(RegisterFunction, address: Int, words: [UInt16])
    case unsupported

    /// Parses the PDU of a request (after the TCP MBAP header or the RTU unit byte).
    static func parse(_ pdu: ArraySlice<UInt8>) -> SimulatorRequest {
        let bytes = Array(pdu)
        guard bytes.count >= 5 else { return .unsupported }
        let address = Int(bytes[1]) << 8 | Int(bytes[2])
        let field = Int(bytes[3]) << 8 | Int(bytes[4])
        switch bytes[0] {
        case 0x01: return .read(.coil, address: address, count: field)
        case 0x03: return .read(.holding, address: address, count: field)
        case 0x04: return .read(.input, address: address, count: field)
        case 0x05: return .write(.coil, address: address, words: [field == 0xFF00 ? 1 : 0])
        case 0x06: return .write(.holding, address: address, words: [UInt16(field)])
        case 0x10:
            guard bytes.count >= 6 + 2 * field else { return .unsupported }
            let words = (0..<field).map { UInt16(bytes[6 + 2 * $0]) << 8 | UInt16(bytes[7 + 2 * $0]) }
            return .write(.holding, address: address, words: words)
        default: return .unsupported
        }
    }
}

enum SimulatorResponse {
    case none
    case exception(ModbusExceptionCode)
    case garbage
    case registers(function: RegisterFunction, address: Int, words: [UInt16])
    case written(function: RegisterFunction, address: Int, words: [UInt16])
}

/// The blocking accept/receive/reply loop. Polls with a short timeout so `stop()` is noticed.
struct ServerLoop: Sendable {
    let context: ContextBox
    let listener: Int32
    let simulator: ModbusSimulator

    func run() {
        let ctx = context.context
        modbus_set_indication_timeout(ctx, 1, 0)
        var clients: [Int32] = []
        var query = [UInt8](repeating: 0, count: Int(MODBUS_TCP_MAX_ADU_LENGTH))
        while simulator.isRunning {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            fds += clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 100) > 0 else { continue }
            if fds[0].revents & Int16(POLLIN) != 0 {
                let client = accept(listener, nil, nil)
                if client >= 0 { clients.append(client) }
            }
            for entry in fds.dropFirst() where entry.revents != 0 {
                modbus_set_socket(ctx, entry.fd)
                let length = query.withUnsafeMutableBufferPointer { modbus_receive(ctx, $0.baseAddress) }
                if length < 0 {
                    close(entry.fd)
                    clients.removeAll { $0 == entry.fd }
                    continue
                }
                if length > 0 { answer(query: Array(query[0..<Int(length)]), socket: entry.fd) }
            }
        }
        for client in clients { close(client) }
        close(listener)
        modbus_free(ctx)
    }

    private func answer(query: [UInt8], socket: Int32) {
        let ctx = context.context
        let header = Int(modbus_get_header_length(ctx))
        guard query.count > header else { return }
        let unit = Int(query[header - 1])
        let request = SimulatorRequest.parse(query[header...])
        switch simulator.respond(unit: unit, request: request) {
        case .none:
            break
        case let .exception(code):
            modbus_reply_exception(ctx, query, UInt32(code.rawValue))
        case .garbage:
            // Same transaction id and unit, but a function code that matches no request.
            let frame: [UInt8] = [query[0], query[1], 0, 0, 0, 4, query[6], 0x2B, 0xDE, 0xAD]
            _ = frame.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        case let .registers(function, address, words), let .written(function, address, words):
            Self.reply(ctx, query: query, function: function, address: address, words: words)
        }
    }

    /// Lets libmodbus build the reply from a mapping covering exactly the requested range
    /// (TCP and RTU alike: libmodbus takes the unit from the query and adds the CRC for RTU).
    static func reply(_ ctx: OpaquePointer, query: [UInt8], function: RegisterFunction, address: Int, words: [UInt16]) {
        let start = UInt32(address), count = UInt32(max(1, words.count))
        let mapping: UnsafeMutablePointer<modbus_mapping_t>?
        switch function {
        case .coil: mapping = modbus_mapping_new_start_address(start, count, 0, 0, 0, 0, 0, 0)
        case .holding: mapping = modbus_mapping_new_start_address(0, 0, 0, 0, start, count, 0, 0)
        case .input: mapping = modbus_mapping_new_start_address(0, 0, 0, 0, 0, 0, start, count)
        }
        guard let mapping else { return }
        defer { modbus_mapping_free(mapping) }
        for (index, word) in words.enumerated() {
            switch function {
            case .coil: mapping.pointee.tab_bits[index] = word == 0 ? 0 : 1
            case .holding: mapping.pointee.tab_registers[index] = word
            case .input: mapping.pointee.tab_input_registers[index] = word
            }
        }
        modbus_reply(ctx, query, Int32(query.count), mapping)
    }
}
