import Testing
@testable import LockerIO

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// The first element of `stream` matching `predicate`; fails (rather than hangs) after `limit`.
func first<Element: Sendable>(
    _ stream: AsyncStream<Element>, within limit: Duration = .seconds(5), _ what: String = "a stream element",
    where predicate: @escaping @Sendable (Element) -> Bool
) async throws -> Element {
    try await withThrowingTaskGroup(of: Element?.self) { group in
        group.addTask {
            for await element in stream where predicate(element) { return element }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let result = try await group.next(), let element = result else { throw TimedOut(what: what) }
        return element
    }
}

extension MonotonicInstant {
    static func ms(_ milliseconds: Int64) -> MonotonicInstant { MonotonicInstant(nanoseconds: milliseconds * 1_000_000) }
    static func us(_ microseconds: Int64) -> MonotonicInstant { MonotonicInstant(nanoseconds: microseconds * 1_000) }
}
