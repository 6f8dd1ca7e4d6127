import Foundation

/// Which request failed: shown in every transport error so an operator can find the wire.
public struct RequestContext: Sendable, Hashable, CustomStringConvertible {
    public var bus: String
    public var unit: Int
    public var function: RegisterFunction?
    public var address: Int?
    public var count: Int?

    public init(bus: String, unit: Int, function: RegisterFunction? = nil, address: Int? = nil, count: Int? = nil) {
        self.bus = bus
        self.unit = unit
        self.function = function
        self.address = address
        self.count = count
    }

    public var description: String {
        var text = "bus \(bus) unit \(unit)"
        if let function, let address {
            text += ", \(function.rawValue) register \(address)"
            if let count, count > 1 { text += "..\(address + count - 1)" }
        }
        return text
    }
}

/// A Modbus exception code sent back by the device.
public enum ModbusExceptionCode: Int, Sendable, Hashable, Error {
    case illegalFunction = 1, illegalDataAddress, illegalDataValue, serverDeviceFailure, acknowledge,
         serverDeviceBusy, negativeAcknowledge, memoryParityError
    case gatewayPathUnavailable = 10, gatewayTargetFailedToRespond

    var meaning: String {
        switch self {
        case .illegalFunction: "illegal function (the device does not support this request)"
        case .illegalDataAddress: "illegal data address (the register does not exist on this device; check the profile)"
        case .illegalDataValue: "illegal data value (the device rejected the value or count)"
        case .serverDeviceFailure: "server device failure"
        case .acknowledge: "acknowledge (request accepted, still processing)"
        case .serverDeviceBusy: "server device busy (retry later)"
        case .negativeAcknowledge: "negative acknowledge"
        case .memoryParityError: "memory parity error"
        case .gatewayPathUnavailable: "gateway path unavailable (check the gateway's routing)"
        case .gatewayTargetFailedToRespond: "gateway target failed to respond (device behind the gateway is silent)"
        }
    }
}

/// Typed transport and device errors.
public enum ModbusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The device answered with a Modbus exception.
    case exception(ModbusExceptionCode, RequestContext)
    /// No (complete) answer within the timeout.
    case timeout(RequestContext)
    /// A reply with a bad checksum (RTU) - wiring, termination or baud rate.
    case badCRC(RequestContext)
    /// A reply from another unit id than the one asked.
    case wrongUnit(RequestContext)
    /// A reply that does not fit the request (garbage, wrong length, wrong function).
    case invalidResponse(String, RequestContext)
    /// The bus could not be opened or dropped; it is reopened with backoff.
    case busUnavailable(String, bus: String)
    /// Written value did not read back.
    case readBackMismatch(expected: [UInt16], actual: [UInt16], RequestContext)
    /// The request itself is not acceptable (e.g. a value outside its allowed range).
    case invalidRequest(String, RequestContext)

    public var description: String {
        switch self {
        case let .exception(code, context): "\(context): device replied with exception \(code.rawValue), \(code.meaning)"
        case let .timeout(context): "\(context): no answer within the timeout (check unit id, wiring, baud rate and that the device is powered)"
        case let .badCRC(context): "\(context): reply failed its CRC check (check wiring, termination and baud rate)"
        case let .wrongUnit(context): "\(context): reply came from a different unit id (two devices share an id?)"
        case let .invalidResponse(detail, context): "\(context): invalid reply (\(detail))"
        case let .busUnavailable(detail, bus): "bus \(bus) is unavailable: \(detail); it is retried automatically"
        case let .readBackMismatch(expected, actual, context): "\(context): wrote \(expected) but read back \(actual)"
        case let .invalidRequest(detail, context): "\(context): \(detail)"
        }
    }

    /// True when the bus itself (not one device) is gone and must be reopened.
    public var isLinkFailure: Bool {
        if case .busUnavailable = self { return true }
        return false
    }

    /// True for failures worth an immediate retry (noise), false for definite answers.
    var isRetryable: Bool {
        switch self {
        case .timeout, .badCRC, .invalidResponse: true
        default: false
        }
    }

    // libmodbus reports its own errors as MODBUS_ENOBASE + n; the header macros are not
    // importable into Swift, so the values are spelled out here (modbus.h, libmodbus 3.1).
    static let enoBase: Int32 = 112_345_678
    static let badCRCCode: Int32 = enoBase + 12
    static let badDataCode: Int32 = enoBase + 13
    static let badExceptionCode: Int32 = enoBase + 14
    static let unknownExceptionCode: Int32 = enoBase + 15
    static let moreDataCode: Int32 = enoBase + 16
    static let badSlaveCode: Int32 = enoBase + 17

    static let linkErrnos: Set<Int32> = [ECONNRESET, EPIPE, ECONNREFUSED, EBADF, ENOTCONN, EIO, ENXIO, ENODEV, ENETUNREACH, EHOSTUNREACH, ECONNABORTED]

    /// Maps a libmodbus errno to a typed error.
    static func from(errno code: Int32, context: RequestContext) -> ModbusError {
        switch code {
        case (enoBase + 1)...(enoBase + 11):
            if let exception = ModbusExceptionCode(rawValue: Int(code - enoBase)) { return .exception(exception, context) }
            return .invalidResponse("unknown exception \(code - enoBase)", context)
        case badCRCCode: return .badCRC(context)
        case badSlaveCode: return .wrongUnit(context)
        case badDataCode: return .invalidResponse("unexpected data", context)
        case badExceptionCode: return .invalidResponse("malformed exception reply", context)
        case unknownExceptionCode: return .invalidResponse("unknown exception code", context)
        case moreDataCode: return .invalidResponse("too many registers requested", context)
        case ETIMEDOUT: return .timeout(context)
        case let code where linkErrnos.contains(code):
            return .busUnavailable(String(cString: strerror(code)), bus: context.bus)
        default:
            return .invalidResponse(String(cString: strerror(code)), context)
        }
    }
}
