import Foundation
import Logging
import Testing

@testable import OCPP
import SeededRandom

// Real peers for the transport tests: a Python WebSocket server (transport_peer.py, on the
// `websockets` package) and a throw-away PKI made with the openssl CLI.

enum TransportTestSetupError: Error, CustomStringConvertible {
    case pythonMissing(String)
    case peerFailed(String)
    case openssl(String)

    var description: String {
        switch self {
        case .pythonMissing(let path):
            return "Python test peer interpreter not found at \(path); run `make test` (it creates .venv with "
                + "websockets and ocpp) or set EDGE_AGENT_PYTHON"
        case .peerFailed(let detail): return "transport_peer.py did not start: \(detail)"
        case .openssl(let detail): return "openssl failed: \(detail)"
        }
    }
}

/// One running transport_peer.py process.
final class PythonPeer: @unchecked Sendable {
    static let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("transport_peer.py").path

    static var pythonPath: String {
        if let override = ProcessInfo.processInfo.environment["EDGE_AGENT_PYTHON"], !override.isEmpty { return override }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repository.appendingPathComponent(".venv/bin/python").path
    }

    let process: Process
    let port: Int
    let arguments: [String]

    private init(process: Process, port: Int, arguments: [String]) {
        self.process = process
        self.port = port
        self.arguments = arguments
    }

    /// Starts the peer; `port` 0 lets the OS choose a free one.
    static func start(identity: String, port: Int = 0, _ options: [String] = []) async throws -> PythonPeer {
        let python = pythonPath
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TransportTestSetupError.pythonMissing(python)
        }
        let arguments = [scriptPath, "--identity", identity, "--port", String(port)] + options
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let line = await readLine(stdout.fileHandleForReading)
        guard let line, line.hasPrefix("LISTENING "), let port = Int(line.dropFirst("LISTENING ".count)) else {
            process.terminate()
            let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw TransportTestSetupError.peerFailed("\(line ?? "no output"); stderr: \(errors)")
        }
        return PythonPeer(process: process, port: port, arguments: arguments)
    }

    /// SIGKILL: the socket vanishes without a WebSocket close, as when the central system crashes.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { kill() }

    /// Reads one line on a plain thread, so a slow peer start never blocks the test's executors.
    private static func readLine(_ handle: FileHandle) async -> String? {
        await withCheckedContinuation { continuation in
            Thread {
                var bytes = [UInt8]()
                while true {
                    let data = handle.readData(ofLength: 1)
                    guard let byte = data.first else { break }
                    if byte == UInt8(ascii: "\n") { break }
                    bytes.append(byte)
                }
                continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
            }.start()
        }
    }
}

/// A CA, a second unrelated CA, server certificates for "localhost" and for another name, and a
/// client certificate, all made by the openssl CLI in a temporary folder.
struct TestPKI: Sendable {
    let directory: String
    var caCertificate: String { directory + "/ca.pem" }
    var otherCACertificate: String { directory + "/other-ca.pem" }
    var serverCertificate: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }
    var wrongNameCertificate: String { directory + "/wrong-name.pem" }
    var wrongNameKey: String { directory + "/wrong-name.key" }
    var clientCertificate: String { directory + "/client.pem" }
    var clientKey: String { directory + "/client.key" }

    static let shared: Result<TestPKI, TransportTestSetupError> = Result { try generate() }
        .mapError { $0 as? TransportTestSetupError ?? .openssl("\($0)") }

    private static func generate() throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ocpp-transport-pki-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pki = TestPKI(directory: directory)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for name in ["ca", "other-ca"] {
            try openssl(["req", "-x509"] + ec + ["-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).pem",
                "-days", "2", "-subj", "/CN=edge-agent test \(name)"])
        }
        let leaves: [(name: String, cn: String, ext: String)] = [
            ("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
            ("wrong-name", "central.example", "subjectAltName=DNS:central.example\nextendedKeyUsage=serverAuth\n"),
            ("client", "CP-TLS-1", "extendedKeyUsage=clientAuth\n"),
        ]
        for leaf in leaves {
            let extFile = "\(directory)/\(leaf.name).ext"
            try ("basicConstraints=CA:FALSE\n" + leaf.ext).write(toFile: extFile, atomically: true, encoding: .utf8)
            try openssl(["req"] + ec + ["-keyout", "\(directory)/\(leaf.name).key", "-out", "\(directory)/\(leaf.name).csr",
                "-subj", "/CN=\(leaf.cn)"])
            try openssl(["x509", "-req", "-in", "\(directory)/\(leaf.name).csr", "-CA", pki.caCertificate,
                "-CAkey", "\(directory)/ca.key", "-CAcreateserial", "-out", "\(directory)/\(leaf.name).pem",
                "-days", "2", "-extfile", extFile])
        }
        return pki
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw TransportTestSetupError.openssl("openssl \(arguments.joined(separator: " ")): \(text)")
        }
    }
}

/// Runs an OCPPConnection for one test and reads its streams.
final class ConnectionHarness: Sendable {
    let connection: OCPPConnection
    private let runTask: Task<Void, Never>
    private let stateReader: StreamReader<OCPPConnectionState>
    private let frameReader: StreamReader<String>

    init(_ configuration: OCPPConnectionConfiguration) {
        var logger = Logger(label: "ocpp-transport-test")
        logger.logLevel = ProcessInfo.processInfo.environment["OCPP_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        let connection = OCPPConnection(
            configuration: configuration, logger: logger, random: SplitMix64(seed: 7))
        self.connection = connection
        stateReader = StreamReader(connection.states)
        frameReader = StreamReader(connection.incomingFrames)
        runTask = Task { await connection.run() }
    }

    /// The next state that matches, skipping others. The time limit only keeps a broken build from hanging.
    func nextState(
        within limit: Duration = .seconds(15), where match: @escaping @Sendable (OCPPConnectionState) -> Bool
    ) async throws -> OCPPConnectionState {
        try await stateReader.next(within: limit, where: match)
    }

    func waitConnected() async throws {
        _ = try await nextState { $0 == .connected }
    }

    /// The reason of the next `.disconnected` state.
    func nextDisconnect() async throws -> OCPPDisconnectReason {
        let state = try await nextState { if case .disconnected = $0 { true } else { false } }
        guard case .disconnected(let reason) = state else { throw CancellationError() }
        return reason
    }

    func nextFrame(within limit: Duration = .seconds(15)) async throws -> String {
        try await frameReader.next(within: limit) { _ in true }
    }

    func stop() async {
        runTask.cancel()
        await runTask.value
    }
}

struct StreamTimeout: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "nothing matching arrived within \(limit)" }
}

/// Drains one AsyncStream in the background so helpers can wait for elements repeatedly
/// (cancelling a waiting `next()` would end an AsyncStream for good).
final class StreamReader<Element: Sendable>: Sendable {
    private let buffer = Buffer()
    private let drain: Task<Void, Never>

    private actor Buffer {
        var elements: [Element] = []
        var finished = false
        func append(_ element: Element) { elements.append(element) }
        func finish() { finished = true }
        func takeFirst(where match: (Element) -> Bool) -> (Element?, finished: Bool) {
            while !elements.isEmpty {
                let element = elements.removeFirst()
                if match(element) { return (element, finished) }
            }
            return (nil, finished)
        }
    }

    init(_ stream: AsyncStream<Element>) {
        let buffer = self.buffer
        drain = Task {
            for await element in stream { await buffer.append(element) }
            await buffer.finish()
        }
    }

    deinit { drain.cancel() }

    /// Skips elements that do not match; throws when nothing matches within `limit`.
    func next(within limit: Duration, where match: @escaping @Sendable (Element) -> Bool) async throws -> Element {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while true {
            let (element, finished) = await buffer.takeFirst(where: match)
            if let element { return element }
            if finished || ContinuousClock.now >= deadline { throw StreamTimeout(limit: limit) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// A loopback TCP port that is bound but never listens: connecting to it is refused, and no other test can
/// take it while it is held.
struct ReservedPort {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TransportTestSetupError.peerFailed("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TransportTestSetupError.peerFailed("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() { close(descriptor) }
}
