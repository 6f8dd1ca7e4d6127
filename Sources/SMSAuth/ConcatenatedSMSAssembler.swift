import Foundation

/// A complete incoming text, reassembled from one or more parts.
public struct IncomingSMS: Sendable, Equatable {
    public let sender: PDUAddress
    public let text: String
    /// Service centre time of the first part, when it was a valid date.
    public let sentAt: Date?
}

/// Collects the parts of concatenated SMS until each message is complete. Pure: the caller
/// passes the time, and calls `expire` now and then to drop sets whose parts never arrived.
public struct ConcatenatedSMSAssembler: Sendable {
    private struct Key: Hashable, Sendable {
        let sender: PDUAddress
        let reference: UInt16
        let total: UInt8
    }

    private struct PendingSet: Sendable {
        var parts: [UInt8: SMSDeliver]
        let firstSeen: Date
    }

    private var pending: [Key: PendingSet] = [:]
    /// How long an incomplete set waits for its missing parts.
    public let timeout: TimeInterval

    public init(timeout: TimeInterval = 600) {
        self.timeout = timeout
    }

    /// Number of incomplete messages waiting for parts.
    public var pendingCount: Int { pending.count }

    /// Adds one part. Returns the complete message when this part completes it (a
    /// single-part SMS completes at once); a repeated part replaces the earlier copy.
    public mutating func add(_ part: SMSDeliver, at now: Date) -> IncomingSMS? {
        guard let info = part.concatenation, info.total > 1 else {
            return IncomingSMS(sender: part.sender, text: part.text, sentAt: part.timestamp.date)
        }
        guard info.sequence >= 1, info.sequence <= info.total else { return nil }
        let key = Key(sender: part.sender, reference: info.reference, total: info.total)
        var set = pending[key] ?? PendingSet(parts: [:], firstSeen: now)
        set.parts[info.sequence] = part
        guard set.parts.count == Int(info.total) else {
            pending[key] = set
            return nil
        }
        pending[key] = nil
        let ordered = (1...info.total).compactMap { set.parts[$0] }
        return IncomingSMS(
            sender: part.sender,
            text: ordered.map(\.text).joined(),
            sentAt: ordered.first?.timestamp.date
        )
    }

    /// Drops incomplete sets older than the timeout; returns how many were dropped so the
    /// caller can log it.
    public mutating func expire(at now: Date) -> Int {
        let before = pending.count
        pending = pending.filter { now.timeIntervalSince($0.value.firstSeen) < timeout }
        return before - pending.count
    }
}
