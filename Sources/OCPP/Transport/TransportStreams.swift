import Foundation

/// The output streams of an `OCPPConnection`, each created on first access.
///
/// A stream nobody listens to is never created, so it cannot pile up frames in memory: the daemon
/// may use `events` (the `OCPPFrameTransport` seam) or `incomingFrames` + `states`, or both.
/// Elements published before a stream is first accessed are not replayed: access the streams
/// before starting `run()`.
final class TransportStreams: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `lock`.
    private let lock = NSLock()
    private var frames: (AsyncStream<String>, AsyncStream<String>.Continuation)?
    private var states: (AsyncStream<OCPPConnectionState>, AsyncStream<OCPPConnectionState>.Continuation)?
    private var events: (AsyncStream<OCPPTransportEvent>, AsyncStream<OCPPTransportEvent>.Continuation)?
    private var finished = false

    var frameStream: AsyncStream<String> { stream(\.frames) }
    var stateStream: AsyncStream<OCPPConnectionState> { stream(\.states) }
    var eventStream: AsyncStream<OCPPTransportEvent> { stream(\.events) }

    // Only the connection actor yields, so yielding outside the lock keeps the order.
    func yieldFrame(_ frame: String) {
        let (frames, events) = lock.withLock { (self.frames?.1, self.events?.1) }
        frames?.yield(frame)
        events?.yield(.frame(frame))
    }

    func yieldState(_ state: OCPPConnectionState, event: OCPPTransportEvent?) {
        let (states, events) = lock.withLock { (self.states?.1, self.events?.1) }
        states?.yield(state)
        if let event { events?.yield(event) }
    }

    func finish() {
        let continuations = lock.withLock {
            finished = true
            return (frames?.1, states?.1, events?.1)
        }
        continuations.0?.finish()
        continuations.1?.finish()
        continuations.2?.finish()
    }

    private func stream<Element>(
        _ slot: ReferenceWritableKeyPath<TransportStreams, (AsyncStream<Element>, AsyncStream<Element>.Continuation)?>
    ) -> AsyncStream<Element> {
        lock.withLock {
            if let existing = self[keyPath: slot] { return existing.0 }
            let made = AsyncStream.makeStream(of: Element.self)
            if finished { made.continuation.finish() }
            self[keyPath: slot] = (made.stream, made.continuation)
            return made.stream
        }
    }
}
