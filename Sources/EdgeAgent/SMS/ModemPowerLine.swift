import Foundation
import LockerIO
import Logging

/// The GPIO output that powers a GSM modem (`sms.transports[].powerLine`): held active (powered) from the
/// start, and switched inactive for `offSeconds` when the modem supervisor power-cycles a modem that stopped
/// answering. Active means powered; use the board's `activeLow` when the hardware switches the other way.
public actor ModemPowerLine {
    private let line: any GPIOOutputLine
    private let offTime: Duration
    private let logger: Logger

    /// Requests the line (powered).
    public init(backend: any GPIOBackend, line config: LineConfig, offTime: Duration, logger: Logger) async throws(GPIOError) {
        self.line = try await backend.requestOutput(config, initial: .active, consumer: "edge-agent modem power")
        self.offTime = offTime
        self.logger = logger
    }

    /// Power off, wait, power on.
    public func cycle() async {
        do {
            try await line.set(.inactive)
            try? await Task.sleep(for: offTime)
            try await line.set(.active)
            logger.notice("GSM modem power-cycled")
        } catch {
            logger.error("GSM modem power line could not be switched", metadata: ["error": "\(error)"])
        }
    }

    public func release() async { await line.release() }
}
