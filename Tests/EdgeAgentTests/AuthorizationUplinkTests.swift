import Foundation
import OCPP
import Testing
@testable import EdgeAgent

@Suite("Authorization: local list, cache and Authorize over the uplink")
struct AuthorizationUplinkTests {
    func authorizer(_ harness: UplinkHarness, attached: Bool = true) async -> Authorizer {
        let authorizer = Authorizer(store: harness.store, offlinePolicy: AuthorizationPolicy(), logger: quietLogger, clock: { testEpoch })
        if attached { await authorizer.attach(centralSystem: harness.uplink) }
        return authorizer
    }

    func status(of frame: SentFrame) -> String? { frame.payload["status"]?.stringValue }

    @Test func sendLocalListFullThenDifferentialWithVersionsAndGetLocalListVersion() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        harness.transport.deliver(#"[2,"v-0","GetLocalListVersion",{}]"#)
        #expect(try await harness.next().payload["listVersion"]?.intValue == 0)

        harness.transport.deliver(#"""
            [2,"l-1","SendLocalList",{"listVersion":4,"updateType":"Full","localAuthorizationList":[
              {"idTag":"CARD1","idTagInfo":{"status":"Accepted","parentIdTag":"FLEET"}},
              {"idTag":"CARD2","idTagInfo":{"status":"Blocked"}}]}]
            """#)
        let full = try await harness.next()
        #expect(full.type == 3 && full.id == "l-1" && status(of: full) == "Accepted")
        harness.transport.deliver(#"[2,"l-2","SendLocalList",{"listVersion":5,"updateType":"Differential","localAuthorizationList":[{"idTag":"CARD2"},{"idTag":"CARD3","idTagInfo":{"status":"Accepted"}}]}]"#)
        #expect(status(of: try await harness.next()) == "Accepted")
        harness.transport.deliver(#"[2,"l-3","SendLocalList",{"listVersion":5,"updateType":"Differential","localAuthorizationList":[{"idTag":"CARD4","idTagInfo":{"status":"Accepted"}}]}]"#)
        #expect(status(of: try await harness.next()) == "VersionMismatch")
        harness.transport.deliver(#"[2,"v-1","GetLocalListVersion",{}]"#)
        #expect(try await harness.next().payload["listVersion"]?.intValue == 5)

        #expect(try harness.store.localAuthorizationEntry(for: "CARD1") == IdTagInfo(status: .accepted, parentIdTag: "FLEET"))
        #expect(try harness.store.localAuthorizationEntry(for: "CARD2") == nil)
        #expect(try harness.store.localAuthorizationEntry(for: "CARD4") == nil)
        #expect(try harness.store.auditRecords().first?.action == "local-list")
        await harness.stop()
    }

    @Test func sendLocalListOverSendLocalListMaxLengthFails() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        // The harness registry keeps the default SendLocalListMaxLength of 1,000.
        let entries = (0...1_000).map { #"{"idTag":"T\#($0)","idTagInfo":{"status":"Accepted"}}"# }.joined(separator: ",")
        harness.transport.deliver(#"[2,"l-1","SendLocalList",{"listVersion":1,"updateType":"Full","localAuthorizationList":[\#(entries)]}]"#)
        #expect(status(of: try await harness.next()) == "Failed")
        #expect(try harness.store.localAuthorizationListSize() == 0)
        await harness.stop()
    }

    @Test func sendLocalListIsNotSupportedWhileTheListIsDisabled() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        harness.transport.deliver(#"[2,"c-1","ChangeConfiguration",{"key":"LocalAuthListEnabled","value":"false"}]"#)
        #expect(status(of: try await harness.next()) == "Accepted")
        harness.transport.deliver(#"[2,"l-1","SendLocalList",{"listVersion":1,"updateType":"Full","localAuthorizationList":[]}]"#)
        #expect(status(of: try await harness.next()) == "NotSupported")
        await harness.stop()
    }

    @Test func clearCacheEmptiesTheCacheOrIsRejectedWhenTheCacheIsDisabled() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        try harness.store.recordInAuthorizationCache(IdTagInfo(status: .accepted), for: "CARD1", capacity: 10)
        harness.transport.deliver(#"[2,"x-1","ClearCache",{}]"#)
        #expect(status(of: try await harness.next()) == "Accepted")
        #expect(try harness.store.authorizationCacheSize() == 0)
        harness.transport.deliver(#"[2,"c-1","ChangeConfiguration",{"key":"AuthorizationCacheEnabled","value":"false"}]"#)
        #expect(status(of: try await harness.next()) == "Accepted")
        harness.transport.deliver(#"[2,"x-2","ClearCache",{}]"#)
        #expect(status(of: try await harness.next()) == "Rejected")
        await harness.stop()
    }

    @Test func onlineTheCentralSystemDecidesAndItsAnswerIsCachedForOfflineUse() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        let authorizer = await authorizer(harness)
        let asking = Task { await authorizer.explain(idTag: "CARD7") }
        let call = try await harness.expectCall("Authorize")
        #expect(call.payload["idTag"]?.stringValue == "CARD7")
        harness.reply(call, #"{"idTagInfo":{"status":"Accepted","parentIdTag":"FLEET"}}"#)
        let online = await asking.value
        #expect(online.outcome == AuthorizationOutcome(status: .accepted, parentIdTag: "FLEET", source: .centralSystem))
        #expect(online.askedCentralSystem)
        #expect(try harness.store.authorizationCacheEntry(for: "CARD7") == IdTagInfo(status: .accepted, parentIdTag: "FLEET"))

        harness.transport.disconnect()
        try await harness.eventually("the uplink is offline") { await harness.uplink.state().state == .offline }
        let offline = await authorizer.explain(idTag: "CARD7")
        #expect(offline.outcome == AuthorizationOutcome(status: .accepted, parentIdTag: "FLEET", source: .cache))
        #expect(!offline.askedCentralSystem)
        #expect(await authorizer.authorize(idTag: "STRANGER") == AuthorizationOutcome(status: .invalid, source: .offlinePolicy))
        await harness.stop()
    }

    @Test func aCallErrorOrALostLinkFallsBackToTheOfflineRules() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        _ = try harness.store.applyLocalListUpdate(
            SendLocalListRequest(listVersion: 1, localAuthorizationList: [AuthorizationData(idTag: "LISTED", idTagInfo: IdTagInfo(status: .accepted))],
                                 updateType: .full),
            limits: LocalListLimits(sendLocalListMaxLength: 10, localAuthListMaxLength: 10))
        let authorizer = await authorizer(harness)
        let refused = Task { await authorizer.explain(idTag: "LISTED") }
        harness.callError(try await harness.expectCall("Authorize"))
        let fallback = await refused.value
        #expect(fallback.outcome == AuthorizationOutcome(status: .accepted, source: .localList))
        #expect(fallback.reason.contains("no answer"))

        let dropped = Task { await authorizer.authorize(idTag: "UNKNOWN") }
        _ = try await harness.expectCall("Authorize")
        harness.transport.disconnect()
        #expect(await dropped.value == AuthorizationOutcome(status: .invalid, source: .offlinePolicy))
        #expect(try harness.store.authorizationCacheEntry(for: "UNKNOWN") == nil)
        await harness.stop()
    }

    @Test func localPreAuthorizeAcceptsAListedCardWithoutAskingAndKeysChangeAtOnce() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        _ = try harness.store.applyLocalListUpdate(
            SendLocalListRequest(listVersion: 1, localAuthorizationList: [AuthorizationData(idTag: "LISTED", idTagInfo: IdTagInfo(status: .accepted))],
                                 updateType: .full),
            limits: LocalListLimits(sendLocalListMaxLength: 10, localAuthListMaxLength: 10))
        harness.transport.deliver(#"[2,"c-1","ChangeConfiguration",{"key":"LocalPreAuthorize","value":"true"}]"#)
        #expect(status(of: try await harness.next()) == "Accepted")
        let authorizer = await authorizer(harness)
        #expect(await authorizer.currentPolicy().localPreAuthorize)
        #expect(await authorizer.authorize(idTag: "listed") == AuthorizationOutcome(status: .accepted, source: .localList))
        try await harness.expectSilence()
        await harness.stop()
    }

    @Test func startAndStopTransactionConfirmationsUpdateTheCache() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        let local = try await harness.uplink.enqueueStartTransaction(connectorId: 1, idTag: "CARD9", meterStart: 0, timestamp: testEpoch)
        let start = try await harness.expectCall("StartTransaction")
        harness.reply(start, #"{"transactionId":41,"idTagInfo":{"status":"Invalid"}}"#)
        try await harness.eventually("the StartTransaction's idTagInfo is cached") {
            try harness.store.authorizationCacheEntry(for: "CARD9")?.status == .invalid
        }
        try await harness.uplink.enqueueStopTransaction(localTransactionId: local, meterStop: 10, timestamp: testEpoch, idTag: "CARD9")
        let stop = try await harness.expectCall("StopTransaction")
        harness.reply(stop, #"{"idTagInfo":{"status":"Blocked"}}"#)
        try await harness.eventually("the StopTransaction's idTagInfo is cached") {
            try harness.store.authorizationCacheEntry(for: "CARD9")?.status == .blocked
        }
        await harness.stop()
    }

    @Test func withoutACentralSystemTheListCacheAndOfflinePolicyDecide() async throws {
        let harness = try UplinkHarness.start()
        try harness.store.recordInAuthorizationCache(IdTagInfo(status: .accepted), for: "CACHED", capacity: 10)
        let lenient = Authorizer(
            store: harness.store, offlinePolicy: AuthorizationPolicy(allowOfflineTxForUnknownId: true), logger: quietLogger,
            clock: { testEpoch })
        #expect(await lenient.authorize(idTag: "CACHED") == AuthorizationOutcome(status: .accepted, source: .cache))
        #expect(await lenient.authorize(idTag: "NEW") == AuthorizationOutcome(status: .accepted, source: .offlinePolicy))
        let strict = await authorizer(harness, attached: false)
        #expect(await strict.authorize(idTag: "NEW") == AuthorizationOutcome(status: .invalid, source: .offlinePolicy))
        await harness.stop()
    }
}
