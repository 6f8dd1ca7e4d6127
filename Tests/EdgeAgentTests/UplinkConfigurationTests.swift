import Foundation
import OCPP
import Testing
@testable import EdgeAgent

@Suite("Uplink: configuration keys")
struct UplinkConfigurationTests {
    @Test func getConfigurationReturnsAllReadableKeysAndListsUnknownOnes() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        harness.transport.deliver(#"[2,"g-1","GetConfiguration",{}]"#)
        let all = try await harness.next()
        guard case .array(let keys)? = all.payload["configurationKey"] else { Issue.record("no keys: \(all.text)"); return }
        let names = keys.compactMap { key -> String? in
            if case .object(let fields) = key { return fields["key"]?.stringValue }
            return nil
        }
        #expect(names.contains("HeartbeatInterval") && names.contains("NumberOfConnectors"))
        #expect(!names.contains("AuthorizationKey"))
        harness.transport.deliver(#"[2,"g-2","GetConfiguration",{"key":["NumberOfConnectors","NoSuchKey"]}]"#)
        let some = try await harness.next()
        #expect(some.text.contains(#""value":"3""#))
        #expect(some.payload["unknownKey"] == .array([.string("NoSuchKey")]))
        await harness.stop()
    }

    @Test func changedHeartbeatIntervalIsStoredSurvivesARestartAndTakesEffect() async throws {
        let folder = makeTemporaryFolder()
        let first = try UplinkHarness.start(folder: folder)
        try await first.connectAndBoot()
        first.transport.deliver(#"[2,"c-1","ChangeConfiguration",{"key":"heartbeatinterval","value":"15"}]"#)
        #expect(try await first.next().payload["status"]?.stringValue == "Accepted")
        await first.uplink.tick(at: .now.advanced(by: .seconds(16)))
        _ = try await first.expectCall("Heartbeat")
        #expect(try first.store.auditRecords().first?.target == "HeartbeatInterval")
        await first.stop()

        let second = try UplinkHarness.start(folder: folder)
        // The boot response's interval (0 = keep) leaves the stored value alone.
        try await second.connectAndBoot(interval: 0)
        second.transport.deliver(#"[2,"g-1","GetConfiguration",{"key":["HeartbeatInterval"]}]"#)
        #expect(try await second.next().text.contains(#""value":"15""#))
        await second.stop()
    }

    @Test func readOnlyAndInvalidValuesAreRejectedAndUnknownKeysNotSupported() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        let cases = [
            (#"{"key":"NumberOfConnectors","value":"9"}"#, "Rejected"),
            (#"{"key":"HeartbeatInterval","value":"soon"}"#, "Rejected"),
            (#"{"key":"MadeUpKey","value":"1"}"#, "NotSupported"),
            (#"{"key":"SecurityProfile","value":"2"}"#, "Rejected"),
        ]
        for (index, (payload, status)) in cases.enumerated() {
            harness.transport.deliver(#"[2,"r-\#(index)","ChangeConfiguration",\#(payload)]"#)
            #expect(try await harness.next().payload["status"]?.stringValue == status)
        }
        #expect(try harness.store.ocppConfigurationValues().isEmpty)
        await harness.stop()
    }

    @Test func authorizationKeyIsStoredPassedToTheTransportAndNeverReturned() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        harness.transport.deliver(#"[2,"a-1","ChangeConfiguration",{"key":"AuthorizationKey","value":"0123456789abcdef0123"}]"#)
        #expect(try await harness.next().payload["status"]?.stringValue == "Accepted")
        #expect(harness.transport.authorizationKeysSet == ["0123456789abcdef0123"])
        #expect(try harness.store.ocppConfigurationValues()["AuthorizationKey"] == "0123456789abcdef0123")
        #expect(try !harness.store.auditRecords().contains { ($0.reason ?? "").contains("0123456789abcdef0123") })
        harness.transport.deliver(#"[2,"a-2","GetConfiguration",{"key":["AuthorizationKey"]}]"#)
        let answer = try await harness.next()
        #expect(!answer.text.contains("0123456789abcdef0123"))
        #expect(answer.payload["unknownKey"] == .array([.string("AuthorizationKey")]))
        // The stored key is the next connection's password.
        let keys = UplinkSetup.loadKeys(
            registry: .standard(ChargePointCapabilities(numberOfConnectors: 3)), store: harness.store,
            central: CentralSystemConfiguration(url: "ws://x/ocpp", securityProfile: 1, passwordFile: "/nonexistent"),
            logger: quietLogger)
        #expect(UplinkSetup.initialPassword(
            keys: keys, central: CentralSystemConfiguration(url: "ws://x/ocpp", securityProfile: 1, passwordFile: "/nonexistent"),
            logger: quietLogger) == "0123456789abcdef0123")
        await harness.stop()
    }

    @Test func pingIntervalChangeReachesTheTransport() async throws {
        let harness = try UplinkHarness.start()
        try await harness.connectAndBoot()
        harness.transport.deliver(#"[2,"p-1","ChangeConfiguration",{"key":"WebSocketPingInterval","value":"25"}]"#)
        _ = try await harness.next()
        #expect(harness.transport.pingIntervalsSet == [25])
        await harness.stop()
    }
}
