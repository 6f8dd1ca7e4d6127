/// Assembles keypad entries (receipt PINs, compartment numbers) from key presses with injected time.
///
/// An entry ends with an end key; a cancel key clears it; backspace removes one character; if
/// no key comes for `timeout` the partial entry is dropped (reported as timed out). Pure.
public struct KeypadAssembler: Sendable, Hashable {
    public struct Settings: Sendable, Hashable {
        public var endKeys: Set<ReaderKey>
        public var cancelKeys: Set<ReaderKey>
        public var timeout: Duration
        public var maximumLength: Int

        public init(
            endKeys: Set<ReaderKey> = [.character("#"), .enter],
            cancelKeys: Set<ReaderKey> = [.character("*"), .escape],
            timeout: Duration = .seconds(10), maximumLength: Int = 16
        ) {
            self.endKeys = endKeys
            self.cancelKeys = cancelKeys
            self.timeout = timeout
            self.maximumLength = maximumLength
        }
    }

    public enum Outcome: Sendable, Hashable {
        case entry(KeypadEntry)
        case timedOut(characters: Int)
    }

    public let settings: Settings
    private var text = ""
    private var lastKeyAt: MonotonicInstant?

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// When the partial entry times out, if there is one.
    public var nextDeadline: MonotonicInstant? {
        text.isEmpty ? nil : lastKeyAt.map { $0 + settings.timeout }
    }

    public mutating func key(_ key: ReaderKey, at time: MonotonicInstant) -> [Outcome] {
        var outcomes: [Outcome] = []
        if let expired = advance(to: time) { outcomes.append(expired) }
        lastKeyAt = time
        if settings.endKeys.contains(key) {
            if !text.isEmpty { outcomes.append(.entry(KeypadEntry(text))) }
            text = ""
        } else if settings.cancelKeys.contains(key) {
            text = ""
        } else {
            switch key {
            case .character(let character) where text.count < settings.maximumLength: text.append(character)
            case .backspace: if !text.isEmpty { text.removeLast() }
            case .character, .enter, .escape: break
            }
        }
        return outcomes
    }

    /// Drops the partial entry if it has timed out by `time`.
    public mutating func advance(to time: MonotonicInstant) -> Outcome? {
        guard let deadline = nextDeadline, time >= deadline else { return nil }
        defer { text = "" }
        return .timedOut(characters: text.count)
    }
}
