/// Why a PDU could not be built or read. Messages name the field that was wrong.
public enum PDUError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidHex(String)
    case truncated(String)
    case unsupportedMessageType(UInt8)
    case unsupportedDataCoding(UInt8)
    case unsupportedDestination(String)
    case messageTooLong(parts: Int)
    case malformedUserDataHeader(String)

    public var description: String {
        switch self {
        case .invalidHex(let detail): "PDU is not valid hex: \(detail)"
        case .truncated(let field): "PDU ends early, in \(field); the modem line was probably cut off"
        case .unsupportedMessageType(let type): "PDU message type \(type) is not SMS-DELIVER; ignore status reports"
        case .unsupportedDataCoding(let dcs): "data coding scheme 0x\(String(dcs, radix: 16)) is not supported (compressed or reserved)"
        case .unsupportedDestination(let detail): "cannot address the SMS: \(detail)"
        case .messageTooLong(let parts): "message needs \(parts) parts; at most 255 fit a concatenation header; shorten the template"
        case .malformedUserDataHeader(let detail): "user data header is malformed: \(detail)"
        }
    }
}

/// Reads a PDU front to back, naming the field on a short read.
struct PDUReader {
    let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - position }

    mutating func byte(_ field: String) throws(PDUError) -> UInt8 {
        guard position < bytes.count else { throw .truncated(field) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func bytes(_ count: Int, _ field: String) throws(PDUError) -> ArraySlice<UInt8> {
        guard count >= 0, position + count <= bytes.count else { throw .truncated(field) }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func rest() -> ArraySlice<UInt8> {
        defer { position = bytes.count }
        return bytes[position...]
    }
}

/// Hex text <-> bytes, as PDU mode puts them on the serial line.
public enum PDUHex {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits: [Character] = Array("0123456789ABCDEF")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    public static func decode(_ text: String) throws(PDUError) -> [UInt8] {
        let trimmed = Array(text.utf8.filter { $0 != 0x20 && $0 != 0x0D && $0 != 0x0A })
        guard trimmed.count % 2 == 0 else { throw .invalidHex("odd number of hex digits (\(trimmed.count))") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(trimmed.count / 2)
        var index = 0
        while index < trimmed.count {
            guard let high = nibble(trimmed[index]), let low = nibble(trimmed[index + 1]) else {
                throw .invalidHex("non-hex character at offset \(index)")
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ ascii: UInt8) -> UInt8? {
        switch ascii {
        case 0x30...0x39: ascii - 0x30
        case 0x41...0x46: ascii - 0x41 + 10
        case 0x61...0x66: ascii - 0x61 + 10
        default: nil
        }
    }
}
