import Foundation
import Logging
import Testing

@testable import OCPP

/// OCPPConnection against a real WebSocket peer (transport_peer.py on the `websockets` package).
@Suite("Transport: connection against a real WebSocket peer")
struct TransportConnectionTests {
    static let fastBackoff = ReconnectBackoffSettings(
        initialDelay: .milliseconds(200), maximumDelay: .seconds(1), multiplier: 2, jitterFraction: 0.2)

    func configuration(
        port: Int, identity: String, profile: OCPPSecurityProfile = .unsecured, password: String? = nil,
        pingInterval: Duration = .zero, pingTimeout: Duration = .seconds(1)
    ) -> OCPPConnectionConfiguration {
        OCPPConnectionConfiguration(
            centralSystemURL: "ws://127.0.0.1:\(port)/ocpp", stationIdentity: identity, securityProfile: profile,
            password: password, pingInterval: pingInterval, pingTimeout: pingTimeout, backoff: Self.fastBackoff,
            connectTimeout: .seconds(5))
    }

    func welcome(_ frame: String) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(frame.utf8)) as? [String: Any]
        return (object ?? [:]).compactMapValues { $0 as? String }
    }

    @Test func connectsWithOCPP16AndExchangesFramesBothWays() async throws {
        let identity = "Locker 7/ü"
        let peer = try await PythonPeer.start(identity: identity)
        let harness = ConnectionHarness(configuration(port: peer.port, identity: identity))
        defer { peer.kill() }
        await #expect(throws: OCPPConnectionError.notConnected) { try await harness.connection.send("too early") }
        try await harness.waitConnected()

        let seen = try welcome(try await harness.nextFrame())
        #expect(seen["subprotocol"] == "ocpp1.6")
        #expect(seen["path"] == "/ocpp/Locker%207%2F%C3%BC")
        #expect(seen["authorization"] == nil)
        #expect(seen["host"] == "127.0.0.1:\(peer.port)")

        let call = #"[2,"19223201","BootNotification",{"chargePointVendor":"edge","chargePointModel":"locker"}]"#
        try await harness.connection.send(call)
        #expect(try await harness.nextFrame() == "echo:" + call)
        let large = String(repeating: "x", count: 200_000)
        try await harness.connection.send(large)
        #expect(try await harness.nextFrame() == "echo:" + large)
        await harness.stop()
        #expect(await harness.connection.currentState == .disconnected(.stopped))
    }

    @Test func serverWithoutOCPP16SubprotocolIsRefused() async throws {
        let peer = try await PythonPeer.start(identity: "CP1", ["--mode", "no-subprotocol"])
        let harness = ConnectionHarness(configuration(port: peer.port, identity: "CP1"))
        defer { peer.kill() }
        let reason = try await harness.nextDisconnect()
        guard case .connectFailed(.subprotocolNotAccepted(_, let answered)) = reason else {
            Issue.record("expected subprotocolNotAccepted, got \(reason)")
            return
        }
        #expect(answered == nil)
        #expect(reason.description.contains("ocpp1.6"))
        await harness.stop()
    }

    @Test func basicAuthWithTheRightPasswordConnects() async throws {
        let password = "0123456789abcdef0123"
        let peer = try await PythonPeer.start(identity: "CP-AUTH", ["--password", password])
        let harness = ConnectionHarness(configuration(
            port: peer.port, identity: "CP-AUTH", profile: .basicAuth, password: password))
        defer { peer.kill() }
        try await harness.waitConnected()
        let seen = try welcome(try await harness.nextFrame())
        #expect(seen["authorization"] == "Basic " + Data("CP-AUTH:\(password)".utf8).base64EncodedString())
        await harness.stop()
    }

    @Test func wrongPasswordIsReportedAs401AndANewPasswordIsUsedOnReconnect() async throws {
        let peer = try await PythonPeer.start(identity: "CP-AUTH", ["--password", "right-password-123"])
        let harness = ConnectionHarness(configuration(
            port: peer.port, identity: "CP-AUTH", profile: .basicAuth, password: "wrong-password-123"))
        defer { peer.kill() }
        let reason = try await harness.nextDisconnect()
        #expect(reason == .connectFailed(.unauthorized(url: "ws://127.0.0.1:\(peer.port)/ocpp/CP-AUTH")))
        #expect(reason.description.contains("401"))
        #expect(!reason.description.contains("wrong-password-123"))
        await harness.connection.updatePassword("right-password-123")
        try await harness.waitConnected()
        await harness.stop()
    }

    @Test func unknownStationIdentityIsReportedAs404() async throws {
        let peer = try await PythonPeer.start(identity: "CP-KNOWN")
        let harness = ConnectionHarness(configuration(port: peer.port, identity: "CP-OTHER"))
        defer { peer.kill() }
        let reason = try await harness.nextDisconnect()
        #expect(reason == .connectFailed(.unknownStationIdentity(url: "ws://127.0.0.1:\(peer.port)/ocpp/CP-OTHER")))
        await harness.stop()
    }

    @Test func connectionRefusedIsNamed() async throws {
        // A port bound but not listening refuses connections, and stays ours for the whole test (a port freed
        // by killing a server could be taken by another test running in parallel).
        let reserved = try ReservedPort()
        defer { reserved.release() }
        let port = reserved.port
        let harness = ConnectionHarness(configuration(port: port, identity: "CP1"))
        let reason = try await harness.nextDisconnect()
        #expect(reason == .connectFailed(.connectionRefused(host: "127.0.0.1", port: port)))
        await harness.stop()
    }

    @Test func unresolvableHostIsADNSFailure() async throws {
        var configuration = configuration(port: 80, identity: "CP1")
        configuration.centralSystemURL = "ws://csms.nonexistent.invalid/ocpp"
        let harness = ConnectionHarness(configuration)
        let reason = try await harness.nextDisconnect()
        #expect(reason == .connectFailed(.dnsFailure(host: "csms.nonexistent.invalid")))
        await harness.stop()
    }

    @Test func serverThatNeverAnswersTimesOut() async throws {
        let peer = try await PythonPeer.start(identity: "CP1", ["--mode", "silent"])
        var configuration = configuration(port: peer.port, identity: "CP1")
        configuration.connectTimeout = .seconds(1)
        let harness = ConnectionHarness(configuration)
        defer { peer.kill() }
        let reason = try await harness.nextDisconnect()
        #expect(reason == .connectFailed(.timedOut(host: "127.0.0.1", port: peer.port, after: .seconds(1))))
        await harness.stop()
    }

    @Test func closeByServerGoesOfflineAtOnceAndReconnects() async throws {
        let peer = try await PythonPeer.start(identity: "CP1")
        let harness = ConnectionHarness(configuration(port: peer.port, identity: "CP1"))
        defer { peer.kill() }
        try await harness.waitConnected()
        _ = try await harness.nextFrame()
        try await harness.connection.send("close")
        #expect(try await harness.nextDisconnect() == .closedByCentralSystem(code: 1000, reason: "bye"))
        await #expect(throws: OCPPConnectionError.notConnected) { try await harness.connection.send("while offline") }
        _ = try await harness.nextState { $0 == .connecting(attempt: 1) }
        try await harness.waitConnected()
        await harness.stop()
    }

    @Test func killedServerIsNoticedAndTheClientReconnectsWhenItIsBack() async throws {
        let peer = try await PythonPeer.start(identity: "CP1")
        let harness = ConnectionHarness(configuration(port: peer.port, identity: "CP1"))
        try await harness.waitConnected()
        _ = try await harness.nextFrame()  // the first server's welcome
        peer.kill()
        let reason = try await harness.nextDisconnect()
        guard case .linkLost = reason else {
            Issue.record("expected linkLost after the server died, got \(reason)")
            return
        }
        // While the server is down attempts fail with "refused"; then it comes back on the same port.
        #expect(try await harness.nextDisconnect() == .connectFailed(.connectionRefused(host: "127.0.0.1", port: peer.port)))
        let revived = try await PythonPeer.start(identity: "CP1", port: peer.port)
        defer { revived.kill() }
        try await harness.waitConnected()
        try await harness.connection.send("after restart")
        _ = try await harness.nextFrame()  // the revived server's welcome
        #expect(try await harness.nextFrame() == "echo:after restart")
        await harness.stop()
    }

    @Test func deadLinkIsDetectedByMissingPongs() async throws {
        let peer = try await PythonPeer.start(identity: "CP1")
        let harness = ConnectionHarness(configuration(
            port: peer.port, identity: "CP1", pingInterval: .seconds(1), pingTimeout: .seconds(2)))
        defer { peer.kill() }
        try await harness.waitConnected()
        _ = try await harness.nextFrame()
        // Pongs keep a healthy link up across several ping intervals.
        try await Task.sleep(for: .milliseconds(2500))
        #expect(await harness.connection.currentState == .connected)
        try await harness.connection.send("deaf")
        #expect(try await harness.nextDisconnect() == .pingTimeout)
        await harness.stop()
    }

    @Test func pingIntervalSetWhileConnectedTakesEffectOnTheRunningLink() async throws {
        let peer = try await PythonPeer.start(identity: "CP1")
        let harness = ConnectionHarness(configuration(port: peer.port, identity: "CP1", pingInterval: .zero))
        defer { peer.kill() }
        try await harness.waitConnected()
        _ = try await harness.nextFrame()
        try await harness.connection.send("deaf")
        await harness.connection.updatePingInterval(.seconds(1))
        #expect(try await harness.nextDisconnect() == .pingTimeout)
        await harness.stop()
    }

    @Test func closeByTheStationEndsTheLinkAndRunConnectsAgain() async throws {
        let peer = try await PythonPeer.start(identity: "CP1")
        let harness = ConnectionHarness(configuration(port: peer.port, identity: "CP1"))
        defer { peer.kill() }
        try await harness.waitConnected()
        await harness.connection.close()
        #expect(try await harness.nextDisconnect() == .closedByStation)
        try await harness.waitConnected()
        await harness.stop()
    }

    /// The `OCPPFrameTransport` seam: one ordered stream of connected / frame / disconnected.
    @Test func eventsStreamCarriesConnectionChangesAndFramesInOrder() async throws {
        let peer = try await PythonPeer.start(identity: "CP1")
        defer { peer.kill() }
        var logger = Logger(label: "ocpp-transport-test")
        logger.logLevel = .critical
        let connection = OCPPConnection(
            configuration: configuration(port: peer.port, identity: "CP1"), logger: logger)
        let transport: any OCPPFrameTransport = connection
        let events = StreamReader(transport.events)
        let run = Task { await connection.run() }
        #expect(try await events.next(within: .seconds(15)) { _ in true } == .connected)
        guard case .frame(let welcome) = try await events.next(within: .seconds(15), where: { _ in true }) else {
            Issue.record("expected the welcome frame")
            return
        }
        #expect(welcome.contains("ocpp1.6"))
        try await transport.send("close")
        #expect(try await events.next(within: .seconds(15)) { _ in true }
            == .disconnected(reason: OCPPDisconnectReason.closedByCentralSystem(code: 1000, reason: "bye").description))
        #expect(try await events.next(within: .seconds(15)) { _ in true } == .connected)
        run.cancel()
        await run.value
    }

    /// Interoperability with the `ocpp` package's central system, which checks every frame
    /// against the official OCPP 1.6 JSON schemas.
    @Test func bootNotificationIsAcceptedByAnOCPPPackageCentralSystem() async throws {
        let peer = try await PythonPeer.start(identity: "CP-BOOT", ["--mode", "central-system"])
        let harness = ConnectionHarness(configuration(port: peer.port, identity: "CP-BOOT"))
        defer { peer.kill() }
        try await harness.waitConnected()
        try await harness.connection.send(
            #"[2,"boot-1","BootNotification",{"chargePointVendor":"edge-agent","chargePointModel":"locker"}]"#)
        let answer = try await harness.nextFrame()
        #expect(answer.hasPrefix(#"[3,"boot-1","#))
        #expect(answer.contains(#""status":"Accepted""#) || answer.contains(#""status": "Accepted""#))
        // A payload that violates the schema gets a CALLERROR, proving the peer really validates.
        try await harness.connection.send(#"[2,"boot-2","BootNotification",{"chargePointVendor":"edge-agent"}]"#)
        let error = try await harness.nextFrame()
        #expect(error.hasPrefix(#"[4,"boot-2","#))
        await harness.stop()
    }
}
