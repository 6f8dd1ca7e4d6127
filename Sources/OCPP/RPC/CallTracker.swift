/// Our CALL, encoded and ready to send.
public struct OutgoingCall: Sendable, Equatable {
    public let id: String
    public let action: OCPPAction
    public let frame: String

    /// Encodes `request` (validated against its schema) with a fresh or given message id.
    public init<R: OCPPRequest>(_ request: R, id: String = MessageID.random()) throws(PayloadViolation) {
        self.id = id
        self.action = R.action
        self.frame = try RPCFrame.call(id: id, request: request)
    }
}

/// Why one of our calls did not get a usable confirmation.
public enum CallFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The central system answered with a CALLERROR.
    case callError(CallErrorMessage)
    /// No answer within the response timeout.
    case timedOut
    /// A CALLRESULT arrived, but its payload breaks the confirmation's schema.
    case invalidConfirmation(PayloadViolation)
    /// The connection closed before an answer arrived.
    case connectionLost

    public var description: String {
        switch self {
        case .callError(let error): "central system answered \(error.rawCode): \(error.errorDescription)"
        case .timedOut: "no answer from the central system in time"
        case .invalidConfirmation(let violation): "invalid confirmation from the central system: \(violation)"
        case .connectionLost: "connection to the central system lost before an answer arrived"
        }
    }
}

/// What the owner of a tracker must do next.
public enum CallTrackerEffect: Sendable {
    /// Write this frame to the WebSocket.
    case send(OutgoingCall)
    /// Our call finished; the confirmation's type is `call.action.confirmationType`.
    case completed(OutgoingCall, Result<any OCPPPayload, CallFailure>)
    /// The central system's own CALL: answer it with `RPCFrame.callResult` or `callError`,
    /// independently of our outstanding call.
    case answer(IncomingCall)
    /// A CALLRESULT/CALLERROR that matches no call of ours (late after a timeout, or bogus):
    /// log and drop.
    case unmatched(id: String)
}

/// The request/response state machine of the charge point side. OCPP-J allows one
/// outstanding CALL per direction: further calls wait here in submission order until the
/// previous one is answered, failed or timed out. Pure: time comes in as a value.
public struct CallTracker<Instant: InstantProtocol & Sendable>: Sendable where Instant.Duration == Duration {
    public struct Outstanding: Sendable, Equatable {
        public let call: OutgoingCall
        public let deadline: Instant
    }

    public var responseTimeout: Duration
    public private(set) var outstanding: Outstanding?
    public private(set) var waiting: [OutgoingCall] = []

    public init(responseTimeout: Duration) {
        self.responseTimeout = responseTimeout
    }

    /// When `checkTimeout` must run next, if a call is outstanding.
    public var nextDeadline: Instant? { outstanding?.deadline }

    /// Queues `call`; sends it at once when nothing is outstanding.
    public mutating func submit(_ call: OutgoingCall, now: Instant) -> [CallTrackerEffect] {
        waiting.append(call)
        return sendNextIfIdle(now: now)
    }

    /// Routes one incoming message.
    public mutating func receive(_ message: IncomingMessage, now: Instant) -> [CallTrackerEffect] {
        switch message {
        case .call(let call):
            return [.answer(call)]
        case .callResult(let id, let payload):
            guard let current = outstanding, current.call.id == id else { return [.unmatched(id: id)] }
            outstanding = nil
            let result: Result<any OCPPPayload, CallFailure>
            do {
                result = .success(try OCPPMessages.decodeResult(for: current.call.action, payload: payload))
            } catch {
                result = .failure(.invalidConfirmation(error))
            }
            return [.completed(current.call, result)] + sendNextIfIdle(now: now)
        case .callError(let error):
            guard let current = outstanding, current.call.id == error.id else { return [.unmatched(id: error.id)] }
            outstanding = nil
            return [.completed(current.call, .failure(.callError(error)))] + sendNextIfIdle(now: now)
        }
    }

    /// Fails the outstanding call when its deadline has passed, then sends the next one.
    public mutating func checkTimeout(now: Instant) -> [CallTrackerEffect] {
        guard let current = outstanding, now >= current.deadline else { return [] }
        outstanding = nil
        return [.completed(current.call, .failure(.timedOut))] + sendNextIfIdle(now: now)
    }

    /// The connection closed: the outstanding and all waiting calls fail with
    /// `.connectionLost` (durable messages are re-sent from EdgeAgent's queue, not from here).
    public mutating func connectionLost() -> [CallTrackerEffect] {
        var effects: [CallTrackerEffect] = []
        if let current = outstanding { effects.append(.completed(current.call, .failure(.connectionLost))) }
        effects += waiting.map { .completed($0, .failure(.connectionLost)) }
        outstanding = nil
        waiting = []
        return effects
    }

    private mutating func sendNextIfIdle(now: Instant) -> [CallTrackerEffect] {
        guard outstanding == nil, !waiting.isEmpty else { return [] }
        let next = waiting.removeFirst()
        outstanding = Outstanding(call: next, deadline: now.advanced(by: responseTimeout))
        return [.send(next)]
    }
}
