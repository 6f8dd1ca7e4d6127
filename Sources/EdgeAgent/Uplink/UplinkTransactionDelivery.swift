import Foundation
import Logging
import OCPP

// The durable transaction queue: the API for the session code, and in-order delivery.
extension OCPPUplink {
    /// Queues a StartTransaction (committed before this returns) and returns the transaction's
    /// local id, which its MeterValues and StopTransaction name. Stamp `timestamp` with `now()`.
    public func enqueueStartTransaction(
        connectorId: Int, idTag: String, meterStart: Int, reservationId: Int? = nil, timestamp: Date
    ) async throws(TransactionQueueError) -> LocalTransactionID {
        let local = LocalTransactionID(UUID().uuidString.lowercased())
        let request = StartTransactionRequest(
            connectorId: connectorId, idTag: idTag, meterStart: meterStart, reservationId: reservationId, timestamp: timestamp)
        try enqueue(.startTransaction(local, request))
        // Smart charging follows every transaction (TxProfiles, Relative schedules).
        await smartCharging?.transactionStarted(local, connectorId: connectorId, idTag: idTag, at: timestamp)
        return local
    }

    /// Queues MeterValues of a started transaction; its transactionId is filled in when sent.
    public func enqueueMeterValues(
        localTransactionId: LocalTransactionID, connectorId: Int, meterValue: [MeterValue]
    ) throws(TransactionQueueError) {
        let request = MeterValuesRequest(connectorId: connectorId, transactionId: nil, meterValue: meterValue)
        try enqueue(.meterValues(.local(localTransactionId), request))
    }

    /// Queues the StopTransaction of a started transaction. It goes out only with the central
    /// system's transactionId, after the StartTransaction is confirmed.
    public func enqueueStopTransaction(
        localTransactionId: LocalTransactionID, meterStop: Int, timestamp: Date, reason: Reason? = nil,
        idTag: String? = nil, transactionData: [MeterValue]? = nil
    ) async throws(TransactionQueueError) {
        // transactionId 0 is a placeholder: `resolve` replaces it, and refuses to send without a real one.
        let request = StopTransactionRequest(
            idTag: idTag, meterStop: meterStop, timestamp: timestamp, transactionId: 0, reason: reason,
            transactionData: transactionData)
        try enqueue(.stopTransaction(.local(localTransactionId), request))
        await smartCharging?.transactionEnded(localTransactionId)
    }

    /// Messages waiting for the central system's confirmation.
    public func queueDepth() -> Int { (try? queue.depth()) ?? 0 }

    private func enqueue(_ message: QueuedTransactionMessage) throws(TransactionQueueError) {
        let evicted = try queue.enqueue(
            message, policy: queuePolicy, at: wallClock(), stampedBeforeClockSync: !clock.isSynchronized)
        if !evicted.isEmpty {
            logger.warning("offline queue full: dropped the oldest MeterValues to make room", metadata: [
                "dropped": "\(evicted.count)", "capacity": "\(queue.capacity)",
            ])
        }
        events.yield(.queueChanged)
    }

    var queuePolicy: OfflineQueuePolicy {
        OfflineQueuePolicy(registry: registry, store: keys, capacity: settings.queueCapacity)
    }

    /// Sends the oldest queued message when registered and nothing of the queue is in flight.
    func pumpQueue(at now: Instant) async {
        guard registration == .accepted, queueCall == nil else { return }
        if let retryAt = queueRetryAt, now < retryAt { return }
        queueRetryAt = nil
        let record: QueuedMessageRecord
        let map: TransactionIdMap
        do {
            guard let oldest = try queue.oldest() else { return }
            record = oldest
            map = try queue.transactionIdMap()
        } catch {
            logger.error("cannot read the offline queue", metadata: ["error": "\(error)"])
            return
        }
        var message = record.message
        if record.stampedBeforeClockSync {
            message = message.correctingTimestamps { [clock] in clock.correctedEarlierStamp($0) ?? $0 }
        }
        do {
            switch try message.resolve(using: map) {
            case .ready(let call):
                queueCall = (call.id, record.sequence, record.message)
                await submit(call, at: now)
            case .awaitingTransactionId(let local), .orphaned(let local):
                // Unreachable with in-order delivery (a StartTransaction is never discarded and
                // precedes its transaction's messages); wait rather than invent an id.
                logger.error("queued message waits for a transactionId that is not known", metadata: [
                    "localTransactionId": "\(local)", "sequence": "\(record.sequence)",
                ])
                queueRetryAt = now.advanced(by: queuePolicy.transactionMessageRetryInterval)
            }
        } catch {
            logger.error("queued message breaks its schema and cannot be sent", metadata: [
                "sequence": "\(record.sequence)", "problem": "\(error)",
            ])
            queueRetryAt = now.advanced(by: queuePolicy.transactionMessageRetryInterval)
        }
    }

    func queuedMessageCompleted(
        _ sequence: Int64, _ message: QueuedTransactionMessage, _ result: Result<any OCPPPayload, CallFailure>, at now: Instant
    ) async {
        switch result {
        case .success(let payload):
            do {
                switch message {
                case .startTransaction(let local, let request):
                    guard let confirmation = payload as? StartTransactionConfirmation else { return }
                    try store.confirmQueuedMessage(sequence, startedAs: (local, confirmation.transactionId))
                    cacheIdTagInfo(confirmation.idTagInfo, for: request.idTag)
                    startOutcomes.yield(StartTransactionOutcome(
                        localTransactionId: local, transactionId: confirmation.transactionId, idTagInfo: confirmation.idTagInfo))
                    await smartCharging?.transactionConfirmed(local, transactionId: confirmation.transactionId)
                    logger.info("StartTransaction confirmed", metadata: [
                        "localTransactionId": "\(local)", "transactionId": "\(confirmation.transactionId)",
                    ])
                case .stopTransaction(let reference, let request):
                    cacheIdTagInfo((payload as? StopTransactionConfirmation)?.idTagInfo, for: request.idTag)
                    if case .local(let local) = reference {
                        try store.confirmQueuedMessage(sequence, stopped: local)
                    } else {
                        try store.confirmQueuedMessage(sequence)
                    }
                case .meterValues:
                    try store.confirmQueuedMessage(sequence)
                }
            } catch {
                logger.error("could not record a confirmed transaction message; it will be sent again", metadata: [
                    "error": "\(error)",
                ])
            }
            publish()
            await pumpQueue(at: now)
        case .failure(.connectionLost):
            return  // sent again after the next boot; never counted
        case .failure(.timedOut):
            // No answer says nothing about the message; try again without counting an attempt.
            queueRetryAt = now.advanced(by: queuePolicy.transactionMessageRetryInterval)
        case .failure(let failure):
            await failedAttempt(sequence, message, failure, at: now)
        }
    }

    /// The central system answered with a CALLERROR (or an unusable confirmation): one attempt counted.
    private func failedAttempt(_ sequence: Int64, _ message: QueuedTransactionMessage, _ failure: CallFailure, at now: Instant) async {
        let attempts: Int
        do {
            attempts = try store.recordFailedAttempt(sequence)
        } catch {
            logger.error("could not count a failed attempt", metadata: ["error": "\(error)"])
            queueRetryAt = now.advanced(by: queuePolicy.transactionMessageRetryInterval)
            return
        }
        let policy = queuePolicy
        switch policy.afterFailedAttempt(attempts, failure: failure) {
        case .retry(let delay):
            logger.warning("transaction message failed; retrying", metadata: [
                "action": "\(message.action.rawValue)", "attempt": "\(attempts)", "failure": "\(failure)", "retryIn": "\(delay)",
            ])
            queueRetryAt = now.advanced(by: delay)
        case .resendAfterReconnect:
            return
        case .giveUp where message.action == .meterValues:
            logger.warning("MeterValues discarded after the configured attempts", metadata: [
                "attempts": "\(attempts)", "failure": "\(failure)",
            ])
            do {
                try store.discardQueuedMessage(sequence, audit: AuditRecord(
                    recordedAt: wallClock(), actor: "daemon", action: "discard-meter-values",
                    target: message.localTransactionID?.rawValue,
                    reason: "central system refused MeterValues \(attempts) times: \(failure)"))
            } catch {
                logger.error("could not discard MeterValues", metadata: ["error": "\(error)"])
            }
            publish()
            await pumpQueue(at: now)
        case .giveUp:
            // Invariant 4: StartTransaction and StopTransaction are never discarded.
            let delay = policy.transactionMessageRetryInterval * max(1, policy.transactionMessageAttempts)
            logger.error("the central system keeps refusing a transaction message; it stays queued and is retried", metadata: [
                "action": "\(message.action.rawValue)", "attempts": "\(attempts)", "failure": "\(failure)",
                "retryIn": "\(delay)", "localTransactionId": "\(message.localTransactionID?.rawValue ?? "-")",
            ])
            queueRetryAt = now.advanced(by: delay)
        }
    }
}
