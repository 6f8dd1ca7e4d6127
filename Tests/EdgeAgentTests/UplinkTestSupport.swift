import Foundation
import OCPP
import Testing
@testable import EdgeAgent

/// An in-memory transport: the test plays the central system by connecting, delivering frames
/// and reading what the uplink sent.
final class FakeTransport: UplinkTransport, @unchecked Sendable {
    let events: AsyncStream<OCPPTransportEvent>
    private let continuation: AsyncStream<OCPPTransportEvent>.Continuation
    let connectFailures: AsyncStream<String>
    private let failures: AsyncStream<String>.Continuation
    private let lock = NSLock()
    private var isConnected = false
    private var frames: [String] = []
    private var pingIntervals: [Int] = []
    private var authorizationKeys: [String] = []

    init() {
        (events, continuation) = AsyncStream.makeStream(of: OCPPTransportEvent.self)
        (connectFailures, failures) = AsyncStream.makeStream(of: String.self)
    }

    func failAttempt(_ reason: String) { failures.yield(reason) }

    func run() async {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        continuation.finish()
        failures.finish()
    }

    func send(_ frame: String) async throws {
        try lock.withLock {
            guard isConnected else { throw FakeTransportError.notConnected }
            frames.append(frame)
        }
    }

    func close() async {}
    func setPingInterval(seconds: Int) async { lock.withLock { pingIntervals.append(seconds) } }
    func setAuthorizationKey(_ key: String) async { lock.withLock { authorizationKeys.append(key) } }

    func connect() {
        lock.withLock { isConnected = true }
        continuation.yield(.connected)
    }

    func disconnect() {
        lock.withLock { isConnected = false }
        continuation.yield(.disconnected(reason: "test closed the link"))
    }

    func deliver(_ frame: String) { continuation.yield(.frame(frame)) }

    var sent: [String] { lock.withLock { frames } }
    var pingIntervalsSet: [Int] { lock.withLock { pingIntervals } }
    var authorizationKeysSet: [String] { lock.withLock { authorizationKeys } }
}

enum FakeTransportError: Error { case notConnected }

/// Connector statuses as a test sets them.
final class FakeConnectors: ConnectorStatusSource, @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: [ConnectorStatus]
    let broadcaster = ConnectorStatusBroadcaster()

    init(_ statuses: [ConnectorStatus]) { self.statuses = statuses }

    func currentConnectorStatuses() async -> [ConnectorStatus] { lock.withLock { statuses } }
    func connectorStatusChanges() -> AsyncStream<ConnectorStatus> { broadcaster.changes() }

    func change(_ status: ConnectorStatus) {
        lock.withLock { statuses = statuses.map { $0.connectorId == status.connectorId ? status : $0 } }
        broadcaster.publish(status)
    }
}

/// One frame the uplink sent, parsed.
struct SentFrame {
    var type: Int
    var id: String
    var action: String?
    var payload: [String: JSONValue]
    var errorCode: String?
    var text: String

    init(_ text: String) throws {
        guard case .array(let elements) = try JSONValue.parse(text), case .integer(let type) = elements[0],
              case .string(let id) = elements[1]
        else { throw SentFrameError.notAnRPCFrame(text) }
        self.type = type
        self.id = id
        self.text = text
        switch type {
        case 2:
            if case .string(let action) = elements[2] { self.action = action }
            if case .object(let payload) = elements[3] { self.payload = payload } else { payload = [:] }
        case 3:
            if case .object(let payload) = elements[2] { self.payload = payload } else { payload = [:] }
        default:
            payload = [:]
            if case .string(let code) = elements[2] { errorCode = code }
        }
    }
}

enum SentFrameError: Error { case notAnRPCFrame(String), timedOut(String) }

let testEpoch = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18

/// A running uplink on a fresh (or given) store, driven through a fake transport.
struct UplinkHarness {
    let folder: String
    let store: SiteStore
    let transport: FakeTransport
    let connectors: FakeConnectors
    let uplink: OCPPUplink
    let task: Task<Void, Never>
    private let cursor = FrameCursor()

    static let defaultConnectors = [
        ConnectorStatus(connectorId: 1, status: .available),
        ConnectorStatus(connectorId: 2, status: .faulted, fault: "lock feedback missing"),
        ConnectorStatus(connectorId: 3, status: .available),
    ]

    static func start(
        folder: String = makeTemporaryFolder(), connectors: [ConnectorStatus] = defaultConnectors, capacity: Int = 100_000,
        wallClock: @escaping @Sendable () -> Date = { testEpoch }
    ) throws -> UplinkHarness {
        let store = try SiteStore(folder: folder, logger: quietLogger)
        let registry = ConfigurationRegistry.standard(ChargePointCapabilities(numberOfConnectors: connectors.count))
        let keys = UplinkSetup.loadKeys(
            registry: registry, store: store, central: CentralSystemConfiguration(url: "ws://127.0.0.1:9/ocpp"), logger: quietLogger)
        let transport = FakeTransport()
        let fakeConnectors = FakeConnectors(connectors)
        let uplink = OCPPUplink(
            settings: UplinkSettings(
                bootNotification: BootNotificationRequest(chargePointVendor: "EdgeAgent", chargePointModel: "Test Locker"),
                queueCapacity: capacity),
            transport: transport, store: store, connectors: fakeConnectors, monitor: UplinkMonitor(), registry: registry,
            keys: keys, logger: quietLogger, wallClock: wallClock)
        let task = Task { await uplink.serve() }
        return UplinkHarness(
            folder: folder, store: store, transport: transport, connectors: fakeConnectors, uplink: uplink, task: task)
    }

    /// Stops the uplink and closes the store (a crash is the same minus the clean close).
    func stop() async {
        task.cancel()
        await task.value
        store.close()
    }

    /// The next frame the uplink sends.
    func next() async throws -> SentFrame {
        // Generous: on a loaded 2-core machine the uplink may be slow; a healthy run returns in milliseconds.
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            let sent = transport.sent
            if let index = cursor.take(available: sent.count) { return try SentFrame(sent[index]) }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw SentFrameError.timedOut("no frame from the uplink within 30 s; sent so far: \(transport.sent)")
    }

    /// The next frame, which must be a CALL of `action`.
    func expectCall(_ action: String) async throws -> SentFrame {
        let frame = try await next()
        #expect(frame.type == 2 && frame.action == action, "expected \(action), got \(frame.text)")
        return frame
    }

    /// Nothing more is sent while the uplink handles a round of events.
    func expectSilence() async throws {
        try await settle()
        #expect(cursor.pending(available: transport.sent.count) == 0, "unexpected frames: \(transport.sent)")
    }

    /// Waits until `condition` holds, checking every 10 ms for up to 10 s, so a slow machine delays a test
    /// instead of failing it; records an issue if it never holds.
    func eventually(
        _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("never happened within 10 s: \(what)", sourceLocation: sourceLocation)
    }

    /// Lets the event loop drain what was delivered so far; only for checking that nothing else happens.
    func settle() async throws {
        try await Task.sleep(for: .milliseconds(100))
        _ = await uplink.queueDepth()
    }

    func reply(_ frame: SentFrame, _ payload: String) {
        transport.deliver("[3,\"\(frame.id)\",\(payload)]")
    }

    func callError(_ frame: SentFrame, code: String = "InternalError") {
        transport.deliver("[4,\"\(frame.id)\",\"\(code)\",\"refused by the test\",{}]")
    }

    /// Connects and answers BootNotification; returns the StatusNotifications that follow.
    @discardableResult
    func connectAndBoot(status: String = "Accepted", interval: Int = 300, currentTime: String = OCPPDate.string(from: testEpoch))
        async throws -> [SentFrame]
    {
        transport.connect()
        let boot = try await expectCall("BootNotification")
        reply(boot, #"{"status":"\#(status)","currentTime":"\#(currentTime)","interval":\#(interval)}"#)
        guard status == "Accepted" else {
            try await eventually("the uplink took the \(status) boot answer") {
                [.pending, .rejected].contains(await uplink.state().state)
            }
            return []
        }
        var notifications: [SentFrame] = []
        for _ in 0...connectors.connectorCount {
            let frame = try await expectCall("StatusNotification")
            reply(frame, "{}")
            notifications.append(frame)
        }
        return notifications
    }
}

extension FakeConnectors {
    var connectorCount: Int { lock.withLock { statuses.count } }
}

final class FrameCursor: @unchecked Sendable {
    private let lock = NSLock()
    private var position = 0

    func take(available: Int) -> Int? {
        lock.withLock {
            guard position < available else { return nil }
            position += 1
            return position - 1
        }
    }

    func pending(available: Int) -> Int { lock.withLock { available - position } }
}

extension JSONValue {
    var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    var intValue: Int? { if case .integer(let value) = self { value } else { nil } }
}
