import Foundation
@testable import MeterBus

/// Runs helper processes (pymodbus, socat) for interoperability tests and stops them.
final class ExternalProcess: @unchecked Sendable {
    // Safety: set up once in init, then only `terminate()` touches the process.
    private let process = Process()
    private var scratchFile: URL?

    /// The project's Python (`EDGE_AGENT_PYTHON`, as `make test` sets it), else `<repo>/.venv/bin/python`.
    static let python: String = ProcessInfo.processInfo.environment["EDGE_AGENT_PYTHON"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".venv/bin/python").path
    static var hasPython: Bool { FileManager.default.isExecutableFile(atPath: python) }
    static var hasSocat: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/socat") }

    init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Python running `script` (written to a temporary file) with arguments.
    static func python(script: String, arguments: [String]) throws -> ExternalProcess {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meterbus-\(UUID().uuidString).py")
        try script.write(to: path, atomically: true, encoding: .utf8)
        let process = try ExternalProcess(Self.python, [path.path] + arguments)
        process.scratchFile = path
        return process
    }

    func terminate() {
        // SIGKILL: pymodbus's asyncio server does not always stop on SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if let scratchFile { try? FileManager.default.removeItem(at: scratchFile) }
    }

    deinit { terminate() }
}

/// A free loopback TCP port (bound and released; good enough for a test).
func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length)
            return getsockname(fd, pointer, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A socat pseudo-terminal pair: what one end writes, the other reads (an RS-485 line stand-in).
final class PtyPair: @unchecked Sendable {
    let directory: URL
    let process: ExternalProcess
    var client: String { directory.appendingPathComponent("client").path }
    var device: String { directory.appendingPathComponent("device").path }

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meterbus-pty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let client = directory.appendingPathComponent("client").path
        let device = directory.appendingPathComponent("device").path
        process = try ExternalProcess("/usr/bin/socat", [
            "pty,raw,echo=0,link=\(client)", "pty,raw,echo=0,link=\(device)",
        ])
        for _ in 0..<100 where !(FileManager.default.fileExists(atPath: client) && FileManager.default.fileExists(atPath: device)) {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func close() {
        process.terminate()
        try? FileManager.default.removeItem(at: directory)
    }
}

enum PeerScripts {
    /// A pymodbus server whose registers are encoded by Python's struct module, independently
    /// of our codec: SDM630 floats (unit 1), EM24 low-word-first int32 (unit 2), and a SunSpec
    /// chain with models 1 and 103 (unit 3). argv: tcp PORT | rtu DEVICE.
    static let pymodbusServer = #"""
    import struct, sys, logging
    from pymodbus.datastore import ModbusDeviceContext, ModbusServerContext, ModbusSparseDataBlock
    logging.disable(logging.CRITICAL)

    def f32(v): return list(struct.unpack('>HH', struct.pack('>f', v)))
    def i32_low_first(v):
        hi, lo = struct.unpack('>HH', struct.pack('>i', v)); return [lo, hi]
    def u32(v): return list(struct.unpack('>HH', struct.pack('>I', v)))
    def put(regs, addr, words):
        for i, w in enumerate(words): regs[addr + i] = w

    sdm = {a: 0 for a in list(range(0, 0x4C)) + [0x156, 0x157]}
    put(sdm, 0, f32(230.5)); put(sdm, 6, f32(12.25)); put(sdm, 0x34, f32(2825.0)); put(sdm, 0x48, f32(1234.5))
    em = {a: 0 for a in range(0, 0x50)}
    put(em, 0, i32_low_first(2314)); put(em, 0x28, i32_low_first(-15005)); put(em, 0x34, i32_low_first(54321))
    ss = {}
    put(ss, 40000, [0x5375, 0x6E53, 1, 66] + [0] * 66)
    put(ss, 40070, [103, 50] + [0] * 50)
    d = 40072
    put(ss, d + 8, [2299, 0xFFFF, 0xFFFF, 0xFFFF])  # voltages L1..L3 (L2/L3 not implemented), V_SF = -1
    put(ss, d + 12, [456, 1])                       # W = 456 * 10^1
    put(ss, d + 22, u32(987654) + [0])              # WH, WH_SF = 0
    put(ss, d + 50, [0xFFFF, 0])
    ctx = ModbusServerContext(devices={
        1: ModbusDeviceContext(ir=ModbusSparseDataBlock(sdm)),
        2: ModbusDeviceContext(ir=ModbusSparseDataBlock(em)),
        3: ModbusDeviceContext(hr=ModbusSparseDataBlock(ss)),
    }, single=False)
    if sys.argv[1] == "tcp":
        from pymodbus.server import StartTcpServer
        StartTcpServer(context=ctx, address=("127.0.0.1", int(sys.argv[2])))
    else:
        from pymodbus.server import StartSerialServer
        from pymodbus import FramerType
        StartSerialServer(context=ctx, framer=FramerType.RTU, port=sys.argv[2], baudrate=19200, bytesize=8, parity="N", stopbits=1)
    """#

    /// A misbehaving RTU device on a serial port: answers every read with a bad CRC
    /// ("badcrc") or from another unit id ("wrongunit"). argv: DEVICE MODE.
    static let faultyRTUDevice = #"""
    import sys, serial
    def crc16(data):
        crc = 0xFFFF
        for b in data:
            crc ^= b
            for _ in range(8):
                crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        return bytes([crc & 0xFF, crc >> 8])
    port = serial.Serial(sys.argv[1], 9600, timeout=None)
    while True:
        req = port.read(8)
        unit, fn, count = req[0], req[1], req[5]
        if sys.argv[2] == "wrongunit":
            unit = (unit % 247) + 1
        body = bytes([unit, fn, 2 * count]) + bytes(2 * count)
        crc = crc16(body)
        if sys.argv[2] == "badcrc":
            crc = bytes([crc[0] ^ 0xFF, crc[1]])
        port.write(body + crc)
    """#
}
