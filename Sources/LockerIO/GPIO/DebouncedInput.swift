/// A debounced level change on an input line.
public struct DebouncedChange: Sendable, Hashable {
    public var level: LineLevel
    /// When the new level was first seen (the start of the settled period).
    public var since: MonotonicInstant
    /// When it was accepted as stable.
    public var settledAt: MonotonicInstant
}

/// An input line with its debouncer and settle timer: the thin shell around `Debouncer`.
actor DebouncedInput {
    nonisolated let address: LineAddress
    nonisolated let initial: LineLevel
    nonisolated let changes: AsyncStream<DebouncedChange>
    private let continuation: AsyncStream<DebouncedChange>.Continuation
    private let line: any GPIOInputLine
    private let clock: any MonotonicClock
    private var debouncer: Debouncer
    private var edgeTask: Task<Void, Never>?
    private var timerTask: Task<Void, Never>?

    /// Reads the line's current level; that is the stable level until the first change settles.
    init(line: any GPIOInputLine, settleTime: Duration, clock: any MonotonicClock) async throws(GPIOError) {
        self.line = line
        self.clock = clock
        address = line.address
        initial = try await line.read()
        debouncer = Debouncer(initial: initial, at: clock.now(), settleTime: settleTime)
        (changes, continuation) = AsyncStream.makeStream(of: DebouncedChange.self)
    }

    func startWatching() {
        guard edgeTask == nil else { return }
        let edges = line.edges
        edgeTask = Task { [weak self] in
            for await edge in edges {
                await self?.sample(edge)
            }
        }
    }

    /// Stops watching, releases the line and finishes `changes`.
    func stop() async {
        edgeTask?.cancel()
        timerTask?.cancel()
        await line.release()
        continuation.finish()
    }

    var stable: LineLevel { debouncer.stable }

    private func sample(_ edge: LineEdgeEvent) {
        let candidateBefore = debouncer.candidateSince
        if let level = debouncer.sample(edge.level, at: edge.timestamp) {
            continuation.yield(DebouncedChange(level: level, since: candidateBefore, settledAt: edge.timestamp))
        }
        scheduleSettle()
    }

    private func scheduleSettle() {
        timerTask?.cancel()
        guard let deadline = debouncer.nextDeadline else { return }
        let clock = clock
        timerTask = Task { [weak self] in
            do { try await clock.sleep(until: deadline) } catch { return }
            await self?.settle()
        }
    }

    private func settle() {
        let since = debouncer.candidateSince
        let now = clock.now()
        if let level = debouncer.advance(to: now) {
            continuation.yield(DebouncedChange(level: level, since: since, settledAt: now))
        }
        scheduleSettle()
    }
}
