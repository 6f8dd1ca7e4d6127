import Foundation
import LockerIO
import OCPP

/// What the site controller holds for the central system's remote calls (lives inside the controller).
struct RemoteView: Sendable {
    /// Reservations by reservationId, as committed to the store.
    var reservations: [Int: Reservation] = [:]
    /// Held authorizations by compartment name.
    var held: [String: HeldAuthorization] = [:]
    /// Free compartments latched for their reservation, released again when it ends unused.
    var lockedForReservation: Set<String> = []
    var started = false
}

/// RemoteStartTransaction and RemoteStopTransaction for compartments (docs/ocpp.md, "Remote start and stop").
extension SiteController: RemoteSessionControlling {
    public func remoteStart(connectorId: Int?, idTag: String, authorizeFirst: Bool) async -> RemoteStartStopStatus {
        if let connectorId, isCharger(connectorId: connectorId) {
            // A charger's session (Chargers/): it starts as soon as a car is plugged in.
            let accepted = await remoteStart(chargerConnectorId: connectorId, idTag: idTag, authorizeFirst: authorizeFirst)
            logger.notice("RemoteStartTransaction for a charger", metadata: [
                "connectorId": "\(connectorId)", "accepted": "\(accepted)",
            ])
            return accepted ? .accepted : .rejected
        }
        guard sessionView.running else { return .rejected }
        // Without AuthorizeRemoteTxRequests the central system's word is the authorization.
        var outcome = AuthorizationOutcome(status: .accepted, source: .centralSystem)
        if authorizeFirst {
            guard let authorizer = sessionView.authorizer else {
                logger.error("RemoteStartTransaction refused: no authorization service to check the idTag")
                return .rejected
            }
            outcome = await authorizer.authorize(idTag: idTag)
            guard outcome.isAccepted else {
                remoteStartRefused(.notAuthorized, connectorId: connectorId, detail: outcome.status.rawValue)
                return .rejected
            }
        }
        let now = sessionNow()
        let decision = RemoteStartRules.decide(
            connectorId: connectorId, idTag: idTag, parentIdTag: outcome.parentIdTag, compartments: remoteSnapshots(),
            chargerConnectors: Set(configuration.chargers.map(\.connectorId)), reservations: liveReservations(at: now), now: now)
        switch decision {
        case .rejected(let why):
            remoteStartRefused(why, connectorId: connectorId, detail: nil)
            return .rejected
        case let .startNow(name, reservationId):
            logger.notice("remote start at a closed door waiting for authorization", metadata: [
                "compartment": "\(name)", "reservationId": "\(reservationId.map(String.init) ?? "-")",
            ])
            // The meterStart is the register as fresh as it can be (as for a card).
            if let reading = await meterReading(name), reading.at > (sessionView.meterFedAt[name] ?? .distantPast) {
                sessionView.meterFedAt[name] = reading.at
                feedSession(name, .meter(reading))
            }
            // The door may have opened meanwhile: Accepted only when the session really started.
            return startAuthorized(name, idTag: idTag, outcome: outcome, method: .remote, reservationId: reservationId)
                ? .accepted : .rejected
        case let .hold(name, reservationId):
            let timeout = sessionView.machines[name]?.policy.connectionTimeOut ?? sessionView.settings.defaultConnectionTimeOut
            guard hold(name, HeldAuthorization(
                idTag: idTag, outcome: outcome, method: .remote, reservationId: reservationId, until: now + timeout))
            else { return .rejected }
            logger.notice("remote start on a free compartment: held until the driver closes the door", metadata: [
                "compartment": "\(name)", "seconds": "\(Int(timeout))",
            ])
            await releaseLatch(name, actor: "central-system", reason: "RemoteStartTransaction: opened for the driver")
            return .accepted
        }
    }

    public func remoteStop(transactionId: Int) async -> RemoteStartStopStatus {
        guard sessionView.running, let session = sessionView.machines.values.compactMap(\.openSession).first(where: {
            $0.centralTransactionId == transactionId && $0.chargingStartedAt != nil && $0.transactionStoppedAt == nil
        }) else {
            if remoteStop(chargerTransactionId: transactionId) {
                logger.notice("RemoteStopTransaction for a charger", metadata: ["transactionId": "\(transactionId)"])
                return .accepted
            }
            logger.info("RemoteStopTransaction refused: no running transaction with that id", metadata: [
                "transactionId": "\(transactionId)",
            ])
            return .rejected
        }
        let unlocks = configuration.sessions.remoteStopUnlocks.unlocks(
            sessionStartedRemotely: session.authorizationMethod == .remote)
        logger.notice("RemoteStopTransaction", metadata: [
            "compartment": "\(session.compartment)", "transactionId": "\(transactionId)",
            "door": "\(unlocks ? "released" : "stays locked for the owner")",
        ])
        feedSession(session.compartment, .remoteStop(releaseLock: unlocks))
        return .accepted
    }

    private func remoteStartRefused(_ why: RemoteStartRefusal, connectorId: Int?, detail: String?) {
        logger.info("RemoteStartTransaction refused", metadata: [
            "connectorId": "\(connectorId.map(String.init) ?? "-")", "why": "\(why.rawValue)", "detail": "\(detail ?? "-")",
        ])
    }

    // MARK: Starting an authorized session

    /// Starts the session of an accepted idTag at a compartment whose door waits for authorization; a used
    /// reservation ends as the session starts (its id goes with the StartTransaction). True when it started.
    @discardableResult
    func startAuthorized(
        _ name: String, idTag: String, outcome: AuthorizationOutcome, method: SessionAuthorizationMethod, reservationId: Int?,
        sessionId: String = UUID().uuidString.lowercased()
    ) -> Bool {
        feedSession(name, .authorizedStart(
            idTag: idTag, outcome: outcome, method: method, sessionId: sessionId, reservationId: reservationId))
        guard sessionView.machines[name]?.openSession?.id == sessionId else { return false }
        if let reservationId, let reservation = remoteView.reservations[reservationId] {
            dropReservation(reservation, why: "used by its holder's session")
            remoteView.lockedForReservation.remove(name)
        }
        return true
    }

    /// A card accepted for a waiting door: reservations decide whether it may start there.
    func startCardAuthorized(
        _ name: String, idTag: String, outcome: AuthorizationOutcome, method: SessionAuthorizationMethod, reader: String?
    ) {
        guard outcome.isAccepted, let connectorId = configuration.compartment(named: name)?.connectorId else {
            feedSession(name, .cardAuthorized(idTag: idTag, outcome: outcome, method: method, sessionId: UUID().uuidString.lowercased()))
            return
        }
        let now = sessionNow()
        switch ReservationRules.gate(
            connectorId: connectorId, idTag: idTag, parentIdTag: outcome.parentIdTag, compartments: remoteSnapshots(),
            reservations: liveReservations(at: now), now: now)
        {
        case .open:
            startAuthorized(name, idTag: idTag, outcome: outcome, method: method, reservationId: nil)
        case .use(let reservation):
            startAuthorized(name, idTag: idTag, outcome: outcome, method: method, reservationId: reservation.id)
        case .refused(let reservation):
            logger.notice("card refused: the compartment is reserved for another driver", metadata: [
                "compartment": "\(name)", "reservationId": "\(reservation.id)",
            ])
            driverFeedback(.reserved, compartment: name, reader: reader)
        }
    }

    /// An accepted `.cardAuthorized` from anywhere (an SMS, a test) for a waiting door meets the reservation rules
    /// too: the holder's start goes on with the reservation's id, anyone else's is refused. True when handled here.
    func reservationDecidedStart(_ name: String, _ input: SessionInput) -> Bool {
        guard case let .cardAuthorized(idTag, outcome, method, sessionId) = input, outcome.isAccepted,
              !remoteView.reservations.isEmpty,
              let machine = sessionView.machines[name], machine.waitingSince != nil, machine.openSession == nil
        else { return false }
        let now = sessionNow()
        switch ReservationRules.gate(
            connectorId: machine.connectorId, idTag: idTag, parentIdTag: outcome.parentIdTag,
            compartments: remoteSnapshots(), reservations: liveReservations(at: now), now: now)
        {
        case .open:
            return false
        case .use(let reservation):
            // The caller's session id is kept (an SMS session's receipt PIN is bound to it).
            startAuthorized(
                name, idTag: idTag, outcome: outcome, method: method, reservationId: reservation.id, sessionId: sessionId)
        case .refused(let reservation):
            logger.notice("start refused: the compartment is reserved for another driver", metadata: [
                "compartment": "\(name)", "reservationId": "\(reservation.id)",
            ])
            driverFeedback(.reserved, compartment: name, reader: nil)
        }
        return true
    }

    /// Called after every input a compartment's machine handled: a held authorization starts its session as the
    /// door closes, or runs out.
    func heldAuthorizationDue(_ name: String) {
        guard let held = remoteView.held[name], let machine = sessionView.machines[name] else { return }
        if machine.session != nil {
            releaseHold(name)  // someone else's session took the compartment first
        } else if machine.waitingSince != nil {
            releaseHold(name)
            startAuthorized(name, idTag: held.idTag, outcome: held.outcome, method: held.method, reservationId: held.reservationId)
        } else if sessionNow() >= held.until {
            releaseHold(name)
            logger.notice("held authorization ran out: nobody closed the door within ConnectionTimeOut", metadata: [
                "compartment": "\(name)",
            ])
            refreshCompartmentState(name)
            // Still reserved (the holder did not come after all): the latch closes again for the reservation.
            if remoteShownStatus(name) == .reserved { Task { await self.latchForReservation(name) } }
        }
    }

    /// Holds an authorization for a free compartment, committed first; false when the store refused it.
    func hold(_ name: String, _ held: HeldAuthorization) -> Bool {
        do {
            try store.saveHeldAuthorization(held, compartment: name)
        } catch {
            logger.error("authorization not held: the store refused it", metadata: ["compartment": "\(name)", "error": "\(error)"])
            return false
        }
        remoteView.held[name] = held
        remoteView.lockedForReservation.remove(name)
        refreshCompartmentState(name)
        return true
    }

    func releaseHold(_ name: String) {
        remoteView.held[name] = nil
        do {
            try store.deleteHeldAuthorization(compartment: name)
        } catch {
            logger.error("ended hold not removed from the store; it lapses at its time", metadata: [
                "compartment": "\(name)", "error": "\(error)",
            ])
        }
    }

    // MARK: What the rules see

    func remoteSnapshots() -> [CompartmentSnapshot] {
        configuration.compartments.map { compartment in
            CompartmentSnapshot(
                name: compartment.name, connectorId: compartment.connectorId, availability: availability(of: compartment))
        }
    }

    private func availability(of compartment: CompartmentConfiguration) -> CompartmentAvailability {
        guard let machine = sessionView.machines[compartment.name] else { return .unavailable }
        let shown = compartmentStates[compartment.connectorId]?.status
        if machine.fault != nil || shown == "Faulted" { return .faulted }
        if shown == "Unavailable" || machine.status == .unavailable { return .unavailable }
        if machine.session != nil || remoteView.held[compartment.name] != nil
            || sessionView.authorizing.contains(compartment.name)
        {
            return .busy
        }
        if let since = machine.waitingSince { return .waiting(since: since) }
        return .free
    }

    /// What a free compartment shows besides Available: Preparing while an authorization is held for it,
    /// Reserved while a reservation keeps it.
    func remoteShownStatus(_ name: String) -> SessionConnectorStatus? {
        if remoteView.held[name] != nil { return .preparing }
        guard let connectorId = configuration.compartment(named: name)?.connectorId else { return nil }
        let now = sessionNow()
        return remoteView.reservations.values.contains { $0.connectorId == connectorId && !$0.hasExpired(at: now) }
            ? .reserved : nil
    }

    // MARK: The latch of a free compartment

    /// Releases the latch of a free, closed compartment so its driver can put things in (audited).
    func releaseLatch(_ name: String, actor: String, reason: String) async {
        guard let device = hardware?.compartment(named: name), let status = await device.status, status.lock == .locked,
              sessionView.machines[name]?.session == nil else { return }
        do {
            try store.appendAudit(AuditRecord(recordedAt: Date(), actor: actor, action: "unlock", target: name, reason: reason))
        } catch {
            logger.critical("unlock not recorded in the audit log, so the door stays locked", metadata: [
                "compartment": "\(name)", "error": "\(error)",
            ])
            return
        }
        await device.unlock()
    }
}
