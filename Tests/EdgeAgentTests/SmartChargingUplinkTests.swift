import Foundation
import LoadBalancing
import OCPP
import Testing
@testable import EdgeAgent

@Suite("Smart charging through the uplink: profile calls answered, transactions followed from the queue")
struct SmartChargingUplinkTests {
    func attachSmartCharging(to harness: UplinkHarness) async -> (SmartCharging, LimitRecorder) {
        let electrics = Dictionary(uniqueKeysWithValues: (0...3).map { ($0, ConnectorElectrics(phases: 3, maxCurrent: 32)) })
        let smartCharging = SmartCharging(
            store: harness.store, capabilities: await harness.uplink.smartChargingCapabilities(), electrics: electrics,
            logger: quietLogger, clock: { await harness.uplink.now() })
        await harness.uplink.attach(smartCharging: smartCharging)
        let recorder = LimitRecorder()
        await smartCharging.start(receiver: recorder)
        return (smartCharging, recorder)
    }

    func txProfile(id: Int, transactionId: Int?, limit: Double) -> String {
        let transaction = transactionId.map { #","transactionId":\#($0)"# } ?? ""
        return #"{"chargingProfileId":\#(id),"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative"\#(transaction),"chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":\#(limit)}]}}"#
    }

    func answer(_ harness: UplinkHarness, _ frame: String) async throws -> SentFrame {
        harness.transport.deliver(frame)
        let reply = try await harness.next()
        #expect(reply.type == 3, "\(frame) -> \(reply.text)")
        return reply
    }

    @Test("a TxProfile is accepted for the transaction the queue started, and removed when its StopTransaction is queued")
    func txProfileFollowsTheQueue() async throws {
        let harness = try UplinkHarness.start()
        let (smartCharging, recorder) = await attachSmartCharging(to: harness)
        try await harness.connectAndBoot()

        var reply = try await answer(harness, #"[2,"sc-1","SetChargingProfile",{"connectorId":1,"csChargingProfiles":\#(txProfile(id: 1, transactionId: nil, limit: 8))}]"#)
        #expect(reply.payload["status"]?.stringValue == "Rejected")  // no transaction yet

        let local = try await harness.uplink.enqueueStartTransaction(connectorId: 1, idTag: "TAG", meterStart: 0, timestamp: testEpoch)
        let start = try await harness.expectCall("StartTransaction")
        harness.reply(start, #"{"idTagInfo":{"status":"Accepted"},"transactionId":321}"#)
        try await harness.eventually("the transaction id reached smart charging") {
            await smartCharging.report().transactions.first?.transactionId == 321
        }
        reply = try await answer(harness, #"[2,"sc-2","SetChargingProfile",{"connectorId":1,"csChargingProfiles":\#(txProfile(id: 2, transactionId: 322, limit: 8))}]"#)
        #expect(reply.payload["status"]?.stringValue == "Rejected")  // another transaction
        reply = try await answer(harness, #"[2,"sc-3","SetChargingProfile",{"connectorId":1,"csChargingProfiles":\#(txProfile(id: 3, transactionId: 321, limit: 8))}]"#)
        #expect(reply.payload["status"]?.stringValue == "Accepted")
        #expect(await recorder.latest == [CentralLimit(consumer: "connector-1", limit: 8, unit: .amperes)])

        reply = try await answer(harness, #"[2,"sc-4","GetCompositeSchedule",{"connectorId":1,"duration":300}]"#)
        #expect(reply.payload["status"]?.stringValue == "Accepted")
        #expect(reply.payload["connectorId"]?.intValue == 1)
        reply = try await answer(harness, #"[2,"sc-5","ClearChargingProfile",{"id":99}]"#)
        #expect(reply.payload["status"]?.stringValue == "Unknown")

        try await harness.uplink.enqueueStopTransaction(localTransactionId: local, meterStop: 10, timestamp: testEpoch)
        #expect(await smartCharging.report().profiles.isEmpty)
        #expect(await recorder.latest.isEmpty)
        await harness.stop()
    }

    @Test("without smart charging attached the profile calls still get a valid answer")
    func withoutSmartCharging() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        var reply = try await answer(harness, #"[2,"n-1","SetChargingProfile",{"connectorId":0,"csChargingProfiles":\#(txProfile(id: 1, transactionId: nil, limit: 8))}]"#)
        #expect(reply.payload["status"]?.stringValue == "NotSupported")
        reply = try await answer(harness, #"[2,"n-2","ClearChargingProfile",{}]"#)
        #expect(reply.payload["status"]?.stringValue == "Unknown")
        reply = try await answer(harness, #"[2,"n-3","GetCompositeSchedule",{"connectorId":0,"duration":60}]"#)
        #expect(reply.payload["status"]?.stringValue == "Rejected")
        await harness.stop()
    }
}
