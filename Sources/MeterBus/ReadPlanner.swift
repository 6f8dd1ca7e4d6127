/// Plans batched reads: contiguous (or nearly contiguous) registers of one device are read
/// in as few requests as the device's limits allow. Pure.
public enum ReadPlanner {
    public struct Limits: Sendable, Hashable {
        /// Largest request the device accepts (Modbus allows 125 registers, 2000 coils).
        public var maxRegistersPerRequest: Int
        /// Largest hole of unused registers worth reading through to save a request.
        /// Zero for devices that reject reads touching undefined addresses.
        public var maxGap: Int

        public init(maxRegistersPerRequest: Int = 100, maxGap: Int = 8) {
            self.maxRegistersPerRequest = maxRegistersPerRequest
            self.maxGap = maxGap
        }
    }

    public enum PlanError: Error, Equatable, CustomStringConvertible {
        case spanTooLarge(RegisterSpan, limit: Int)

        public var description: String {
            switch self {
            case let .spanTooLarge(span, limit):
                "value at \(span.function.rawValue) register \(span.address) needs \(span.count) registers, "
                    + "more than the \(limit) allowed per request; raise maxRegistersPerRequest in the profile"
            }
        }
    }

    /// Groups spans into requests. Overlapping and duplicate spans are fine; each request
    /// stays within `limits.maxRegistersPerRequest` and never bridges a hole larger than
    /// `limits.maxGap`, and never reads through `excluded` registers (ones the device answered
    /// with an exception at probe). Requests come out ordered by function, then address.
    public static func plan(_ spans: [RegisterSpan], limits: Limits, excluding excluded: [RegisterSpan] = []) throws -> [RegisterSpan] {
        let limit = max(1, limits.maxRegistersPerRequest)
        var requests: [RegisterSpan] = []
        for span in spans.sorted() {
            guard span.count <= limit else { throw PlanError.spanTooLarge(span, limit: limit) }
            if var last = requests.last, last.function == span.function {
                let newEnd = max(last.end, span.end)
                let gap = span.address - last.end
                let bridged = RegisterSpan(function: span.function, address: last.end, count: max(0, gap))
                let crossesExcluded = excluded.contains { $0.overlaps(bridged) }
                if gap <= max(0, limits.maxGap), newEnd - last.address <= limit, !crossesExcluded {
                    last.count = newEnd - last.address
                    requests[requests.count - 1] = last
                    continue
                }
            }
            requests.append(span)
        }
        return requests
    }
}
