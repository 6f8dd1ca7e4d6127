import Foundation

/// Fans values out to any number of subscribers, each an `AsyncStream` from the moment it subscribed.
/// Publishing never waits: a slow subscriber keeps only the newest `bufferSize` values. A subscriber that
/// stops iterating (a client that disconnected, a cancelled task) is removed when its stream terminates.
public final class Broadcaster<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuations: [UInt64: AsyncStream<Element>.Continuation] = [:]
    private var nextID: UInt64 = 0
    private let bufferSize: Int

    public init(bufferSize: Int = 256) {
        self.bufferSize = bufferSize
    }

    /// A new stream of every value published from now on.
    public func subscribe() -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = lock.withLock {
            nextID += 1
            continuations[nextID] = continuation
            return nextID
        }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ element: Element) {
        for continuation in lock.withLock({ Array(continuations.values) }) {
            continuation.yield(element)
        }
    }

    /// How many streams are subscribed right now (exported as a metric; tests check clean-up with it).
    public var subscriberCount: Int {
        lock.withLock { continuations.count }
    }

    /// Ends every subscriber's stream (the daemon stopping).
    public func finishAll() {
        for continuation in lock.withLock({ Array(continuations.values) }) {
            continuation.finish()
        }
    }
}
