import Foundation

/// A testing aid (docs/simulation.md, "Crash tests"): with `EDGE_AGENT_FAILPOINT=<step>` in its environment
/// the daemon SIGKILLs itself right after that step of the locker flow was committed and carried out, so a
/// test can stop it at exactly that point and check what a restart makes of it. Without the variable nothing
/// here acts.
public enum SessionFailpoint: String, Sendable, CaseIterable {
    /// The authorized session is committed (state locking); the lock command not yet given.
    case afterAuthorize = "after-authorize"
    /// The lock command was given (and, with the door already latched, the start committed).
    case afterLock = "after-lock"
    /// The socket relay was switched on; the StartTransaction not yet queued.
    case afterRelayOn = "after-relay-on"
    /// The StartTransaction was queued.
    case afterStartTransaction = "after-start-transaction"
    /// The session ended: the socket was switched off; neither the StopTransaction queued nor the door released.
    case afterRelayOff = "after-relay-off"
    /// The StopTransaction was queued; the door not yet released.
    case afterStopTransaction = "after-stop-transaction"
    /// The door was released for the owner.
    case afterUnlock = "after-unlock"

    public static let environmentVariable = "EDGE_AGENT_FAILPOINT"

    /// The failpoint this process was started with.
    static let armed: SessionFailpoint? = ProcessInfo.processInfo.environment[environmentVariable]
        .flatMap(SessionFailpoint.init(rawValue:))

    /// Which failpoint, if any, carrying out `command` (one of the flow's `commands`) reaches.
    static func reached(after command: SessionCommand, in commands: [SessionCommand]) -> SessionFailpoint? {
        switch command {
        case .lock: return .afterLock
        case .relay(on: true): return .afterRelayOn
        case .startTransaction: return .afterStartTransaction
        case .relay(on: false):
            // Only the end of a session; start-up and limits switch sockets off too.
            let ending = commands.contains {
                switch $0 {
                case .stopTransaction, .unlock(.owner), .unlock(.remoteStop): true
                default: false
                }
            }
            return ending ? .afterRelayOff : nil
        case .stopTransaction: return .afterStopTransaction
        case .unlock(.owner), .unlock(.remoteStop): return .afterUnlock
        default: return nil
        }
    }

    /// Kills the process when `point` is the armed failpoint.
    static func check(_ point: SessionFailpoint?) {
        guard let point, point == armed else { return }
        FileHandle.standardError.write(Data("edge-agent: failpoint \(point.rawValue) reached; killing myself (SIGKILL)\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
