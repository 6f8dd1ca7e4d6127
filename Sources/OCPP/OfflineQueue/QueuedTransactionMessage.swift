/// The charge point's own id for a transaction, known before the central system assigns
/// its transactionId (e.g. a transaction started offline).
public struct LocalTransactionID: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// Which transaction a queued message belongs to.
public enum TransactionReference: Codable, Hashable, Sendable {
    /// The central system's transactionId is known.
    case central(Int)
    /// Only our local id is known; its StartTransaction is queued or awaiting confirmation.
    case local(LocalTransactionID)
}

/// Local id -> central transactionId, learned from StartTransaction confirmations. EdgeAgent
/// persists it together with the queue.
public struct TransactionIdMap: Codable, Sendable, Equatable {
    public private(set) var centralIDs: [LocalTransactionID: Int] = [:]
    /// Transactions whose StartTransaction was given up: their later messages cannot be sent.
    public private(set) var abandoned: Set<LocalTransactionID> = []

    public init() {}

    public mutating func record(_ local: LocalTransactionID, centralTransactionId: Int) {
        centralIDs[local] = centralTransactionId
        abandoned.remove(local)
    }

    public mutating func abandon(_ local: LocalTransactionID) {
        if centralIDs[local] == nil { abandoned.insert(local) }
    }

    public mutating func forget(_ local: LocalTransactionID) {
        centralIDs[local] = nil
        abandoned.remove(local)
    }
}

/// A durable, transaction-related message as stored in the offline queue: the typed request
/// with its original timestamps, plus the transaction it belongs to.
public enum QueuedTransactionMessage: Codable, Sendable, Equatable {
    case startTransaction(LocalTransactionID, StartTransactionRequest)
    /// `request.transactionId` is replaced by the resolved id when sent.
    case meterValues(TransactionReference, MeterValuesRequest)
    /// `request.transactionId` is replaced by the resolved id when sent.
    case stopTransaction(TransactionReference, StopTransactionRequest)

    public var action: OCPPAction {
        switch self {
        case .startTransaction: .startTransaction
        case .meterValues: .meterValues
        case .stopTransaction: .stopTransaction
        }
    }

    public var localTransactionID: LocalTransactionID? {
        switch self {
        case .startTransaction(let local, _): local
        case .meterValues(.local(let local), _), .stopTransaction(.local(let local), _): local
        case .meterValues(.central, _), .stopTransaction(.central, _): nil
        }
    }
}

/// Whether a queued message can go out now.
public enum QueuedMessageResolution: Sendable, Equatable {
    /// Ready, with the central transactionId filled in.
    case ready(OutgoingCall)
    /// Its StartTransaction is not confirmed yet: keep it, in order, and wait.
    case awaitingTransactionId(LocalTransactionID)
    /// Its StartTransaction was given up, so no true transactionId exists: it must be
    /// discarded, never sent with an invented id.
    case orphaned(LocalTransactionID)
}

extension QueuedTransactionMessage {
    /// Substitutes the central transactionId and encodes the call, or says why it cannot go yet.
    public func resolve(using map: TransactionIdMap, id: String = MessageID.random()) throws(PayloadViolation) -> QueuedMessageResolution {
        // The central id, or the resolution that says why the message has to wait or go.
        func centralID(_ reference: TransactionReference) -> Result<Int, Blocked> {
            switch reference {
            case .central(let transactionId): return .success(transactionId)
            case .local(let local):
                if let transactionId = map.centralIDs[local] { return .success(transactionId) }
                return .failure(Blocked(resolution: map.abandoned.contains(local) ? .orphaned(local) : .awaitingTransactionId(local)))
            }
        }
        switch self {
        case .startTransaction(_, let request):
            return .ready(try OutgoingCall(request, id: id))
        case .meterValues(let reference, var request):
            switch centralID(reference) {
            case .success(let transactionId): request.transactionId = transactionId
            case .failure(let blocked): return blocked.resolution
            }
            return .ready(try OutgoingCall(request, id: id))
        case .stopTransaction(let reference, var request):
            switch centralID(reference) {
            case .success(let transactionId): request.transactionId = transactionId
            case .failure(let blocked): return blocked.resolution
            }
            return .ready(try OutgoingCall(request, id: id))
        }
    }
}

private struct Blocked: Error {
    let resolution: QueuedMessageResolution
}
