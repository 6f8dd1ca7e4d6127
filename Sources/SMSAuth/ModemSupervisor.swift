import Foundation
import Logging

/// Keeps a GSM modem on a serial port working: opens the port, runs `GSMModem` on it, probes
/// it now and then (AT+CSQ, AT+CREG?), and when the modem stops answering or the port goes
/// away, closes the port, optionally power-cycles the modem, and starts over: reopen,
/// re-initialize, pick up the texts stored meanwhile. Sending waits for a working modem.
public actor ModemSupervisor: SMSTransport {
    public struct Settings: Sendable {
        public var device: String
        public var baud: Int
        public var modem: GSMModem.Configuration
        /// Time between probes of a working modem.
        public var probeInterval: Duration
        /// Pause before the port is opened again after a failure.
        public var reopenDelay: Duration
        /// How long `send` waits for a working modem before it gives up.
        public var sendWait: Duration

        public init(device: String, baud: Int = 115_200, modem: GSMModem.Configuration = .init(),
                    probeInterval: Duration = .seconds(30), reopenDelay: Duration = .seconds(5), sendWait: Duration = .seconds(60)) {
            self.device = device
            self.baud = baud
            self.modem = modem
            self.probeInterval = probeInterval
            self.reopenDelay = reopenDelay
            self.sendWait = sendWait
        }
    }

    public enum State: String, Sendable, Codable {
        case starting, ready, recovering
    }

    public struct Status: Sendable, Equatable, Codable {
        public var device: String
        public var state: State
        public var signalRSSI: Int?
        /// notRegistered, registeredHome, searching, denied, unknown, registeredRoaming.
        public var registration: String?
        /// Times the modem was started over after a failure.
        public var recoveries: Int
        public var lastError: String?
        public var since: Date
    }

    /// A failure of the modem (for operator alerts): what went wrong, in words.
    public nonisolated let failures: AsyncStream<String>
    private let failureContinuation: AsyncStream<String>.Continuation
    public nonisolated let incoming: AsyncStream<IncomingSMS>
    private let incomingContinuation: AsyncStream<IncomingSMS>.Continuation
    private let settings: Settings
    private let powerCycle: (@Sendable () async -> Void)?
    private let logger: Logger
    private var current: GSMModem?
    private var status: Status

    /// `powerCycle` switches the modem off and on (a GPIO line on the board), run before a reopen.
    public init(settings: Settings, powerCycle: (@Sendable () async -> Void)? = nil,
                logger: Logger = Logger(label: "edge-agent.sms.modem")) {
        self.settings = settings
        self.powerCycle = powerCycle
        self.logger = logger
        status = Status(device: settings.device, state: .starting, recoveries: 0, since: Date())
        (incoming, incomingContinuation) = AsyncStream.makeStream(of: IncomingSMS.self)
        (failures, failureContinuation) = AsyncStream.makeStream(of: String.self)
    }

    public func currentStatus() -> Status { status }

    /// Runs until cancelled.
    public func run() async {
        var attempt = 0
        while !Task.isCancelled {
            if attempt > 0 {
                status.recoveries += 1
                if let powerCycle {
                    logger.notice("power-cycling the GSM modem")
                    await powerCycle()
                }
                try? await Task.sleep(for: settings.reopenDelay)
                if Task.isCancelled { break }
            }
            attempt += 1
            await serveOnce()
        }
        incomingContinuation.finish()
        failureContinuation.finish()
    }

    /// One life of the port: open, initialize, serve and probe until something fails.
    private func serveOnce() async {
        let port: SerialModemPort
        do {
            port = try SerialModemPort(path: settings.device, baud: settings.baud)
        } catch {
            fail("\(error)")
            return
        }
        let modem = GSMModem(transport: port, configuration: settings.modem, logger: logger)
        let running = Task { try await modem.run() }
        let forwarding = Task { [incomingContinuation] in
            for await message in modem.incoming { incomingContinuation.yield(message) }
        }
        defer {
            current = nil
            port.close()
            running.cancel()
            forwarding.cancel()
        }
        do {
            try await modem.waitUntilReady()
        } catch {
            fail("\(error)")
            return
        }
        current = modem
        setState(.ready, error: nil)
        logger.notice("GSM modem ready", metadata: ["device": "\(settings.device)"])
        while !Task.isCancelled {
            do {
                let health = try await modem.probe()
                status.signalRSSI = health.signalRSSI
                status.registration = health.registration.map { "\($0)" }
            } catch {
                fail("the modem stopped answering: \(error)")
                return
            }
            try? await Task.sleep(for: settings.probeInterval)
        }
    }

    private func fail(_ detail: String) {
        let wasReady = status.state == .ready
        setState(.recovering, error: detail)
        logger.error("GSM modem failed; the port is opened again", metadata: ["device": "\(settings.device)", "error": "\(detail)"])
        if wasReady || status.recoveries == 0 { failureContinuation.yield(detail) }
    }

    private func setState(_ state: State, error: String?) {
        if status.state != state { status.since = Date() }
        status.state = state
        status.lastError = error ?? status.lastError
    }

    /// Sends through the working modem, waiting up to `sendWait` for one.
    public func send(_ text: String, to recipient: E164Number) async throws {
        let deadline = ContinuousClock.now + settings.sendWait
        while current == nil {
            guard ContinuousClock.now < deadline else { throw ModemSupervisorError.notReady(device: settings.device, lastError: status.lastError) }
            try await Task.sleep(for: .milliseconds(200))
        }
        guard let modem = current else { throw ModemSupervisorError.notReady(device: settings.device, lastError: status.lastError) }
        try await modem.send(text, to: recipient)
    }
}

public enum ModemSupervisorError: Error, Sendable, CustomStringConvertible {
    case notReady(device: String, lastError: String?)

    public var description: String {
        switch self {
        case let .notReady(device, lastError):
            "the GSM modem on \(device) is not working\(lastError.map { " (\($0))" } ?? ""); the text was not sent"
        }
    }
}
