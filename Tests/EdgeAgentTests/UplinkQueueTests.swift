import Foundation
import OCPP
import Testing
@testable import EdgeAgent

@Suite("Uplink: durable transaction queue")
struct UplinkQueueTests {
    let meterValue = [MeterValue(timestamp: testEpoch.addingTimeInterval(60), sampledValue: [SampledValue(value: "120")])]

    @Test func queuedOfflineMessagesSurviveACrashAndGoOutInOrderWithTheCentralId() async throws {
        let folder = makeTemporaryFolder()
        let first = try UplinkHarness.start(folder: folder)
        let local = try await first.uplink.enqueueStartTransaction(
            connectorId: 1, idTag: "TAG-1", meterStart: 100, timestamp: testEpoch)
        try await first.uplink.enqueueMeterValues(localTransactionId: local, connectorId: 1, meterValue: meterValue)
        try await first.uplink.enqueueStopTransaction(
            localTransactionId: local, meterStop: 220, timestamp: testEpoch.addingTimeInterval(120), reason: .local)
        // Simulated crash: the task ends, the store is not closed cleanly, a new instance opens the file.
        first.task.cancel()
        await first.task.value

        let second = try UplinkHarness.start(folder: folder)
        #expect(await second.uplink.queueDepth() == 3)
        try await second.connectAndBoot()
        let start = try await second.expectCall("StartTransaction")
        #expect(start.payload["timestamp"]?.stringValue == OCPPDate.string(from: testEpoch))
        #expect(start.payload["meterStart"]?.intValue == 100)
        second.reply(start, #"{"idTagInfo":{"status":"Accepted"},"transactionId":4711}"#)
        let meter = try await second.expectCall("MeterValues")
        #expect(meter.payload["transactionId"]?.intValue == 4711)
        second.reply(meter, "{}")
        let stop = try await second.expectCall("StopTransaction")
        #expect(stop.payload["transactionId"]?.intValue == 4711)
        #expect(stop.payload["timestamp"]?.stringValue == OCPPDate.string(from: testEpoch.addingTimeInterval(120)))
        second.reply(stop, "{}")
        try await second.eventually("the queue is empty") { await second.uplink.queueDepth() == 0 }
        #expect(try second.store.transactionIdMap().centralIDs.isEmpty)
        await second.stop()
        first.store.close()
    }

    @Test func stopTransactionWaitsForItsStartsIdAndTheOutcomeIsReported() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        let local = try await harness.uplink.enqueueStartTransaction(
            connectorId: 2, idTag: "TAG-2", meterStart: 0, timestamp: testEpoch)
        let start = try await harness.expectCall("StartTransaction")
        try await harness.uplink.enqueueStopTransaction(localTransactionId: local, meterStop: 10, timestamp: testEpoch)
        try await harness.expectSilence()  // no StopTransaction with a made-up id
        harness.reply(start, #"{"idTagInfo":{"status":"Blocked"},"transactionId":99}"#)
        let stop = try await harness.expectCall("StopTransaction")
        #expect(stop.payload["transactionId"]?.intValue == 99)
        var outcomes = harness.uplink.startTransactionOutcomes.makeAsyncIterator()
        let outcome = await outcomes.next()
        #expect(outcome == StartTransactionOutcome(localTransactionId: local, transactionId: 99, idTagInfo: IdTagInfo(status: .blocked)))
        await harness.stop()
    }

    @Test func unansweredStartIsSentAgainAfterReconnectWithoutCountingAnAttempt() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        _ = try await harness.uplink.enqueueStartTransaction(connectorId: 1, idTag: "T", meterStart: 0, timestamp: testEpoch)
        let first = try await harness.expectCall("StartTransaction")
        harness.transport.disconnect()
        try await harness.connectAndBoot()
        let again = try await harness.expectCall("StartTransaction")
        #expect(again.payload == first.payload && again.id != first.id)
        #expect(try harness.store.queuedMessages().first?.attempts == 0)
        await harness.stop()
    }

    @Test func aMissingAnswerIsRetriedWithoutCountingAnAttempt() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        _ = try await harness.uplink.enqueueStartTransaction(connectorId: 1, idTag: "T", meterStart: 0, timestamp: testEpoch)
        let first = try await harness.expectCall("StartTransaction")
        let timedOutAt = ContinuousClock.now.advanced(by: .seconds(31))  // past the 30 s response timeout
        await harness.uplink.tick(at: timedOutAt)
        harness.reply(first, #"{"idTagInfo":{"status":"Accepted"},"transactionId":1}"#)  // too late: dropped
        try await harness.expectSilence()
        #expect(try harness.store.queuedMessages().first?.attempts == 0)
        await harness.uplink.tick(at: timedOutAt.advanced(by: .seconds(61)))  // TransactionMessageRetryInterval
        let again = try await harness.expectCall("StartTransaction")
        #expect(again.payload == first.payload)
        await harness.stop()
    }

    @Test func callErrorsCountAndStartTransactionIsNeverDiscarded() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        for (key, value) in [("TransactionMessageAttempts", "2"), ("TransactionMessageRetryInterval", "10")] {
            harness.transport.deliver(#"[2,"k-\#(key)","ChangeConfiguration",{"key":"\#(key)","value":"\#(value)"}]"#)
            _ = try await harness.next()
        }
        let local = try await harness.uplink.enqueueStartTransaction(connectorId: 1, idTag: "T", meterStart: 0, timestamp: testEpoch)
        try await harness.uplink.enqueueMeterValues(localTransactionId: local, connectorId: 1, meterValue: meterValue)
        harness.callError(try await harness.expectCall("StartTransaction"))
        try await harness.eventually("the failed attempt is counted") { try harness.store.queuedMessages().first?.attempts == 1 }
        await harness.uplink.tick(at: .now.advanced(by: .seconds(5)))
        try await harness.expectSilence()  // retry after 10 s x attempt 1
        await harness.uplink.tick(at: .now.advanced(by: .seconds(11)))
        harness.callError(try await harness.expectCall("StartTransaction"))
        try await harness.eventually("the second attempt is counted") { try harness.store.queuedMessages().first?.attempts == 2 }
        // Attempts used up: a StartTransaction stays queued and is retried at the longest interval.
        #expect(try harness.store.queuedMessages().map(\.attempts) == [2, 0])
        await harness.uplink.tick(at: .now.advanced(by: .seconds(15)))
        try await harness.expectSilence()
        await harness.uplink.tick(at: .now.advanced(by: .seconds(21)))
        let start = try await harness.expectCall("StartTransaction")
        harness.reply(start, #"{"idTagInfo":{"status":"Accepted"},"transactionId":5}"#)
        // MeterValues are discarded after their attempts (audited).
        harness.callError(try await harness.expectCall("MeterValues"))
        try await harness.eventually("the failed MeterValues attempt is counted") {
            try harness.store.queuedMessages().first?.attempts == 1
        }
        await harness.uplink.tick(at: .now.advanced(by: .seconds(11)))
        harness.callError(try await harness.expectCall("MeterValues"))
        try await harness.eventually("the MeterValues are discarded") { await harness.uplink.queueDepth() == 0 }
        #expect(try harness.store.auditRecords().first?.action == "discard-meter-values")
        await harness.stop()
    }

    @Test func fullQueueEvictsOldestMeterValuesButNeverStartOrStop() async throws {
        let harness = try UplinkHarness.start(capacity: 3)
        let uplink = harness.uplink
        let local = try await uplink.enqueueStartTransaction(connectorId: 1, idTag: "T", meterStart: 0, timestamp: testEpoch)
        try await uplink.enqueueMeterValues(localTransactionId: local, connectorId: 1, meterValue: meterValue)
        try await uplink.enqueueMeterValues(localTransactionId: local, connectorId: 1, meterValue: meterValue)
        let sequences = try harness.store.queuedMessages().map(\.sequence)
        try await uplink.enqueueMeterValues(localTransactionId: local, connectorId: 1, meterValue: meterValue)
        let afterMeter = try harness.store.queuedMessages()
        #expect(afterMeter.count == 3 && !afterMeter.map(\.sequence).contains(sequences[1]))
        try await uplink.enqueueStopTransaction(localTransactionId: local, meterStop: 5, timestamp: testEpoch)
        let second = try await uplink.enqueueStartTransaction(connectorId: 2, idTag: "U", meterStart: 0, timestamp: testEpoch)
        // Only Start/Stop left: beyond the limit they are still admitted, MeterValues are refused.
        #expect(try harness.store.queuedMessages().map(\.message.action) == [.startTransaction, .stopTransaction, .startTransaction])
        await #expect(throws: TransactionQueueError.self) {
            try await uplink.enqueueMeterValues(localTransactionId: second, connectorId: 2, meterValue: meterValue)
        }
        await harness.stop()
    }

    @Test func invalidAndUnknownTransactionMessagesAreRefused() async throws {
        let harness = try UplinkHarness.start()
        let uplink = harness.uplink
        await #expect(throws: TransactionQueueError.unknownTransaction(LocalTransactionID("nope"))) {
            try await uplink.enqueueStopTransaction(localTransactionId: LocalTransactionID("nope"), meterStop: 0, timestamp: testEpoch)
        }
        await #expect(throws: TransactionQueueError.self) {
            _ = try await uplink.enqueueStartTransaction(
                connectorId: 1, idTag: String(repeating: "X", count: 21), meterStart: 0, timestamp: testEpoch)
        }
        #expect(await uplink.queueDepth() == 0)
        await harness.stop()
    }

    @Test func recordsStampedBeforeClockSyncAreCorrectedNotSentAs1970() async throws {
        let board = Date(timeIntervalSince1970: 1000)
        let harness = try UplinkHarness.start(wallClock: { board })
        let local = try await harness.uplink.enqueueStartTransaction(
            connectorId: 1, idTag: "T", meterStart: 0, timestamp: board.addingTimeInterval(-100))
        try await harness.uplink.enqueueStopTransaction(localTransactionId: local, meterStop: 1, timestamp: board)
        try await harness.connectAndBoot(currentTime: "2026-11-18T20:26:40.000Z")
        let central = try #require(OCPPDate.date(from: "2026-11-18T20:26:40.000Z"))
        let start = try await harness.expectCall("StartTransaction")
        #expect(start.payload["timestamp"]?.stringValue == OCPPDate.string(from: central.addingTimeInterval(-100)))
        harness.reply(start, #"{"idTagInfo":{"status":"Accepted"},"transactionId":1}"#)
        let stop = try await harness.expectCall("StopTransaction")
        #expect(stop.payload["timestamp"]?.stringValue == OCPPDate.string(from: central))
        await harness.stop()
    }
}
