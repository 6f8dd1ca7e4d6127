import Logging

/// A Wiegand 26/34 reader on two GPIO inputs. D0 and D1 idle high and pulse low, so both lines
/// are normally configured active-low: an `active` edge is a bit.
public actor WiegandReader {
    public nonisolated let id: String
    public nonisolated let d0: LineConfig
    public nonisolated let d1: LineConfig
    public nonisolated let events: AsyncStream<ReaderEvent>
    private let continuation: AsyncStream<ReaderEvent>.Continuation
    private let gpio: any GPIOBackend
    private let clock: any MonotonicClock
    private let logger: Logger
    private var decoder: WiegandDecoder
    private var lines: [any GPIOInputLine] = []
    private var tasks: [Task<Void, Never>] = []
    private var timerTask: Task<Void, Never>?

    public init(id: String, d0: LineConfig, d1: LineConfig, gpio: any GPIOBackend,
                timing: WiegandDecoder.Timing = .init(), clock: any MonotonicClock = SystemMonotonicClock(),
                logger: Logger = Logger(label: "lockerio.wiegand")) {
        self.id = id
        self.d0 = d0
        self.d1 = d1
        self.gpio = gpio
        self.clock = clock
        decoder = WiegandDecoder(timing: timing)
        var logger = logger
        logger[metadataKey: "reader"] = "\(id)"
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: ReaderEvent.self, bufferingPolicy: .bufferingNewest(256))
    }

    public func start() async throws(ReaderError) {
        guard lines.isEmpty else { return }
        let consumer = "edge-agent:\(id)"
        do {
            lines.append(try await gpio.requestInput(d0, consumer: consumer))
            lines.append(try await gpio.requestInput(d1, consumer: consumer))
        } catch {
            for line in lines { await line.release() }
            lines = []
            throw .gpio(error)
        }
        for (line, dataLine) in zip(lines, [WiegandDecoder.DataLine.d0, .d1]) {
            let edges = line.edges
            tasks.append(Task { [weak self] in
                for await edge in edges where edge.level.isActive {
                    await self?.pulse(on: dataLine, at: edge.timestamp)
                }
            })
        }
        logger.info("Wiegand reader started", metadata: ["d0": "\(d0.address)", "d1": "\(d1.address)"])
    }

    public func stop() async {
        tasks.forEach { $0.cancel() }
        timerTask?.cancel()
        for line in lines { await line.release() }
        lines = []
        continuation.finish()
    }

    private func pulse(on line: WiegandDecoder.DataLine, at time: MonotonicInstant) {
        if let result = decoder.pulse(on: line, at: time) { emit(result, at: time) }
        scheduleTimer()
    }

    private func emit(_ result: Result<WiegandFrame, WiegandRejection>, at time: MonotonicInstant) {
        switch result {
        case .success(let frame):
            logger.info("card presented", metadata: ["idTag": "\(frame.idTag)"])
            continuation.yield(ReaderEvent(readerID: id, kind: .cardPresented(frame.idTag), at: time))
        case .failure(let reason):
            logger.warning("Wiegand frame rejected", metadata: ["reason": "\(reason)"])
            continuation.yield(ReaderEvent(readerID: id, kind: .rejected(.wiegand(reason)), at: time))
        }
    }

    private func scheduleTimer() {
        timerTask?.cancel()
        guard let deadline = decoder.nextDeadline else { return }
        let clock = clock
        timerTask = Task { [weak self] in
            do { try await clock.sleep(until: deadline) } catch { return }
            await self?.frameGapPassed()
        }
    }

    private func frameGapPassed() {
        let now = clock.now()
        if let result = decoder.advance(to: now) { emit(result, at: now) }
        scheduleTimer()
    }
}
