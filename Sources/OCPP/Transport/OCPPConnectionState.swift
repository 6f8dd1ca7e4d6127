/// The link to the central system as the rest of the daemon sees it.
public enum OCPPConnectionState: Sendable, Equatable {
    /// Attempt number `attempt` (1 = first try after start or after the link dropped) is under way.
    case connecting(attempt: Int)
    case connected
    case disconnected(OCPPDisconnectReason)

    public var isConnected: Bool { self == .connected }
}

public enum OCPPDisconnectReason: Sendable, Equatable, CustomStringConvertible {
    /// The attempt failed before the WebSocket was up.
    case connectFailed(OCPPConnectionError)
    /// The central system sent a WebSocket close frame.
    case closedByCentralSystem(code: UInt16?, reason: String)
    /// The socket ended or failed without a close frame (server killed, network gone).
    case linkLost(String)
    /// Nothing arrived for ping interval + ping timeout.
    case pingTimeout
    /// The station closed the link (`close()`), e.g. before a reset or to use a new password.
    case closedByStation
    /// `run()` is not running: not started yet, or cancelled (daemon shutting down).
    case stopped

    public var description: String {
        switch self {
        case .connectFailed(let error): return error.description
        case .closedByCentralSystem(let code, let reason):
            return "central system closed the connection (code \(code.map(String.init) ?? "none")\(reason.isEmpty ? "" : ": \(reason)"))"
        case .linkLost(let detail): return "link lost: \(detail)"
        case .pingTimeout: return "no pong or other frame from the central system within ping interval + timeout"
        case .closedByStation: return "closed by the station"
        case .stopped: return "connection stopped"
        }
    }
}
