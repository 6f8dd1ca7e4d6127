import Foundation
import OCPP
import Testing
@testable import EdgeAgent

@Suite("Uplink: boot, heartbeat, statuses, incoming calls")
struct UplinkRegistrationTests {
    @Test func acceptedBootSendsEveryConnectorsCurrentStatusAndAdoptsTheInterval() async throws {
        let harness = try UplinkHarness.start()
        let notifications = try await harness.connectAndBoot(interval: 42)
        #expect(notifications.map { $0.payload["connectorId"]?.intValue } == [0, 1, 2, 3])
        #expect(notifications.map { $0.payload["status"]?.stringValue } == ["Available", "Available", "Faulted", "Available"])
        #expect(notifications[2].payload["errorCode"]?.stringValue == "OtherError")
        #expect(notifications[2].payload["info"]?.stringValue == "lock feedback missing")
        #expect(notifications[1].payload["errorCode"]?.stringValue == "NoError")
        #expect(await harness.uplink.state().state == .connected)
        // The boot interval became HeartbeatInterval, and it is stored.
        #expect(try harness.store.ocppConfigurationValues()["HeartbeatInterval"] == "42")
        await harness.stop()
    }

    @Test func stateIsConnectingUntilTheFirstAttemptFailsThenOffline() async throws {
        let harness = try UplinkHarness.start()
        try await harness.settle()
        #expect(await harness.uplink.state().state == .connecting)
        harness.transport.failAttempt("connection refused")
        try await harness.eventually("offline after the failed attempt") { await harness.uplink.state().state == .offline }
        #expect(await harness.uplink.state() == UplinkSnapshot(
            state: .offline, lastMessageAt: nil, queueDepth: 0, detail: "connection refused"))
        await harness.stop()
    }

    @Test func bootNotificationOmitsEmptyOptionalFields() async throws {
        let station = StationConfiguration(identity: "X", vendor: "EdgeAgent", model: "Locker")
        let request = UplinkSetup.bootNotification(for: station, buildVersion: "0.1.0")
        let frame = try SentFrame(try OutgoingCall(request).frame)
        #expect(Set(frame.payload.keys) == ["chargePointVendor", "chargePointModel", "firmwareVersion"])
        #expect(frame.payload["firmwareVersion"]?.stringValue == "edge-agent 0.1.0")
    }

    @Test func heartbeatGoesOutWhenDueAndIsRescheduled() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot(interval: 60)
        try await harness.expectSilence()
        await harness.uplink.tick(at: .now.advanced(by: .seconds(61)))
        let heartbeat = try await harness.expectCall("Heartbeat")
        harness.reply(heartbeat, #"{"currentTime":"2026-11-18T20:27:41.000Z"}"#)
        await harness.uplink.tick(at: .now.advanced(by: .seconds(62)))
        try await harness.expectSilence()  // next one is due 60 s after the first
        await harness.stop()
    }

    @Test func pendingAnswersCentralSystemCallsButSendsNothingElseUntilTheRetry() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot(status: "Pending", interval: 20)
        #expect(await harness.uplink.state().state == .pending)
        _ = try await harness.uplink.enqueueStartTransaction(connectorId: 1, idTag: "TAG", meterStart: 0, timestamp: testEpoch)
        harness.transport.deliver(#"[2,"cs-1","GetConfiguration",{"key":["HeartbeatInterval"]}]"#)
        let answer = try await harness.next()
        #expect(answer.type == 3 && answer.id == "cs-1")
        await harness.uplink.tick(at: .now.advanced(by: .seconds(5)))
        try await harness.expectSilence()
        await harness.uplink.tick(at: .now.advanced(by: .seconds(21)))
        let boot = try await harness.expectCall("BootNotification")
        harness.reply(boot, #"{"status":"Accepted","currentTime":"2026-11-18T20:26:40.000Z","interval":300}"#)
        for _ in 0...3 { harness.reply(try await harness.expectCall("StatusNotification"), "{}") }
        _ = try await harness.expectCall("StartTransaction")  // the queue moves only once accepted
        await harness.stop()
    }

    @Test func rejectedSendsNothingUntilTheIntervalHasPassed() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot(status: "Rejected", interval: 30)
        #expect(await harness.uplink.state().state == .rejected)
        harness.transport.deliver(#"[2,"cs-1","GetConfiguration",{}]"#)
        harness.transport.deliver("not json")
        await harness.uplink.tick(at: .now.advanced(by: .seconds(10)))
        try await harness.expectSilence()
        await harness.uplink.tick(at: .now.advanced(by: .seconds(31)))
        _ = try await harness.expectCall("BootNotification")
        await harness.stop()
    }

    @Test func untrustedBoardClockIsCorrectedByTheCentralSystemsTime() async throws {
        // A board without RTC: 1970 plus a bit.
        let harness = try UplinkHarness.start(wallClock: { Date(timeIntervalSince1970: 1000) })
        let notifications = try await harness.connectAndBoot(currentTime: "2026-11-18T20:26:40.000Z")
        #expect(notifications[0].payload["timestamp"]?.stringValue == "2026-11-18T20:26:40.000Z")
        #expect(await harness.uplink.now() == OCPPDate.date(from: "2026-11-18T20:26:40.000Z"))
        await harness.stop()
    }

    @Test func clockRule() {
        var clock = CentralSystemClock()
        let board = testEpoch
        #expect(clock.isTrustworthy(boardTime: board))
        #expect(!clock.isTrustworthy(boardTime: Date(timeIntervalSince1970: 0)))
        #expect(clock.correctedEarlierStamp(board) == nil)
        clock.synchronize(centralTime: board.addingTimeInterval(4), boardTime: board)
        #expect(clock.offset == 0)  // within 5 s the NTP-kept board clock wins
        clock.synchronize(centralTime: board.addingTimeInterval(-30), boardTime: board)
        #expect(clock.offset == -30)
        #expect(clock.now(boardTime: board) == board.addingTimeInterval(-30))
        #expect(clock.correctedEarlierStamp(board) == board.addingTimeInterval(-30))
    }

    @Test func statusChangeIsSentOnlineAndTheCurrentOneAfterReconnect() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        harness.connectors.change(ConnectorStatus(connectorId: 1, status: .charging))
        let change = try await harness.expectCall("StatusNotification")
        #expect(change.payload["status"]?.stringValue == "Charging")
        harness.reply(change, "{}")
        harness.transport.disconnect()
        try await harness.eventually("offline after the disconnect") { await harness.uplink.state().state == .offline }
        harness.connectors.change(ConnectorStatus(connectorId: 1, status: .finishing))
        harness.connectors.change(ConnectorStatus(connectorId: 1, status: .available))
        try await harness.expectSilence()  // nothing piles up while offline
        let notifications = try await harness.connectAndBoot()
        #expect(notifications[1].payload["status"]?.stringValue == "Available")
        try await harness.expectSilence()
        await harness.stop()
    }

    @Test func malformedFramesGetTheirCallErrorAndChangeNothing() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        let cases: [(String, String, String)] = [
            ("not json", "-1", "FormationViolation"),
            (#"{"an":"object"}"#, "-1", "ProtocolError"),
            (#"[2,"m-1","FlyToTheMoon",{}]"#, "m-1", "NotImplemented"),
            (#"[2,"m-2","ChangeConfiguration",{"key":"HeartbeatInterval"}]"#, "m-2", "OccurenceConstraintViolation"),
            (#"[2,"m-3","ChangeConfiguration",{"key":"HeartbeatInterval","value":5}]"#, "m-3", "TypeConstraintViolation"),
            (#"[2,"m-4","RemoteStartTransaction",{"idTag":"ABC"}]"#, "m-4", "NotSupported"),
        ]
        for (frame, id, code) in cases {
            harness.transport.deliver(frame)
            let answer = try await harness.next()
            #expect(answer.type == 4 && answer.id == id && answer.errorCode == code, "\(frame) -> \(answer.text)")
        }
        #expect(try harness.store.ocppConfigurationValues()["HeartbeatInterval"] == nil)
        #expect(await harness.uplink.state().state == .connected)
        await harness.stop()
    }

    @Test func centralSystemCallIsAnsweredWhileOurCallIsOutstanding() async throws {
        let harness = try UplinkHarness.start()
        harness.transport.connect()
        let boot = try await harness.expectCall("BootNotification")
        harness.transport.deliver(#"[2,"cs-7","DataTransfer",{"vendorId":"acme"}]"#)
        let answer = try await harness.next()
        #expect(answer.type == 3 && answer.id == "cs-7" && answer.payload["status"]?.stringValue == "UnknownVendorId")
        harness.reply(boot, #"{"status":"Accepted","currentTime":"2026-11-18T20:26:40.000Z","interval":300}"#)
        _ = try await harness.expectCall("StatusNotification")
        await harness.stop()
    }

    @Test func triggerMessageSendsTheRequestedMessageAfterItsConfirmation() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        harness.transport.deliver(#"[2,"t-1","TriggerMessage",{"requestedMessage":"StatusNotification","connectorId":2}]"#)
        let answer = try await harness.next()
        #expect(answer.id == "t-1" && answer.payload["status"]?.stringValue == "Accepted")
        let status = try await harness.expectCall("StatusNotification")
        #expect(status.payload["connectorId"]?.intValue == 2)
        harness.reply(status, "{}")
        harness.transport.deliver(#"[2,"t-2","TriggerMessage",{"requestedMessage":"DiagnosticsStatusNotification"}]"#)
        #expect(try await harness.next().payload["status"]?.stringValue == "NotImplemented")
        await harness.stop()
    }
}
