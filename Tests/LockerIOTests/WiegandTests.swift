import Testing
@testable import LockerIO

/// Pulses as a reader sends them: one per bit, 2 ms apart, on D0 for 0 and D1 for 1.
private func pulses(_ bits: [Bool], from start: Int64 = 1_000, spacingMicros: Int64 = 2_000)
    -> [(WiegandDecoder.DataLine, MonotonicInstant)]
{
    bits.enumerated().map { index, bit in (bit ? .d1 : .d0, .us(start + Int64(index) * spacingMicros)) }
}

private func decodeFrame(_ pulses: [(WiegandDecoder.DataLine, MonotonicInstant)],
                         timing: WiegandDecoder.Timing = .init()) -> Result<WiegandFrame, WiegandRejection>? {
    var decoder = WiegandDecoder(timing: timing)
    for (line, time) in pulses { #expect(decoder.pulse(on: line, at: time) == nil) }
    guard let deadline = decoder.nextDeadline else { return nil }
    #expect(decoder.advance(to: deadline + .nanoseconds(-1)) == nil)
    return decoder.advance(to: deadline)
}

private func bits(_ text: String) -> [Bool] { text.compactMap { $0 == "1" ? true : $0 == "0" ? false : nil } }

@Suite("Wiegand decoding")
struct WiegandTests {
    // Facility 0x12 (18), card 0x3456 (13398). Parity computed by hand:
    // first 12 data bits 0001 0010 0011 -> four ones -> even parity bit 0;
    // last 12 data bits 0100 0101 0110 -> five ones -> odd parity bit 0.
    let card26 = bits("0 00010010 00110100 01010110 0")

    @Test("a valid Wiegand 26 frame decodes to facility and card number")
    func valid26() throws {
        let frame = try #require(decodeFrame(pulses(card26))).get()
        #expect(frame == .wiegand26(facility: 0x12, card: 0x3456))
        #expect(frame.idTag.value == "123456")
    }

    @Test("a valid Wiegand 34 frame decodes its 32 data bits")
    func valid34() throws {
        // 0xDEADBEEF: first 16 bits DEAD have 11 ones -> even parity 1; BEEF has 13 ones -> odd parity 0.
        let frameBits = bits("1 1101111010101101 1011111011101111 0")
        let frame = try #require(decodeFrame(pulses(frameBits))).get()
        #expect(frame == .wiegand34(data: 0xDEAD_BEEF))
        #expect(frame.idTag.value == "DEADBEEF")
    }

    @Test("encode produces the frames decode accepts", arguments: [
        WiegandFrame.wiegand26(facility: 0, card: 1), .wiegand26(facility: 255, card: 65535),
        .wiegand34(data: 0), .wiegand34(data: 0x0102_0304),
    ])
    func roundTrip(frame: WiegandFrame) {
        #expect(WiegandDecoder.decode(bits: WiegandDecoder.encode(frame)) == .success(frame))
    }

    @Test("the encoder agrees with the hand-computed parity")
    func encoderMatchesHandFrame() {
        #expect(WiegandDecoder.encode(.wiegand26(facility: 0x12, card: 0x3456)) == card26)
    }

    @Test("a flipped leading parity bit is rejected")
    func leadingParity() {
        var corrupted = card26
        corrupted[0].toggle()
        #expect(decodeFrame(pulses(corrupted)) == .failure(.parityMismatch(.leadingEven)))
    }

    @Test("a flipped data bit in the second half breaks the trailing parity")
    func trailingParity() {
        var corrupted = card26
        corrupted[20].toggle()
        #expect(decodeFrame(pulses(corrupted)) == .failure(.parityMismatch(.trailingOdd)))
    }

    @Test("frames of other lengths are rejected with the bit count", arguments: [1, 25, 27, 33, 35])
    func bitCount(count: Int) {
        let frameBits = Array(repeating: false, count: count)
        #expect(decodeFrame(pulses(frameBits)) == .failure(.unsupportedBitCount(count)))
    }

    @Test("a lost bit splits nothing and is reported as a short frame")
    func lostBit() {
        var short = pulses(card26)
        short.remove(at: 10)
        #expect(decodeFrame(short) == .failure(.unsupportedBitCount(25)))
    }

    @Test("pulses on D0 and D1 at once are a wiring fault")
    func simultaneous() {
        var frame = pulses(card26)
        frame[5].1 = frame[4].1 + .microseconds(20)
        frame[5].0 = frame[4].0 == .d0 ? .d1 : .d0
        #expect(decodeFrame(frame) == .failure(.simultaneousPulses(bitIndex: 5)))
    }

    @Test("pulses on one line closer than a reader sends them are noise")
    func tooClose() {
        // Bits 1 and 2 are both 0 (D0); squeeze them 50 µs apart.
        var frame = pulses(card26)
        frame[2].1 = frame[1].1 + .microseconds(50)
        #expect(decodeFrame(frame) == .failure(.bitsTooClose(bitIndex: 2, interval: .microseconds(50))))
    }

    @Test("a gap longer than the frame gap ends the first frame and starts another")
    func twoFrames() {
        var decoder = WiegandDecoder()
        for (line, time) in pulses(card26) { _ = decoder.pulse(on: line, at: time) }
        let second = pulses(WiegandDecoder.encode(.wiegand26(facility: 1, card: 2)), from: 200_000)
        let finished = decoder.pulse(on: second[0].0, at: second[0].1)
        #expect(finished == .success(.wiegand26(facility: 0x12, card: 0x3456)))
        for (line, time) in second.dropFirst() { #expect(decoder.pulse(on: line, at: time) == nil) }
        #expect(decoder.advance(to: decoder.nextDeadline!) == .success(.wiegand26(facility: 1, card: 2)))
    }

    @Test("pulses delivered out of order across the two lines are put back in time order")
    func outOfOrderDelivery() {
        let ordered = pulses(card26)
        // Each line's queue is drained separately: all D0 pulses arrive, then all D1 pulses.
        let shuffled = ordered.filter { $0.0 == .d0 } + ordered.filter { $0.0 == .d1 }
        #expect(decodeFrame(shuffled) == .success(.wiegand26(facility: 0x12, card: 0x3456)))
    }
}
