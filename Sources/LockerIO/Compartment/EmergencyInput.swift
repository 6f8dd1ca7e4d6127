import Logging

/// The optional emergency input (a fire-alarm contact, `active` = alarm). While it is active
/// every attached compartment is unlocked and its relay is off; each compartment reports
/// `emergencyUnlocked` / `emergencyCleared` on its own event stream.
public actor EmergencyInput {
    public nonisolated let line: LineConfig
    private let gpio: any GPIOBackend
    private let clock: any MonotonicClock
    private let debounce: Duration
    private let logger: Logger
    private var input: DebouncedInput?
    private var compartments: [CompartmentHardware] = []
    private var watchTask: Task<Void, Never>?
    private var subscribers: [UInt64: AsyncStream<Bool>.Continuation] = [:]
    private var nextSubscriber: UInt64 = 0
    public private(set) var isActive = false

    public init(line: LineConfig, gpio: any GPIOBackend, debounce: Duration = Debouncer.defaultSettleTime,
                clock: any MonotonicClock = SystemMonotonicClock(), logger: Logger = Logger(label: "lockerio.emergency")) {
        self.line = line
        self.gpio = gpio
        self.debounce = debounce
        self.clock = clock
        self.logger = logger
    }

    /// Requests the line and reads it; if the alarm is already active, the attached
    /// compartments are put into emergency at once. Call after the compartments have started.
    public func start(driving compartments: [CompartmentHardware]) async throws(GPIOError) {
        guard input == nil else { return }
        self.compartments = compartments
        let line = try await gpio.requestInput(self.line, consumer: "edge-agent:emergency")
        let input: DebouncedInput
        do {
            input = try await DebouncedInput(line: line, settleTime: debounce, clock: clock)
        } catch {
            await line.release()
            throw error
        }
        self.input = input
        if input.initial.isActive { await changed(to: true) }
        let changes = input.changes
        watchTask = Task { [weak self] in
            for await change in changes { await self?.changed(to: change.level.isActive) }
        }
        await input.startWatching()
    }

    public func stop() async {
        watchTask?.cancel()
        await input?.stop()
        input = nil
        subscribers.values.forEach { $0.finish() }
        subscribers = [:]
    }

    /// The current state, then every change.
    public func changes() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(16))
        continuation.yield(isActive)
        nextSubscriber += 1
        subscribers[nextSubscriber] = continuation
        return stream
    }

    private func changed(to active: Bool) async {
        guard active != isActive else { return }
        isActive = active
        if active {
            logger.critical("emergency input active: unlocking every compartment, relays off",
                            metadata: ["line": "\(line.address)"])
        } else {
            logger.notice("emergency input cleared", metadata: ["line": "\(line.address)"])
        }
        for compartment in compartments { await compartment.setEmergency(active: active) }
        subscribers.values.forEach { $0.yield(active) }
    }
}
