import LockerIO

/// Keys typed at a simulated reader. The simulated board has no keypad device to write bytes to, so keys go
/// straight into the same `KeypadAssembler` the real keypad readers use, and complete entries come out as
/// `ReaderEvent.keypadEntry` on the site's reader stream ('#' or Enter ends an entry, '*' or Escape clears it,
/// a partial entry is dropped after the keypad timeout).
actor SimulatedKeypad {
    nonisolated let readerID: String
    private var assembler: KeypadAssembler
    private let clock: any MonotonicClock
    private let emit: @Sendable (ReaderEvent) -> Void
    private var timerTask: Task<Void, Never>?

    init(readerID: String, settings: KeypadAssembler.Settings = .init(), clock: any MonotonicClock = SystemMonotonicClock(),
         emit: @escaping @Sendable (ReaderEvent) -> Void) {
        self.readerID = readerID
        assembler = KeypadAssembler(settings: settings)
        self.clock = clock
        self.emit = emit
    }

    /// The keys a string stands for: every character is a key, newline is Enter, backspace (U+0008) erases.
    static func keys(in text: String) throws(SimulationError) -> [ReaderKey] {
        guard !text.isEmpty else { throw .invalidKeys("no keys given; send e.g. {\"keys\": \"1234#\"}") }
        guard text.count <= 64 else { throw .invalidKeys("\(text.count) keys at once; send at most 64") }
        return try text.map { character throws(SimulationError) -> ReaderKey in
            switch character {
            case "\n", "\r", "\r\n": return .enter
            case "\u{8}": return .backspace
            case "\u{1B}": return .escape
            default:
                guard character.isASCII, !character.isWhitespace, character.asciiValue.map({ $0 >= 0x20 }) == true else {
                    throw .invalidKeys("'\(character.unicodeScalars.map { "U+\(String($0.value, radix: 16, uppercase: true))" }.joined())' is not a keypad key; use digits, letters, '*' and '#'")
                }
                return .character(character)
            }
        }
    }

    func type(_ keys: [ReaderKey]) {
        for key in keys {
            let now = clock.now()
            for outcome in assembler.key(key, at: now) { emit(outcome, at: now) }
        }
        scheduleTimeout()
    }

    func stop() {
        timerTask?.cancel()
        timerTask = nil
    }

    private func emit(_ outcome: KeypadAssembler.Outcome, at time: MonotonicInstant) {
        let kind: ReaderEvent.Kind =
            switch outcome {
            case .entry(let entry): .keypadEntry(entry)
            case .timedOut(let characters): .rejected(.keypadTimedOut(characters: characters))
            }
        emit(ReaderEvent(readerID: readerID, kind: kind, at: time))
    }

    private func scheduleTimeout() {
        timerTask?.cancel()
        guard let deadline = assembler.nextDeadline else { return }
        let clock = clock
        timerTask = Task { [weak self] in
            do { try await clock.sleep(until: deadline) } catch { return }
            await self?.timeoutPassed()
        }
    }

    private func timeoutPassed() {
        let now = clock.now()
        if let outcome = assembler.advance(to: now) { emit(outcome, at: now) }
        scheduleTimeout()
    }
}
