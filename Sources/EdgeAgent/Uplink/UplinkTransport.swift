import OCPP

/// The frame transport the uplink drives, plus the link settings the central system can change
/// through configuration keys. The WebSocket implementation wraps `OCPPConnection`; tests use
/// an in-memory fake.
public protocol UplinkTransport: OCPPFrameTransport {
    /// Connects and reconnects until the calling task is cancelled; `events` finishes after it returns.
    func run() async
    /// Why each connection attempt failed while offline (`events` reports only changes). Taken before `run()`.
    var connectFailures: AsyncStream<String> { get }
    /// WebSocketPingInterval changed (seconds; 0 disables pings).
    func setPingInterval(seconds: Int) async
    /// AuthorizationKey changed: the Basic-auth password from the next connection on.
    func setAuthorizationKey(_ key: String) async
}

/// Everything the uplink reports to the session code about a StartTransaction the central
/// system confirmed.
public struct StartTransactionOutcome: Sendable, Equatable {
    public var localTransactionId: LocalTransactionID
    /// The central system's transactionId, now used by this transaction's later messages.
    public var transactionId: Int
    /// The central system's verdict on the idTag (e.g. Blocked: the session code may stop the transaction).
    public var idTagInfo: IdTagInfo
}
