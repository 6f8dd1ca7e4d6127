import Foundation

/// Load balancing in a compartment's session: the control loop tells each machine at every step whether its
/// socket may be on (`SessionInput.balancing(allowed:)`). A paused session keeps its state `charging` with the
/// socket off, which shows as SuspendedEVSE and is stored like any other change, so a restart resumes it when
/// balancing allows it again. Balancing only ever narrows what the session rules allow: it never switches on a
/// socket that a session limit, a fault, the door or the lock keeps off (DESIGN invariant 2).
extension CompartmentSessionMachine {
    /// When this compartment wants power from load balancing: the start of its session while it is about to
    /// switch the socket on (locking), charging, paused by balancing, or complete with the socket still on.
    /// nil: it needs nothing (free, finishing, or switched off by the session's own rules).
    public var balancingDemandSince: Date? {
        guard let open = openSession else { return nil }
        switch open.state {
        case .locking, .charging: return open.authorizedAt
        case .chargeComplete: return open.relayOn ? open.authorizedAt : nil
        case .suspendedByLocker, .finishing, .closed: return nil
        }
    }

    /// True while load balancing holds the socket off for a session that would otherwise charge.
    public var pausedByBalancing: Bool {
        guard let open = openSession else { return false }
        return open.state == .charging && !open.relayOn
    }

    mutating func balancingChanged(allowed: Bool, at now: Date, into out: inout [SessionCommand]) {
        balancingAllowed = allowed
        guard var open = openSession, fault == nil || !allowed else { return }
        if !allowed, open.relayOn, open.state == .charging || open.state == .chargeComplete {
            open.relayOn = false
            open.state = .charging
            lowPowerSince = nil
            session = open
            out += [.persist(open), .relay(on: false)]  // the control loop logs why (Balancing/)
        } else if allowed, pausedByBalancing, mayCharge {
            open.relayOn = true
            session = open
            out += [.persist(open), .relay(on: true)]
        }
    }

    /// The session rules that must hold for the socket to be on: door closed and locked (unless configured
    /// otherwise) and no fault.
    private var mayCharge: Bool {
        guard fault == nil, let reading else { return false }
        return policy.chargeWithDoorOpen || (reading.doorClosed && reading.locked)
    }
}
