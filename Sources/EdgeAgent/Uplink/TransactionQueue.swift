import Foundation
import OCPP

/// Why a transaction message was not queued.
public enum TransactionQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message breaks its OCPP schema (e.g. an idTag longer than 20 characters).
    case invalidMessage(PayloadViolation)
    /// MeterValues or StopTransaction for a transaction that was never started here, or
    /// whose StopTransaction was already confirmed.
    case unknownTransaction(LocalTransactionID)
    /// The queue is full of StartTransaction/StopTransaction messages; MeterValues are refused.
    case full(reason: String)
    case store(StoreError)

    public var description: String {
        switch self {
        case .invalidMessage(let violation): "transaction message not queued: it breaks the OCPP schema (\(violation))"
        case .unknownTransaction(let local):
            "transaction message not queued: no transaction with local id \(local) was started, or it is already stopped"
        case .full(let reason): "MeterValues not queued: \(reason)"
        case .store(let error): "transaction message not queued: \(error)"
        }
    }
}

/// The durable offline queue (StartTransaction, StopTransaction, transaction MeterValues) on
/// top of the site store, with the OCPP module's `OfflineQueuePolicy` deciding admission.
/// Every change is committed before the call returns.
struct TransactionQueue: Sendable {
    let store: SiteStore
    var capacity: Int

    func depth() throws(StoreError) -> Int { try store.queuedMessageCount() }

    func oldest() throws(StoreError) -> QueuedMessageRecord? { try store.oldestQueuedMessage() }

    func transactionIdMap() throws(StoreError) -> TransactionIdMap { try store.transactionIdMap() }

    /// Validates and stores `message`; returns the sequences evicted to make room.
    @discardableResult
    func enqueue(
        _ message: QueuedTransactionMessage, policy: OfflineQueuePolicy, at now: Date, stampedBeforeClockSync: Bool
    ) throws(TransactionQueueError) -> [Int64] {
        do {
            // Checked now, with a placeholder transactionId: a message that cannot be sent must
            // fail for its caller, not block the queue later.
            _ = try message.resolve(using: Self.placeholderMap(for: message))
        } catch {
            throw .invalidMessage(error)
        }
        do {
            if let local = message.localTransactionID, message.action != .startTransaction,
               !(try store.transactionIsKnown(local))
            {
                throw TransactionQueueError.unknownTransaction(local)
            }
            var evicting: [Int64] = []
            if try store.queuedMessageCount() + 1 > capacity {
                var sized = policy
                sized.capacity = capacity
                switch sized.admit(message.action, into: try store.queuedMessageSummaries()) {
                case .accept(let evicted): evicting = evicted
                case .reject(let reason): throw TransactionQueueError.full(reason: reason)
                }
            }
            try store.enqueueTransactionMessage(
                message, at: now, stampedBeforeClockSync: stampedBeforeClockSync, evicting: evicting)
            return evicting
        } catch let error as TransactionQueueError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.writeFailed(path: store.path, reason: "\(error)"))
        }
    }

    private static func placeholderMap(for message: QueuedTransactionMessage) -> TransactionIdMap {
        var map = TransactionIdMap()
        if let local = message.localTransactionID { map.record(local, centralTransactionId: 0) }
        return map
    }
}

extension QueuedTransactionMessage {
    /// The same message with every timestamp passed through `correct` (clock correction of
    /// messages stamped before the clock was synchronized).
    func correctingTimestamps(_ correct: (Date) -> Date) -> QueuedTransactionMessage {
        func values(_ values: [MeterValue]) -> [MeterValue] {
            values.map { MeterValue(timestamp: correct($0.timestamp), sampledValue: $0.sampledValue) }
        }
        switch self {
        case .startTransaction(let local, var request):
            request.timestamp = correct(request.timestamp)
            return .startTransaction(local, request)
        case .meterValues(let reference, var request):
            request.meterValue = values(request.meterValue)
            return .meterValues(reference, request)
        case .stopTransaction(let reference, var request):
            request.timestamp = correct(request.timestamp)
            request.transactionData = request.transactionData.map(values)
            return .stopTransaction(reference, request)
        }
    }
}
