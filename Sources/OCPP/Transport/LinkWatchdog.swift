/// Decides when to ping the central system and when the link is dead, from timestamps alone.
///
/// OCPP's WebSocketPingInterval asks the station to ping every N seconds; a link on which nothing at
/// all (pong, text, ping) arrived for `interval + timeout` is treated as dead, so the station goes
/// offline and reconnects instead of queueing into a socket that will never deliver.
public struct LinkWatchdog<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    public enum Action: Equatable, Sendable {
        case sendPing
        case declareDead
        /// Nothing to do until this instant (or until the settings change).
        case waitUntil(Instant)
        /// Pings are disabled (interval 0).
        case idle
    }

    public private(set) var pingInterval: Duration
    public private(set) var pingTimeout: Duration
    public private(set) var lastFrameReceived: Instant
    public private(set) var lastPingSent: Instant

    public init(pingInterval: Duration, pingTimeout: Duration, connectedAt: Instant) {
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.lastFrameReceived = connectedAt
        self.lastPingSent = connectedAt
    }

    public mutating func frameReceived(at instant: Instant) {
        if instant > lastFrameReceived { lastFrameReceived = instant }
    }

    public mutating func pingSent(at instant: Instant) {
        lastPingSent = instant
    }

    public mutating func update(pingInterval: Duration, pingTimeout: Duration) {
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
    }

    public func nextAction(now: Instant) -> Action {
        guard pingInterval > .zero else { return .idle }
        let deadline = lastFrameReceived.advanced(by: pingInterval + pingTimeout)
        if now >= deadline { return .declareDead }
        let nextPing = lastPingSent.advanced(by: pingInterval)
        if now >= nextPing { return .sendPing }
        return .waitUntil(min(deadline, nextPing))
    }
}
