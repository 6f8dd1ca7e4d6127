import Foundation

/// What the session machine watches besides the flow itself: a meter gone silent, the seconds the socket was on,
/// and a door a restart left latched after its session ended.
extension CompartmentSessionMachine {
    /// A charging session whose meter has given no reading for `meterStaleAfter` shows the warning `meterStale`
    /// (StatusNotification errorCode OtherError, vendorErrorCode METER_STALE) until a reading comes again.
    ///
    /// Charging goes on (docs/configuration.md, "A stale meter during a session"): the compartment meter only measures, it protects
    /// nothing. The socket's power is bounded by the hardware (the compartment's fuse and `maxPowerWatts`), load
    /// balancing falls back to its safe limit for a silent meter, and the energy register counts on inside the
    /// meter, so the energy is complete once it answers again; if it is still silent at the end, meterStop is
    /// the last good reading (the session is under-counted, never over-billed).
    mutating func checkMeterStale(at now: Date, into out: inout [SessionCommand]) {
        guard let staleAfter = policy.meterStaleAfter, !meterStale, let open = openSession, open.state != .locking,
              let started = open.chargingStartedAt else { return }
        let since = max(lastMeterInputAt ?? started, started)
        guard now.timeIntervalSince(since) >= staleAfter else { return }
        meterStale = true
        out += [
            .fault(.meterStale),
            .log("no reading from the compartment meter for \(Int(staleAfter)) s: reported as METER_STALE; charging goes on"),
        ]
    }

    /// A reading came: a stale meter is fresh again.
    mutating func meterAnswered(at now: Date, into out: inout [SessionCommand]) {
        lastMeterInputAt = now
        guard meterStale else { return }
        meterStale = false
        out.append(.log("the compartment meter answers again; METER_STALE cleared"))
    }

    /// The fault the compartment shows: a session fault, else the stale-meter warning.
    public var shownFault: SessionFault? { fault ?? (meterStale ? .meterStale : nil) }
}

extension CompartmentSessionMachine {
    /// The session ended but its door still reads latched and was not opened since (the daemon stopped between
    /// switching the socket off and releasing the door): the owner's card `idTag` releases it.
    public func isLatchedAfterEnd(for idTag: String) -> Bool {
        guard let ended = session, ended.state == .finishing, !finishingDoorOpened, reading?.locked == true else { return false }
        return ended.idTag.caseInsensitiveCompare(idTag) == .orderedSame
    }
}

extension CompartmentSessionMachine {
    /// Seconds charging are the seconds the socket was on, counted at every input (not only at meter readings,
    /// so a short session or one whose meter is silent counts right). The records this step commits carry it.
    mutating func countChargingTime(at now: Date, into out: inout [SessionCommand]) {
        guard var current = session else {
            chargingCountedAt = nil
            return
        }
        if let counted = chargingCountedAt {
            current.chargingSeconds += max(0, now.timeIntervalSince(counted))
        }
        chargingCountedAt = current.relayOn && current.isOpen ? now : nil
        guard current.chargingSeconds != session?.chargingSeconds else { return }
        session = current
        for index in out.indices {
            if case .persist(var record) = out[index], record.id == current.id {
                record.chargingSeconds = current.chargingSeconds
                out[index] = .persist(record)
            }
        }
    }
}
