import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The simulated GSM modem on a pseudo-terminal: `SimulatedModemEngine` behind a file
/// descriptor. Either it makes its own pseudo-terminal pair (the daemon's simulated site: the
/// daemon's serial transport opens `devicePath`), or it serves one end of a pair someone else
/// made (`edge-agent simulate-modem --link A` with `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B`).
public actor SimulatedModem {
    public struct Status: Sendable, Equatable, Codable {
        public var answering: Bool
        public var storedMessages: Int
        public var sentMessages: Int
        /// The path a modem client opens.
        public var devicePath: String
    }

    private var engine: SimulatedModemEngine
    private let fd: Int32
    /// The path the client side opens.
    public nonisolated let devicePath: String
    private let reader: FileDescriptorReader
    private let logger: Logger
    private var task: Task<Void, Never>?

    /// Creates a pseudo-terminal pair; the modem serves the master, clients open `devicePath`.
    public init(simPIN: String? = nil, logger: Logger = Logger(label: "edge-agent.sms.simulated-modem")) throws(SerialPortError) {
        let (master, slavePath) = try openPseudoTerminal()
        self.fd = master
        self.devicePath = slavePath
        self.engine = SimulatedModemEngine(simPIN: simPIN)
        self.logger = logger
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        reader = FileDescriptorReader(fd: master, toleratesHangup: true)
    }

    /// Serves an existing terminal device (one end of a socat pair); clients open the other end.
    public init(serving path: String, simPIN: String? = nil, logger: Logger = Logger(label: "edge-agent.sms.simulated-modem")) throws(SerialPortError) {
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw .open(path: path, reason: SerialPortError.errnoText()) }
        var settings = termios()
        if tcgetattr(fd, &settings) == 0 {
            cfmakeraw(&settings)
            _ = tcsetattr(fd, TCSANOW, &settings)
        }
        self.fd = fd
        self.devicePath = path
        self.engine = SimulatedModemEngine(simPIN: simPIN)
        self.logger = logger
        reader = FileDescriptorReader(fd: fd, toleratesHangup: true)
    }

    /// Starts answering on the terminal.
    public func start() {
        guard task == nil else { return }
        reader.start(name: "simulated modem")
        let bytes = reader.bytes
        task = Task { [weak self] in
            for await chunk in bytes { await self?.received(chunk) }
        }
        logger.info("simulated GSM modem running", metadata: ["device": "\(devicePath)"])
    }

    public func stop() {
        task?.cancel()
        task = nil
        reader.stop()
        let fd = fd
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { closeDescriptor(fd) }
    }

    private func received(_ chunk: [UInt8]) {
        let answer = engine.receive(chunk, at: Date())
        if !answer.isEmpty { _ = writeAll(fd, answer) }
    }

    /// A phone texts the site: the text is stored on the simulated SIM and announced.
    public func deliver(text: String, from sender: String) throws(PDUError) {
        let announcement = try engine.deliver(text: text, from: sender, at: Date())
        if !announcement.isEmpty { _ = writeAll(fd, announcement) }
    }

    /// What the modem sent, oldest first.
    public func sent() -> [SimulatedModemEngine.SentMessage] { engine.sent }

    /// Makes the modem hang (answer nothing) or answer again.
    public func setAnswering(_ answering: Bool) {
        engine.setAnswering(answering)
        logger.notice("simulated GSM modem \(answering ? "answers again" : "stopped answering")")
    }

    public func status() -> Status {
        Status(answering: engine.answering, storedMessages: engine.storedCount, sentMessages: engine.sent.count, devicePath: devicePath)
    }
}
