import Logging

/// Which GPIO lines one compartment uses, and how it behaves.
public struct CompartmentHardwareConfig: Sendable, Hashable {
    /// The compartment's id as the site names it (used in logs and line consumer names).
    public var id: String
    /// The lock actuator output (solenoid or motor/magnet driver).
    public var lockLine: LineConfig
    /// The door sensor input, `active` while the door is closed.
    public var doorLine: LineConfig
    /// The socket relay output, `active` = socket on. Optional for compartments without a socket.
    public var relayLine: LineConfig?
    /// The lock-feedback input, `active` while the bolt is engaged.
    public var lockFeedbackLine: LineConfig?
    /// The indicator LED output.
    public var indicatorLine: LineConfig?
    public var lock: LockActuator
    public var unlockConfirmTimeout: Duration
    public var unlockRetries: Int
    public var relockIfUnopenedAfter: Duration
    public var doorLeftOpenAfter: Duration
    public var relayAllowedWhileOpen: Bool
    /// Settle time for the door and feedback inputs.
    public var debounce: Duration

    public init(
        id: String, lockLine: LineConfig, doorLine: LineConfig, relayLine: LineConfig? = nil,
        lockFeedbackLine: LineConfig? = nil, indicatorLine: LineConfig? = nil,
        lock: LockActuator = .pulse(length: .milliseconds(500)),
        unlockConfirmTimeout: Duration = .seconds(3), unlockRetries: Int = 2,
        relockIfUnopenedAfter: Duration = .seconds(15), doorLeftOpenAfter: Duration = .seconds(120),
        relayAllowedWhileOpen: Bool = false, debounce: Duration = Debouncer.defaultSettleTime
    ) {
        self.id = id
        self.lockLine = lockLine
        self.doorLine = doorLine
        self.relayLine = relayLine
        self.lockFeedbackLine = lockFeedbackLine
        self.indicatorLine = indicatorLine
        self.lock = lock
        self.unlockConfirmTimeout = unlockConfirmTimeout
        self.unlockRetries = unlockRetries
        self.relockIfUnopenedAfter = relockIfUnopenedAfter
        self.doorLeftOpenAfter = doorLeftOpenAfter
        self.relayAllowedWhileOpen = relayAllowedWhileOpen
        self.debounce = debounce
    }

    public var policy: CompartmentPolicy {
        CompartmentPolicy(
            lock: lock, hasLockFeedback: lockFeedbackLine != nil, unlockConfirmTimeout: unlockConfirmTimeout,
            unlockRetries: unlockRetries, relockIfUnopenedAfter: relockIfUnopenedAfter,
            doorLeftOpenAfter: doorLeftOpenAfter, relayAllowedWhileOpen: relayAllowedWhileOpen)
    }
}

/// A compartment event with the time it happened, as delivered to subscribers.
public struct CompartmentEventRecord: Sendable, Hashable {
    public var compartmentID: String
    public var event: CompartmentEvent
    public var at: MonotonicInstant
}

/// One compartment's lock, door sensor, relay and indicator on real (or simulated) GPIO lines.
///
/// A thin shell: debounced inputs and commands go into `CompartmentHardwareState`; its line
/// commands are carried out here and its timers scheduled on the injected clock.
public actor CompartmentHardware {
    public nonisolated let id: String
    public nonisolated let config: CompartmentHardwareConfig
    private let gpio: any GPIOBackend
    private let clock: any MonotonicClock
    private let logger: Logger

    private var machine: CompartmentHardwareState?
    private var lockOutput: (any GPIOOutputLine)?
    private var relayOutput: (any GPIOOutputLine)?
    private var indicatorOutput: (any GPIOOutputLine)?
    private var door: DebouncedInput?
    private var feedback: DebouncedInput?
    private var inputTasks: [Task<Void, Never>] = []
    private var timerTask: Task<Void, Never>?
    private var blinkTask: Task<Void, Never>?
    private var statusSubscribers: [UInt64: AsyncStream<CompartmentStatus>.Continuation] = [:]
    private var eventSubscribers: [UInt64: AsyncStream<CompartmentEventRecord>.Continuation] = [:]
    private var nextSubscriber: UInt64 = 0

    public init(config: CompartmentHardwareConfig, gpio: any GPIOBackend,
                clock: any MonotonicClock = SystemMonotonicClock(), logger: Logger = Logger(label: "lockerio.compartment")) {
        id = config.id
        self.config = config
        self.gpio = gpio
        self.clock = clock
        var logger = logger
        logger[metadataKey: "compartment"] = "\(config.id)"
        self.logger = logger
    }

    /// The current hardware state, `nil` before `start()`.
    public var status: CompartmentStatus? { machine?.status }

    /// The current state, then every change. Finishes on `stop()`.
    public func statusChanges() -> AsyncStream<CompartmentStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: CompartmentStatus.self, bufferingPolicy: .bufferingNewest(64))
        if let status = machine?.status { continuation.yield(status) }
        nextSubscriber += 1
        statusSubscribers[nextSubscriber] = continuation
        return stream
    }

    /// Reportable events (forced door, jammed lock, door left open, ...). Finishes on `stop()`.
    public func events() -> AsyncStream<CompartmentEventRecord> {
        let (stream, continuation) = AsyncStream.makeStream(of: CompartmentEventRecord.self, bufferingPolicy: .bufferingNewest(256))
        nextSubscriber += 1
        eventSubscribers[nextSubscriber] = continuation
        return stream
    }

    // MARK: Start and stop

    /// Requests every line with outputs at their safe state, reads the door and lock inputs, and
    /// only then starts acting. On any failure every line requested so far is released and the
    /// error (chip missing, line busy, permission denied, ...) is thrown.
    public func start() async throws(GPIOError) {
        guard machine == nil else { return }
        let consumer = "edge-agent:\(id)"
        let policy = config.policy
        do {
            lockOutput = try await gpio.requestOutput(config.lockLine, initial: policy.lockedLineLevel, consumer: consumer)
            if let relay = config.relayLine {
                relayOutput = try await gpio.requestOutput(relay, initial: .inactive, consumer: consumer)
            }
            if let indicator = config.indicatorLine {
                indicatorOutput = try await gpio.requestOutput(indicator, initial: .inactive, consumer: consumer)
            }
            door = try await DebouncedInput(
                line: try await gpio.requestInput(config.doorLine, consumer: consumer),
                settleTime: config.debounce, clock: clock)
            if let feedbackLine = config.lockFeedbackLine {
                feedback = try await DebouncedInput(
                    line: try await gpio.requestInput(feedbackLine, consumer: consumer),
                    settleTime: config.debounce, clock: clock)
            }
        } catch {
            logger.error("compartment start-up failed", metadata: ["error": "\(error)"])
            await releaseLines()
            throw error
        }
        let doorState: DoorState = door!.initial.isActive ? .closed : .open
        let (state, output) = CompartmentHardwareState.start(
            policy: policy, door: doorState, lockFeedback: feedback.map { LockFeedback(line: $0.initial) },
            at: clock.now())
        machine = state
        logger.info("compartment hardware started", metadata: [
            "door": "\(state.door)", "lock": "\(state.lock)",
            "feedback": "\(state.lockFeedback.map { "\($0)" } ?? "none")",
        ])
        await apply(output, at: clock.now())
        await watch(door!) { .door($0.isActive ? .closed : .open) }
        if let feedback { await watch(feedback) { .lockFeedback(LockFeedback(line: $0)) } }
        publish()
        scheduleTimer()  // a door already open at start-up has its left-open timer running
    }

    /// Switches the relay off, leaves the lock in its safe state and releases every line.
    public func stop() async {
        guard machine != nil else { return }
        timerTask?.cancel()
        blinkTask?.cancel()
        await blinkTask?.value  // so no blink step lands after the safe state below
        inputTasks.forEach { $0.cancel() }
        inputTasks = []
        try? await relayOutput?.set(.inactive)
        try? await lockOutput?.set(config.policy.lockedLineLevel)
        try? await indicatorOutput?.set(.inactive)
        await releaseLines()
        machine = nil
        statusSubscribers.values.forEach { $0.finish() }
        eventSubscribers.values.forEach { $0.finish() }
        statusSubscribers = [:]
        eventSubscribers = [:]
        logger.info("compartment hardware stopped")
    }

    private func releaseLines() async {
        await door?.stop()
        await feedback?.stop()
        for output in [lockOutput, relayOutput, indicatorOutput].compactMap({ $0 }) { await output.release() }
        door = nil
        feedback = nil
        lockOutput = nil
        relayOutput = nil
        indicatorOutput = nil
    }

    // MARK: Commands

    /// Starts an unlock (confirmed by feedback or the door opening, retried, else reported jammed).
    public func unlock() async { await send(.unlock) }
    /// Re-locks a hold lock now.
    public func lock() async { await send(.lock) }
    /// Switches the socket relay. Returns whether it is on afterwards; refusals are also reported as events.
    @discardableResult
    public func setRelay(on: Bool) async -> Bool {
        await send(.relay(on: on))
        return machine?.relayOn ?? false
    }
    public func setIndicator(_ pattern: IndicatorPattern) async { await send(.indicator(pattern)) }
    public func clearFaults() async { await send(.clearFaults) }
    /// Driven by `EmergencyInput` (or the daemon): unlock and relay off while active.
    public func setEmergency(active: Bool) async { await send(.emergency(active: active)) }

    // MARK: Plumbing

    private func watch(_ input: DebouncedInput, as makeInput: @escaping @Sendable (LineLevel) -> CompartmentInput) async {
        let changes = input.changes
        inputTasks.append(Task { [weak self] in
            for await change in changes {
                await self?.send(makeInput(change.level), at: change.settledAt)
            }
        })
        await input.startWatching()
    }

    private func send(_ input: CompartmentInput, at time: MonotonicInstant? = nil) async {
        guard var state = machine else {
            logger.warning("command ignored: compartment hardware is not started", metadata: ["input": "\(input)"])
            return
        }
        let now = time ?? clock.now()
        let before = state.status
        let output = state.handle(input, at: now)
        machine = state
        await apply(output, at: now)
        if machine?.status != before { publish() }
        scheduleTimer()
    }

    private func apply(_ output: CompartmentOutput, at time: MonotonicInstant) async {
        for command in output.commands {
            do {
                switch command {
                case .setLockLine(let level): try await lockOutput?.set(level)
                case .setRelayLine(let level): try await relayOutput?.set(level)
                case .setIndicator(let pattern): startBlinking(pattern)
                }
            } catch {
                logger.error("GPIO command failed", metadata: ["command": "\(command)", "error": "\(error)"])
            }
        }
        for event in output.events {
            logger.log(level: Self.logLevel(event), "compartment event", metadata: ["event": "\(event)"])
            let record = CompartmentEventRecord(compartmentID: id, event: event, at: time)
            eventSubscribers.values.forEach { $0.yield(record) }
        }
    }

    private static func logLevel(_ event: CompartmentEvent) -> Logger.Level {
        switch event {
        case .forcedOpen, .lockJammed, .emergencyUnlocked, .unexpectedLockRelease: .error
        case .doorLeftOpen, .unlockRetried, .relayRefused, .relayInterlocked: .warning
        default: .info
        }
    }

    private func publish() {
        guard let status = machine?.status else { return }
        statusSubscribers.values.forEach { $0.yield(status) }
    }

    private func scheduleTimer() {
        timerTask?.cancel()
        guard let deadline = machine?.nextDeadline else { return }
        let clock = clock
        timerTask = Task { [weak self] in
            do { try await clock.sleep(until: deadline) } catch { return }
            await self?.send(.tick)
        }
    }

    private func startBlinking(_ pattern: IndicatorPattern) {
        blinkTask?.cancel()
        guard let output = indicatorOutput else { return }
        let (on, off) = pattern.phases
        blinkTask = Task {
            if off == .zero || on == .zero {
                try? await output.set(on == .zero ? .inactive : .active)
                return
            }
            while !Task.isCancelled {
                try? await output.set(.active)
                try? await Task.sleep(for: on)
                guard !Task.isCancelled else { return }
                try? await output.set(.inactive)
                try? await Task.sleep(for: off)
            }
        }
    }
}
