import Foundation
@testable import MeterBus

/// Runs helper processes (pymodbus, socat) for interoperability tests and stops them.
final class ExternalProcess: @unchecked Sendable {
    // Safety: set up once in init, then only `terminate()` touches the process; the captured
    // standard error is behind its own lock.
    private let process = Process()
    private var scratchFile: URL?
    private let errorText = Locked("")

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
        // Standard error is kept (and drained, so the process never blocks on a full pipe):
        // socat reports its pty paths there, and a failing peer script says why.
        let pipe = Pipe()
        process.standardError = pipe
        let errorText = errorText
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
            } else {
                errorText.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }
        try process.run()
    }

    /// Everything the process wrote to standard error so far.
    var standardError: String { errorText.withLock { $0 } }
    var isRunning: Bool { process.isRunning }

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

struct PtyPairError: Error, CustomStringConvertible {
    let description: String
}

/// A socat pseudo-terminal pair: what one end writes, the other reads (an RS-485 line stand-in).
/// The two pty paths come from socat's own report (`-d -d`: "N PTY is /dev/pts/X").
final class PtyPair: @unchecked Sendable {
    // Safety: immutable after init.
    let process: ExternalProcess
    /// The end our MeterBus client opens.
    let client: String
    /// The end the served device (simulator or peer) opens.
    let device: String

    init() async throws {
        process = try ExternalProcess("/usr/bin/socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"])
        var paths: [String] = []
        // Generous deadline: the machine may be busy; socat normally reports within milliseconds.
        for _ in 0..<300 {
            paths = Self.ptyPaths(in: process.standardError)
            if paths.count == 2 || !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard paths.count == 2 else {
            process.terminate()
            throw PtyPairError(description: "socat did not report two ptys; its output: \(process.standardError)")
        }
        client = paths[0]
        device = paths[1]
    }

    /// Paths from socat's "PTY is /dev/pts/N" notices, in order.
    static func ptyPaths(in log: String) -> [String] {
        // Only whole lines: a notice may arrive in two pieces.
        let complete = log.lastIndex(of: "\n").map { log[..<$0] } ?? ""
        return complete.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "PTY is ") else { return nil }
            return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
    }

    func close() {
        process.terminate()
    }
}

enum PeerScripts {
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
