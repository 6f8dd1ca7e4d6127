/// What happens to a message we want to send while the central system is unreachable.
public enum QueueDisposition: Sendable, Equatable {
    /// Stored (committed before anything else happens) and sent in order after reconnecting:
    /// StartTransaction, StopTransaction and MeterValues that belong to a transaction.
    case durable
    /// Not stored: StatusNotification, Heartbeat, clock-aligned MeterValues without a
    /// transaction and the like are replaced by the current state after reconnecting.
    case dropWhileOffline
}

/// What the queue policy needs to know about one stored message.
public struct QueuedMessageSummary: Sendable, Equatable {
    /// Position in the queue (monotonic, oldest smallest).
    public var sequence: Int64
    public var action: OCPPAction

    public init(sequence: Int64, action: OCPPAction) {
        self.sequence = sequence
        self.action = action
    }

    var isTransactionBoundary: Bool { action == .startTransaction || action == .stopTransaction }
}

/// Whether a new durable message enters a queue, and what it pushes out.
public enum QueueAdmission: Sendable, Equatable {
    /// Store it, after deleting these entries (oldest MeterValues first).
    case accept(evicting: [Int64])
    /// Do not store it: the queue is full of transaction boundaries and this is MeterValues.
    case reject(reason: String)
}

/// After a failed attempt to deliver a transaction-related message.
public enum RetryDecision: Sendable, Equatable {
    /// Send it again after this delay (TransactionMessageRetryInterval × attempts so far).
    case retry(after: Duration)
    /// The connection dropped: send it again after reconnecting; the attempt does not count.
    case resendAfterReconnect
    /// TransactionMessageAttempts reached: discard it (OCPP 1.6 section 4.10) and audit-log it.
    case giveUp
}

/// The offline-queue rules as a value; the storage itself is EdgeAgent's.
public struct OfflineQueuePolicy: Sendable, Equatable {
    /// Documented default limit of stored messages.
    public static let defaultCapacity = 100_000

    public var capacity: Int
    /// Total delivery attempts per message (TransactionMessageAttempts; 0 is treated as 1).
    public var transactionMessageAttempts: Int
    /// TransactionMessageRetryInterval.
    public var transactionMessageRetryInterval: Duration

    public init(capacity: Int = defaultCapacity, transactionMessageAttempts: Int = 3, transactionMessageRetryInterval: Duration = .seconds(60)) {
        self.capacity = capacity
        self.transactionMessageAttempts = transactionMessageAttempts
        self.transactionMessageRetryInterval = transactionMessageRetryInterval
    }

    /// The policy with attempts and interval taken from the current configuration keys.
    public init(registry: ConfigurationRegistry, store: ConfigurationKeyStore, capacity: Int = defaultCapacity) {
        self.init(
            capacity: capacity,
            transactionMessageAttempts: registry.integer(.transactionMessageAttempts, in: store) ?? 3,
            transactionMessageRetryInterval: .seconds(registry.integer(.transactionMessageRetryInterval, in: store) ?? 60))
    }

    /// Whether a message of `action` survives being offline. MeterValues are durable only
    /// when they belong to a transaction.
    public func disposition(of action: OCPPAction, belongsToTransaction: Bool) -> QueueDisposition {
        switch action {
        case .startTransaction, .stopTransaction: .durable
        case .meterValues: belongsToTransaction ? .durable : .dropWhileOffline
        default: .dropWhileOffline
        }
    }

    /// Decides whether `action` may join `queue` (oldest first). When full, the oldest
    /// MeterValues make room; StartTransaction and StopTransaction are never evicted and
    /// always admitted, even beyond the limit, because losing one breaks a transaction.
    public func admit(_ action: OCPPAction, into queue: [QueuedMessageSummary]) -> QueueAdmission {
        let overflow = queue.count + 1 - capacity
        guard overflow > 0 else { return .accept(evicting: []) }
        let evictable = queue.filter { !$0.isTransactionBoundary }.sorted { $0.sequence < $1.sequence }
        if evictable.count >= overflow {
            return .accept(evicting: evictable.prefix(overflow).map(\.sequence))
        }
        if action == .startTransaction || action == .stopTransaction {
            return .accept(evicting: evictable.map(\.sequence))
        }
        return .reject(reason: "offline queue holds \(queue.count) messages (limit \(capacity)), all StartTransaction/StopTransaction")
    }

    /// What to do after attempt number `attempt` (1-based) of a message failed with `failure`.
    public func afterFailedAttempt(_ attempt: Int, failure: CallFailure) -> RetryDecision {
        if failure == .connectionLost { return .resendAfterReconnect }
        guard attempt < max(1, transactionMessageAttempts) else { return .giveUp }
        return .retry(after: transactionMessageRetryInterval * attempt)
    }
}
