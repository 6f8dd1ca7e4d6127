import Foundation
import Testing
@testable import OCPP

@Suite("Offline queue policy")
struct OfflineQueuePolicyTests {
    let policy = OfflineQueuePolicy(capacity: 4, transactionMessageAttempts: 3, transactionMessageRetryInterval: .seconds(60))

    @Test("transaction messages are durable; status-like messages are dropped while offline")
    func dispositions() {
        #expect(policy.disposition(of: .startTransaction, belongsToTransaction: true) == .durable)
        #expect(policy.disposition(of: .stopTransaction, belongsToTransaction: true) == .durable)
        #expect(policy.disposition(of: .meterValues, belongsToTransaction: true) == .durable)
        #expect(policy.disposition(of: .meterValues, belongsToTransaction: false) == .dropWhileOffline)
        for action in [OCPPAction.statusNotification, .heartbeat, .bootNotification, .authorize, .dataTransfer,
                       .firmwareStatusNotification, .diagnosticsStatusNotification] {
            #expect(policy.disposition(of: action, belongsToTransaction: false) == .dropWhileOffline)
        }
        #expect(OfflineQueuePolicy.defaultCapacity == 100_000)
    }

    @Test("attempt n waits interval × n, up to TransactionMessageAttempts")
    func retrySchedule() {
        #expect(policy.afterFailedAttempt(1, failure: .timedOut) == .retry(after: .seconds(60)))
        #expect(policy.afterFailedAttempt(2, failure: .callError(CallErrorMessage(id: "x", code: .internalError, errorDescription: ""))) == .retry(after: .seconds(120)))
        #expect(policy.afterFailedAttempt(3, failure: .timedOut) == .giveUp)
        #expect(policy.afterFailedAttempt(3, failure: .connectionLost) == .resendAfterReconnect)
        let once = OfflineQueuePolicy(transactionMessageAttempts: 0)
        #expect(once.afterFailedAttempt(1, failure: .timedOut) == .giveUp)
    }

    @Test("the policy follows the configuration keys")
    func fromConfiguration() {
        let registry = ConfigurationRegistry.standard(ChargePointCapabilities(numberOfConnectors: 2))
        var store = ConfigurationKeyStore()
        _ = registry.changeConfiguration(ChangeConfigurationRequest(key: "TransactionMessageAttempts", value: "5"), store: &store)
        _ = registry.changeConfiguration(ChangeConfigurationRequest(key: "TransactionMessageRetryInterval", value: "30"), store: &store)
        let configured = OfflineQueuePolicy(registry: registry, store: store)
        #expect(configured == OfflineQueuePolicy(capacity: 100_000, transactionMessageAttempts: 5, transactionMessageRetryInterval: .seconds(30)))
    }

    func queue(_ actions: [OCPPAction]) -> [QueuedMessageSummary] {
        actions.enumerated().map { QueuedMessageSummary(sequence: Int64($0.offset + 1), action: $0.element) }
    }

    @Test("a full queue drops the oldest MeterValues first and never Start/StopTransaction")
    func fullQueue() {
        #expect(policy.admit(.meterValues, into: queue([.startTransaction, .meterValues, .meterValues])) == .accept(evicting: []))
        #expect(policy.admit(.meterValues, into: queue([.startTransaction, .meterValues, .meterValues, .stopTransaction])) == .accept(evicting: [2]))
        #expect(policy.admit(.stopTransaction, into: queue([.startTransaction, .meterValues, .meterValues, .meterValues])) == .accept(evicting: [2]))
        let boundaries = queue([.startTransaction, .stopTransaction, .startTransaction, .stopTransaction])
        #expect(policy.admit(.stopTransaction, into: boundaries) == .accept(evicting: []))
        guard case .reject = policy.admit(.meterValues, into: boundaries) else { Issue.record("expected reject"); return }
    }

    @Test("queued messages get the central transactionId, never an invented one")
    func transactionIdSubstitution() throws {
        let local = LocalTransactionID("session-7")
        let time = Date(timeIntervalSince1970: 1_795_428_000)
        let stop = QueuedTransactionMessage.stopTransaction(.local(local), StopTransactionRequest(meterStop: 900, timestamp: time, transactionId: 0))
        let meter = QueuedTransactionMessage.meterValues(.local(local), MeterValuesRequest(
            connectorId: 1, meterValue: [MeterValue(timestamp: time, sampledValue: [SampledValue(value: "1")])]))
        var map = TransactionIdMap()
        #expect(try stop.resolve(using: map, id: "s") == .awaitingTransactionId(local))
        #expect(try meter.resolve(using: map, id: "m") == .awaitingTransactionId(local))

        map.record(local, centralTransactionId: 4711)
        guard case .ready(let call) = try stop.resolve(using: map, id: "s") else { Issue.record("not ready"); return }
        guard case .array(let elements) = try JSONValue.parse(call.frame), case .object(let payload) = elements[3] else {
            Issue.record("not a CALL: \(call.frame)")
            return
        }
        #expect(payload["transactionId"] == .integer(4711))
        #expect(call.action == .stopTransaction)
        guard case .ready(let meterCall) = try meter.resolve(using: map, id: "m") else { Issue.record("not ready"); return }
        #expect(meterCall.frame.contains(#""transactionId":4711"#))
        // Original timestamps are kept.
        #expect(call.frame.contains("2026-11-23T10:00:00.000Z"))

        var abandonedMap = TransactionIdMap()
        abandonedMap.abandon(local)
        #expect(try stop.resolve(using: abandonedMap, id: "s") == .orphaned(local))
        #expect(QueuedTransactionMessage.stopTransaction(.central(12), StopTransactionRequest(meterStop: 1, timestamp: time, transactionId: 0)).localTransactionID == nil)
    }

    @Test("queued messages survive persistence as JSON")
    func persistence() throws {
        let message = QueuedTransactionMessage.startTransaction(
            LocalTransactionID("session-8"), StartTransactionRequest(connectorId: 2, idTag: "04E91C5A", meterStart: 10, timestamp: Date(timeIntervalSince1970: 1_795_428_000)))
        let data = try JSONEncoder().encode(message)
        #expect(try JSONDecoder().decode(QueuedTransactionMessage.self, from: data) == message)
        var map = TransactionIdMap()
        map.record(LocalTransactionID("session-8"), centralTransactionId: 3)
        #expect(try JSONDecoder().decode(TransactionIdMap.self, from: JSONEncoder().encode(map)) == map)
    }
}
