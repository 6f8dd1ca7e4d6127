import Foundation
import Logging

/// Polls one device at its own interval and publishes readings and staleness.
public actor DevicePoller {
    public struct Settings: Sendable, Hashable {
        public var interval: Duration
        /// How long reads may keep failing before the device is declared stale.
        public var staleAfter: Duration
        public init(interval: Duration = .seconds(5), staleAfter: Duration = .seconds(30)) {
            self.interval = interval
            self.staleAfter = staleAfter
        }
    }

    public nonisolated let device: MeterDevice
    public nonisolated let settings: Settings
    private let clock: any MeterClock
    private let logger: Logger
    /// Told about every failed read (the daemon counts them per device for its metrics).
    private let onReadFailure: (@Sendable (MeterError) -> Void)?
    private var subscribers: [UUID: AsyncStream<MeterUpdate>.Continuation] = [:]
    private var task: Task<Void, Never>?
    /// The most recent update: a reading, or `.stale` once the device went silent.
    public private(set) var latest: MeterUpdate?

    public init(device: MeterDevice, settings: Settings, clock: any MeterClock = SystemMeterClock(),
                logger: Logger = Logger(label: "meterbus.poller"),
                onReadFailure: (@Sendable (MeterError) -> Void)? = nil) {
        self.onReadFailure = onReadFailure
        self.device = device
        self.settings = settings
        self.clock = clock
        var logger = logger
        logger[metadataKey: "device"] = "\(device.id)"
        self.logger = logger
    }

    /// A new stream of updates for one consumer. Ends when the poller stops.
    public func updates() -> AsyncStream<MeterUpdate> {
        let (stream, continuation) = AsyncStream.makeStream(of: MeterUpdate.self, bufferingPolicy: .bufferingNewest(16))
        let key = UUID()
        subscribers[key] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(key) }
        }
        return stream
    }

    /// Starts polling in the background (idempotent).
    public func start() {
        guard task == nil else { return }
        task = Task { await self.run() }
    }

    /// Stops polling and finishes every stream.
    public func stop() async {
        task?.cancel()
        await task?.value
        task = nil
    }

    /// Polls until cancelled; usable directly from a service's `run()`.
    public func run() async {
        var tracker = StalenessTracker(device: device.id, staleAfter: settings.staleAfter.timeInterval, startedAt: clock.now())
        while !Task.isCancelled {
            let started = clock.now()
            do {
                let reading = try await device.read()
                if tracker.recordSuccess(at: reading.time) == .recovered {
                    logger.info("device answers again")
                }
                publish(.reading(reading))
            } catch {
                onReadFailure?(error)
                if case let .becameStale(notice) = tracker.recordFailure(at: clock.now(), error: error.description) {
                    logger.warning("device stale", metadata: ["error": "\(error)"])
                    // It may have been swapped or reconfigured while silent: probe again later.
                    await device.invalidate()
                    publish(.stale(notice))
                } else {
                    logger.debug("read failed", metadata: ["error": "\(error)"])
                }
            }
            let elapsed = clock.now().timeIntervalSince(started)
            let remaining = settings.interval.timeInterval - elapsed
            do {
                try await clock.sleep(for: .milliseconds(max(0, Int(remaining * 1000))))
            } catch {
                break
            }
        }
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    private func publish(_ update: MeterUpdate) {
        latest = update
        for continuation in subscribers.values { continuation.yield(update) }
    }

    private func unsubscribe(_ key: UUID) {
        subscribers[key] = nil
    }
}
