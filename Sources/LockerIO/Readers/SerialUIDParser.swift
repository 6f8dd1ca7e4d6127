/// Turns the bytes a serial RFID reader sends into UIDs: one ASCII UID per line.
///
/// Lines end with CR, LF or ETX (0x03); STX (0x02) and other control bytes are dropped, so
/// "UID\r\n", "UID\n" and STX UID ETX framing all work. Pure: bytes in, results out.
public struct SerialUIDParser: Sendable, Hashable {
    public static let maximumLineLength = 64

    public let format: UIDTextFormat
    private var line: [UInt8] = []
    private var overflowed = 0

    public init(format: UIDTextFormat = .hex) { self.format = format }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Result<IdTag, ReaderRejection>] {
        var results: [Result<IdTag, ReaderRejection>] = []
        for byte in bytes {
            switch byte {
            case 0x0A, 0x0D, 0x03:
                if overflowed > 0 {
                    results.append(.failure(.lineTooLong(bytes: overflowed)))
                } else if !line.isEmpty {
                    let text = String(decoding: line, as: UTF8.self)
                    do { results.append(.success(try IdTag(uid: text, format: format))) }
                    catch { results.append(.failure(.uid(error))) }
                }
                line.removeAll(keepingCapacity: true)
                overflowed = 0
            case 0x20..<0x7F:
                if overflowed > 0 {
                    overflowed += 1
                } else if line.count >= Self.maximumLineLength {
                    overflowed = line.count + 1
                    line.removeAll(keepingCapacity: true)
                } else {
                    line.append(byte)
                }
            default:
                continue
            }
        }
        return results
    }
}
