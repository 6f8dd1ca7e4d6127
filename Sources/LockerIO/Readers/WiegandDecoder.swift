/// A decoded Wiegand frame.
public enum WiegandFrame: Sendable, Hashable {
    /// 26 bits: even parity, 8-bit facility code, 16-bit card number, odd parity.
    case wiegand26(facility: UInt8, card: UInt16)
    /// 34 bits: even parity, 32 data bits, odd parity.
    case wiegand34(data: UInt32)

    /// The data bits as big-endian bytes (the card number the idTag rule uses).
    public var cardNumber: [UInt8] {
        switch self {
        case let .wiegand26(facility, card): [facility, UInt8(card >> 8), UInt8(card & 0xFF)]
        case .wiegand34(let data): (0..<4).reversed().map { UInt8(truncatingIfNeeded: data >> ($0 * 8)) }
        }
    }

    public var idTag: IdTag { IdTag(cardNumber: cardNumber)! }
}

public enum WiegandRejection: Error, Sendable, Hashable, CustomStringConvertible {
    public enum ParityBit: String, Sendable, Hashable { case leadingEven = "leading (even)", trailingOdd = "trailing (odd)" }

    /// Only 26- and 34-bit frames are understood.
    case unsupportedBitCount(Int)
    case parityMismatch(ParityBit)
    /// Pulses on D0 and D1 at (nearly) the same time: a wiring fault or crosstalk.
    case simultaneousPulses(bitIndex: Int)
    /// Two pulses closer than any reader sends them: noise on the line.
    case bitsTooClose(bitIndex: Int, interval: Duration)

    public var description: String {
        switch self {
        case .unsupportedBitCount(let count):
            "\(count) bits received; only Wiegand 26 and 34 are supported (check the reader's output format and D0/D1 wiring)"
        case .parityMismatch(let bit):
            "\(bit.rawValue) parity bit does not match; the frame was corrupted (check cable length and grounding)"
        case .simultaneousPulses(let index):
            "D0 and D1 pulsed together at bit \(index); check that D0 and D1 are not shorted or swapped with another signal"
        case let .bitsTooClose(index, interval):
            "pulses only \(interval) apart at bit \(index); noise on the data lines"
        }
    }
}

/// Decodes Wiegand from pulse timestamps on D0 (a 0 bit) and D1 (a 1 bit).
///
/// A frame ends when no pulse follows for `frameGap`. Pulses from the two lines may be
/// delivered out of order (each line has its own event queue), so a frame is sorted by
/// timestamp before decoding. Pure: pulses and time in, frames out.
public struct WiegandDecoder: Sendable, Hashable {
    public enum DataLine: Sendable, Hashable { case d0, d1 }

    public struct Timing: Sendable, Hashable {
        /// Silence that ends a frame. Readers send bits 1-2 ms apart and frames far apart.
        public var frameGap: Duration
        /// Pulses closer than this are noise (readers keep at least ~200 µs between bits).
        public var minimumBitInterval: Duration

        public init(frameGap: Duration = .milliseconds(25), minimumBitInterval: Duration = .microseconds(200)) {
            self.frameGap = frameGap
            self.minimumBitInterval = minimumBitInterval
        }
    }

    private struct Pulse: Sendable, Hashable {
        var line: DataLine
        var at: MonotonicInstant
    }

    public let timing: Timing
    private var pulses: [Pulse] = []
    private var latest: MonotonicInstant?

    public init(timing: Timing = Timing()) { self.timing = timing }

    /// When the frame in progress ends if no further pulse arrives.
    public var nextDeadline: MonotonicInstant? { latest.map { $0 + timing.frameGap } }

    /// Records a pulse (the active edge of D0 or D1). If it comes after a frame gap, the
    /// previous frame is complete and its result is returned.
    public mutating func pulse(on line: DataLine, at time: MonotonicInstant) -> Result<WiegandFrame, WiegandRejection>? {
        var finished: Result<WiegandFrame, WiegandRejection>?
        if let latest, time - latest >= timing.frameGap { finished = finishFrame() }
        pulses.append(Pulse(line: line, at: time))
        latest = max(latest ?? time, time)
        return finished
    }

    /// Ends the frame in progress if the gap has passed by `time`.
    public mutating func advance(to time: MonotonicInstant) -> Result<WiegandFrame, WiegandRejection>? {
        guard let latest, time - latest >= timing.frameGap else { return nil }
        return finishFrame()
    }

    private mutating func finishFrame() -> Result<WiegandFrame, WiegandRejection>? {
        defer {
            pulses.removeAll(keepingCapacity: true)
            latest = nil
        }
        guard !pulses.isEmpty else { return nil }
        let ordered = pulses.sorted { $0.at < $1.at }
        for index in ordered.indices.dropFirst() {
            let interval = ordered[index].at - ordered[index - 1].at
            if interval < timing.minimumBitInterval {
                return .failure(ordered[index].line != ordered[index - 1].line
                    ? .simultaneousPulses(bitIndex: index)
                    : .bitsTooClose(bitIndex: index, interval: interval))
            }
        }
        return Self.decode(bits: ordered.map { $0.line == .d1 })
    }

    /// Decodes a complete frame of bits (first bit first).
    public static func decode(bits: [Bool]) -> Result<WiegandFrame, WiegandRejection> {
        let dataBits: Int
        switch bits.count {
        case 26: dataBits = 24
        case 34: dataBits = 32
        default: return .failure(.unsupportedBitCount(bits.count))
        }
        let half = dataBits / 2
        // Leading bit: even parity over the first half of the data; trailing: odd over the second.
        let leadingOnes = bits[0...half].filter { $0 }.count
        guard leadingOnes % 2 == 0 else { return .failure(.parityMismatch(.leadingEven)) }
        let trailingOnes = bits[(half + 1)...(dataBits + 1)].filter { $0 }.count
        guard trailingOnes % 2 == 1 else { return .failure(.parityMismatch(.trailingOdd)) }
        let data = bits[1...dataBits].reduce(UInt32(0)) { $0 << 1 | ($1 ? 1 : 0) }
        if dataBits == 24 {
            return .success(.wiegand26(facility: UInt8(data >> 16), card: UInt16(data & 0xFFFF)))
        }
        return .success(.wiegand34(data: data))
    }

    /// Encodes data bits with both parity bits: the frame a reader sends for this card.
    public static func encode(_ frame: WiegandFrame) -> [Bool] {
        let bytes = frame.cardNumber
        let data: [Bool] = bytes.flatMap { byte -> [Bool] in (0..<8).reversed().map { (byte >> UInt8($0)) & 1 == 1 } }
        let half = data.count / 2
        let leading = data[..<half].filter { $0 }.count % 2 == 1
        let trailing = data[half...].filter { $0 }.count % 2 == 0
        return [leading] + data + [trailing]
    }
}
