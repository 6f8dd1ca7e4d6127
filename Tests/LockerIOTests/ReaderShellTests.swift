import Foundation
import Testing
@testable import LockerIO

#if canImport(Glibc)
import Glibc
#endif

/// The thin shells around the pure decoders, on real file descriptors: a pseudo-terminal for the
/// serial reader, a FIFO carrying kernel-layout events for the input device, simulated GPIO for Wiegand.
@Suite("Reader shells")
struct ReaderShellTests {
    @Test("a serial reader on a pseudo-terminal emits cards with its reader id")
    func serialReaderOnPTY() async throws {
        // /dev/ptmx by hand: Glibc's module map does not export posix_openpt.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try #require(master >= 0)
        defer { close(master) }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        try #require(ioctl(master, UInt(0x4004_5431), &unlock) == 0)  // TIOCSPTLCK
        try #require(ioctl(master, UInt(0x8004_5430), &number) == 0)  // TIOCGPTN
        let slavePath = "/dev/pts/\(number)"
        let reader = DeviceReader.serialCardReader(id: "door-A1", path: slavePath, settings: .init(baudRate: 9600), format: .hex)
        try await reader.start()
        let line = Array("04A1B2C3\r\n".utf8)
        #expect(write(master, line, line.count) == line.count)
        let event = try await first(reader.events) { (_: ReaderEvent) in true }
        #expect(event.readerID == "door-A1")
        #expect(event.kind == .cardPresented(IdTag(cardNumber: [0x04, 0xA1, 0xB2, 0xC3])!))
        await reader.stop()
    }

    @Test("an input-device card reader reads kernel-layout events")
    func inputDeviceReaderOnFIFO() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lockerio-\(UUID().uuidString)").path
        try #require(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let reader = DeviceReader.inputDeviceCardReader(id: "kiosk", path: path, format: .decimal, grab: false)
        try await reader.start()
        let writer = open(path, O_WRONLY)
        try #require(writer >= 0)
        defer { close(writer) }
        // "42" Enter, as key-down events in the native layout.
        let bytes = [UInt16(5), 3, 28].flatMap {
            kernelEvent(.native, seconds: 1_700_000_000, micros: 0, type: 1, code: $0, value: 1)
        }
        #expect(write(writer, bytes, bytes.count) == bytes.count)
        let event = try await first(reader.events) { (_: ReaderEvent) in true }
        #expect(event.kind == .cardPresented(IdTag(cardNumber: [42])!))
        await reader.stop()
    }

    @Test("a missing reader device and a non-terminal give actionable errors")
    func openErrors() async {
        let missing = DeviceReader.serialCardReader(id: "r", path: "/dev/ttyUSB97")
        await #expect(throws: ReaderError.deviceMissing(path: "/dev/ttyUSB97")) { try await missing.start() }
        let notTTY = DeviceReader.serialCardReader(id: "r", path: "/dev/null")
        await #expect(throws: ReaderError.notATerminal(path: "/dev/null")) { try await notTTY.start() }
        let badBaud = DeviceReader.serialCardReader(id: "r", path: "/dev/null", settings: .init(baudRate: 12345))
        await #expect(throws: ReaderError.unsupportedBaudRate(12345)) { try await badBaud.start() }
    }

    @Test("a Wiegand reader on simulated GPIO decodes a frame from line edges")
    func wiegandOnSimulatedGPIO() async throws {
        let gpio = SimulatedGPIO()
        // D0/D1 idle high; configured active-low so a low pulse is an active edge.
        try await gpio.setInput(chip: "gpiochip0", line: .offset(23), level: .high)
        try await gpio.setInput(chip: "gpiochip0", line: .offset(24), level: .high)
        let reader = WiegandReader(
            id: "gate", d0: LineConfig(address: .init(chip: "gpiochip0", offset: 23), activeLow: true),
            d1: LineConfig(address: .init(chip: "gpiochip0", offset: 24), activeLow: true), gpio: gpio,
            timing: .init(frameGap: .milliseconds(50), minimumBitInterval: .zero))
        try await reader.start()
        for bit in WiegandDecoder.encode(.wiegand26(facility: 0x12, card: 0x3456)) {
            let offset: UInt32 = bit ? 24 : 23
            try await gpio.setInput(chip: "gpiochip0", line: .offset(offset), level: .low)
            try await gpio.setInput(chip: "gpiochip0", line: .offset(offset), level: .high)
        }
        let event = try await first(reader.events) { (_: ReaderEvent) in true }
        #expect(event.kind == .cardPresented(IdTag(cardNumber: [0x12, 0x34, 0x56])!))
        await reader.stop()
        #expect(await gpio.snapshot().allSatisfy { $0.direction == nil })
    }
}
