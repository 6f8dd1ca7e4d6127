import Foundation
import OCPP

/// The uplink's state as `GET /v1/status` shows it.
public enum UplinkState: String, Sendable, Codable {
    /// Before the first connection attempt finished, or the link is up and BootNotification
    /// is not answered yet.
    case connecting
    /// BootNotification accepted: messages flow.
    case connected
    /// The central system answered BootNotification with Pending: only its calls are answered.
    case pending
    /// The central system answered BootNotification with Rejected: nothing is sent until the retry.
    case rejected
    /// The link is down; the transport reconnects with backoff.
    case offline
    /// The site file names no central system.
    case notConfigured
}

/// A snapshot of the uplink for the status endpoint.
public struct UplinkSnapshot: Sendable, Equatable {
    public var state: UplinkState
    /// When the last frame from the central system arrived.
    public var lastMessageAt: Date?
    /// Durable transaction messages waiting for the central system.
    public var queueDepth: Int
    public var detail: String?
}

/// Where the uplink actor publishes its state for readers that must not wait for it (the
/// site controller's status). Written only by the uplink.
public final class UplinkMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var current = UplinkSnapshot(state: .connecting, lastMessageAt: nil, queueDepth: 0, detail: nil)

    public init() {}

    public var snapshot: UplinkSnapshot { lock.withLock { current } }
    /// Changes of state, queue depth or detail (not of lastMessageAt), for the live event stream.
    public let changes = Broadcaster<UplinkSnapshot>()

    func update(_ change: (inout UplinkSnapshot) -> Void) {
        let (before, after) = lock.withLock {
            let before = current
            change(&current)
            return (before, current)
        }
        if (before.state, before.queueDepth, before.detail) != (after.state, after.queueDepth, after.detail) {
            changes.publish(after)
        }
    }
}

/// The status of one connector as the site controller knows it.
public struct ConnectorStatus: Sendable, Equatable {
    public var connectorId: Int
    public var status: ChargePointStatus
    /// The current fault, shown to the central system as `info` with errorCode OtherError.
    public var fault: String?

    public init(connectorId: Int, status: ChargePointStatus, fault: String? = nil) {
        self.connectorId = connectorId
        self.status = status
        self.fault = fault
    }
}

/// Connector statuses for the uplink: the current ones after every (re)connect, and changes.
public protocol ConnectorStatusSource: Sendable {
    func currentConnectorStatuses() async -> [ConnectorStatus]
    /// Each call returns a new stream of changes from now on.
    func connectorStatusChanges() -> AsyncStream<ConnectorStatus>
}

/// Fans connector status changes out to any number of listeners. The site controller yields
/// into it whenever a connector's status or fault changes.
public final class ConnectorStatusBroadcaster: @unchecked Sendable {
    private let lock = NSLock()
    private var continuations: [UUID: AsyncStream<ConnectorStatus>.Continuation] = [:]

    public init() {}

    public func changes() -> AsyncStream<ConnectorStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectorStatus.self, bufferingPolicy: .bufferingNewest(256))
        let id = UUID()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.continuations.removeValue(forKey: id) }
        }
        lock.withLock { continuations[id] = continuation }
        return stream
    }

    public func publish(_ status: ConnectorStatus) {
        for continuation in lock.withLock({ Array(continuations.values) }) { continuation.yield(status) }
    }

    /// Publishes the compartments whose status or fault differs between `old` and `new`.
    func publishChanges(from old: [Int: SiteStatus.Compartment], to new: [Int: SiteStatus.Compartment]) {
        for (connectorId, compartment) in new.sorted(by: { $0.key < $1.key }) {
            let before = old[connectorId]
            guard before?.status != compartment.status || before?.fault != compartment.fault else { continue }
            publish(ConnectorStatus(compartment))
        }
    }
}

extension ConnectorStatus {
    init(_ compartment: SiteStatus.Compartment) {
        self.init(
            connectorId: compartment.connectorId,
            status: ChargePointStatus(rawValue: compartment.status) ?? .unavailable,
            fault: compartment.fault)
    }
}
