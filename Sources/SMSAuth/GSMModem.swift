import Foundation
import Logging

/// What a probe of the modem found.
public struct ModemHealth: Sendable, Equatable {
    /// 0...31 (+CSQ), nil when unknown.
    public var signalRSSI: Int?
    public var registration: RegistrationStatus?

    public init(signalRSSI: Int? = nil, registration: RegistrationStatus? = nil) {
        self.signalRSSI = signalRSSI
        self.registration = registration
    }
}

/// SMS over an AT-command GSM modem in PDU mode: the thin shell around `ModemSession`,
/// `ModemInitializer`, the PDU codecs and the reassembler. The same code drives a modem on
/// a serial port and the simulated modem on a pseudo-terminal; only the transport differs.
public actor GSMModem: SMSTransport {
    public struct Configuration: Sendable {
        public var simPIN: String?
        /// Time for an ordinary command to end with OK or an error.
        public var commandTimeout: Duration
        /// Time for AT+CMGS: the network round trip can take a while.
        public var sendTimeout: Duration
        public var validityPeriod: UInt8

        public init(simPIN: String? = nil, commandTimeout: Duration = .seconds(10), sendTimeout: Duration = .seconds(60), validityPeriod: UInt8 = 0xA7) {
            self.simPIN = simPIN
            self.commandTimeout = commandTimeout
            self.sendTimeout = sendTimeout
            self.validityPeriod = validityPeriod
        }
    }

    public enum ModemError: Error, Sendable, Equatable, CustomStringConvertible {
        case initialization(ModemInitError)
        case command(String, ATFailure)
        case closed

        public var description: String {
            switch self {
            case .initialization(let error): "GSM modem start-up failed: \(error)"
            case .command(let command, let failure): "\(command) failed: \(failure)"
            case .closed: "GSM modem port closed"
            }
        }
    }

    private let transport: any ModemTransport
    private let configuration: Configuration
    private let logger: Logger
    private var session = ModemSession()
    private var splitter = ATLineSplitter()
    private var assembler = ConcatenatedSMSAssembler()
    private var waiting: [CheckedContinuation<ATResult, Never>] = []
    private var completedCount = 0
    private var armedIndex = -1
    private var concatenationReference: UInt8 = 0
    private var closed = false
    private var readiness: Result<Void, ModemError>?
    private var readinessWaiters: [CheckedContinuation<Result<Void, ModemError>, Never>] = []
    private let incomingContinuation: AsyncStream<IncomingSMS>.Continuation
    public nonisolated let incoming: AsyncStream<IncomingSMS>
    /// Writes go through one stream so they reach the port in order.
    private let outbound: AsyncStream<[UInt8]>
    private let outboundContinuation: AsyncStream<[UInt8]>.Continuation

    public init(transport: any ModemTransport, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "edge-agent.sms.modem")) {
        self.transport = transport
        self.configuration = configuration
        self.logger = logger
        (incoming, incomingContinuation) = AsyncStream.makeStream(of: IncomingSMS.self)
        (outbound, outboundContinuation) = AsyncStream.makeStream(of: [UInt8].self)
    }

    /// Reads from the modem, runs the start-up sequence, picks up messages stored while we
    /// were away, then serves until the port closes. Throws when start-up fails, and
    /// `ModemError.closed` when the port closes; use a new `GSMModem` for the reopened port.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.writeLoop() }
            group.addTask { await self.readLoop() }
            do throws(ModemError) {
                try await initialize()
            } catch {
                setReadiness(.failure(error))
                outboundContinuation.finish()
                group.cancelAll()
                throw error
            }
            setReadiness(.success(()))
            logger.info("GSM modem ready")
            do {
                try await readStoredMessages()
            } catch {
                logger.warning("could not list SMS stored on the SIM", metadata: ["error": "\(error)"])
            }
            try await group.waitForAll()
        }
        throw ModemError.closed
    }

    /// Returns once start-up has finished; throws when it failed.
    public func waitUntilReady() async throws(ModemError) {
        let result: Result<Void, ModemError>
        if let readiness {
            result = readiness
        } else {
            result = await withCheckedContinuation { readinessWaiters.append($0) }
        }
        try result.get()
    }

    private func setReadiness(_ result: Result<Void, ModemError>) {
        guard readiness == nil else { return }
        readiness = result
        for waiter in readinessWaiters { waiter.resume(returning: result) }
        readinessWaiters.removeAll()
    }

    /// Sends `text`, split into as many parts as needed. Waits for start-up to finish.
    public func send(_ text: String, to recipient: E164Number) async throws {
        try await waitUntilReady()
        concatenationReference &+= 1
        let encoder = SMSSubmitEncoder(validityPeriod: configuration.validityPeriod)
        let pdus = try encoder.encode(text: text, to: .international(digits: recipient.digits), reference: concatenationReference)
        for pdu in pdus {
            _ = try await execute(.send(pdu))
        }
        logger.info("SMS sent", metadata: ["parts": "\(pdus.count)"])
    }

    /// Signal quality and registration; throws when the modem does not answer (the
    /// supervisor's sign to reopen the port and start over).
    public func probe() async throws(ModemError) -> ModemHealth {
        var health = ModemHealth()
        for line in try await execute(.signalQuality) {
            if case .signalQuality(let rssi, _) = line { health.signalRSSI = rssi == 99 ? nil : rssi }
        }
        for line in try await execute(.registration) {
            if case .registration(_, let status) = line { health.registration = status }
        }
        return health
    }

    // MARK: - Commands

    private func perform(_ command: ATCommand) async -> ATResult {
        guard !closed else { return .failed(.cancelled) }
        return await withCheckedContinuation { continuation in
            waiting.append(continuation)
            handle(session.enqueue(command))
        }
    }

    private func execute(_ command: ATCommand) async throws(ModemError) -> [ATLine] {
        guard !closed else { throw .closed }
        switch await perform(command) {
        case .ok(let lines): return lines
        case .failed(let failure):
            logger.warning("modem command failed", metadata: ["command": "\(command)", "failure": "\(failure)"])
            throw .command(command.description, failure)
        }
    }

    private func initialize() async throws(ModemError) {
        var initializer = ModemInitializer(simPIN: configuration.simPIN)
        var last: ATResult?
        while true {
            switch initializer.next(after: last) {
            case .ready: return
            case .failed(let error):
                logger.error("GSM modem start-up failed", metadata: ["reason": "\(error)"])
                throw .initialization(error)
            case .send(let command):
                last = await perform(command)
            }
        }
    }

    private func readStoredMessages() async throws(ModemError) {
        let entries = ATMessageListing.entries(try await execute(.listAllMessages))
        for entry in entries {
            guard let index = entry.index else { continue }
            await deliver(pduHex: entry.pduHex, storageIndex: index)
        }
    }

    private func readNewMessage(index: Int) async {
        do {
            let entries = ATMessageListing.entries(try await execute(.readMessage(index: index)))
            for entry in entries { await deliver(pduHex: entry.pduHex, storageIndex: index) }
        } catch {
            logger.warning("could not read new SMS", metadata: ["index": "\(index)", "error": "\(error)"])
        }
    }

    /// Decodes, reassembles and yields; deletes the stored copy either way, so a PDU we
    /// cannot read does not fill the SIM.
    private func deliver(pduHex: String, storageIndex: Int) async {
        do {
            let part = try SMSDeliver.decode(hex: pduHex)
            let now = Date()
            _ = assembler.expire(at: now)
            if let message = assembler.add(part, at: now) { incomingContinuation.yield(message) }
        } catch {
            logger.warning("unreadable SMS PDU dropped", metadata: ["index": "\(storageIndex)", "error": "\(error)"])
        }
        do {
            _ = try await execute(.deleteMessage(index: storageIndex))
        } catch {
            logger.warning("could not delete SMS from SIM", metadata: ["index": "\(storageIndex)", "error": "\(error)"])
        }
    }

    // MARK: - Bytes and lines

    private func readLoop() async {
        for await bytes in transport.incoming {
            for line in splitter.feed(bytes) { handle(session.receive(line: line)) }
        }
        closed = true
        logger.error("GSM modem port closed")
        handle(session.reset())
        setReadiness(.failure(.closed))
        incomingContinuation.finish()
        outboundContinuation.finish()
    }

    private func writeLoop() async {
        for await bytes in outbound {
            do { try await transport.write(bytes) } catch {
                logger.error("write to GSM modem failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func handle(_ outputs: [ModemSession.Output]) {
        for output in outputs {
            switch output {
            case .write(let bytes):
                outboundContinuation.yield(bytes)
            case .completed(_, let result):
                completedCount += 1
                if !waiting.isEmpty { waiting.removeFirst().resume(returning: result) }
            case .unsolicited(let line):
                handleUnsolicited(line)
            }
        }
        armTimeoutIfNeeded()
    }

    private func handleUnsolicited(_ line: ATLine) {
        switch line {
        case .newMessage(_, let index):
            Task { await self.readNewMessage(index: index) }
        case .registration(_, let status):
            logger.notice("GSM registration changed", metadata: ["status": "\(status)"])
        default:
            logger.debug("unsolicited modem line", metadata: ["line": "\(line)"])
        }
    }

    /// One timer per command in flight; a stale timer finds another command and does nothing.
    private func armTimeoutIfNeeded() {
        guard let command = session.pendingCommand, armedIndex != completedCount else { return }
        armedIndex = completedCount
        let index = completedCount
        let timeout = command.pduAfterPrompt == nil ? configuration.commandTimeout : configuration.sendTimeout
        Task {
            try? await Task.sleep(for: timeout)
            self.timeoutFired(index: index)
        }
    }

    private func timeoutFired(index: Int) {
        guard index == completedCount, session.pendingCommand != nil else { return }
        handle(session.timeout())
    }
}
