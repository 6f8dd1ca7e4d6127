import Foundation
import LockerIO
import Metrics
import OCPP

/// ReserveNow and CancelReservation for compartments (docs/ocpp.md, "Reservations"). A reserved free compartment
/// is kept for its driver: it shows Reserved, its latch is closed, and only the reserving idTag (or a card of its
/// parentIdTag group) opens it and starts the session there; any other card is refused.
extension SiteController {
    public func reserveNow(_ request: ReserveNowRequest, connectorZeroSupported: Bool) async -> ReservationStatus {
        guard sessionView.running else { return .rejected }
        if configuration.chargers.contains(where: { $0.connectorId == request.connectorId }) {
            logger.info("ReserveNow for a charger refused: chargers take no reservations", metadata: [
                "connectorId": "\(request.connectorId)",
            ])
            return .rejected
        }
        let now = sessionNow()
        let status = ReservationRules.answer(
            connectorId: request.connectorId, reservationId: request.reservationId, expiresAt: request.expiryDate,
            compartments: remoteSnapshots(), reservations: Array(remoteView.reservations.values),
            connectorZeroSupported: connectorZeroSupported, now: now)
        guard status == .accepted else {
            logger.info("ReserveNow refused", metadata: [
                "connectorId": "\(request.connectorId)", "reservationId": "\(request.reservationId)", "status": "\(status.rawValue)",
            ])
            return status
        }
        let reservation = Reservation(
            id: request.reservationId, connectorId: request.connectorId, idTag: request.idTag,
            parentIdTag: request.parentIdTag, expiresAt: request.expiryDate, reservedAt: now)
        let replaced = remoteView.reservations[reservation.id]
        do {
            try store.saveReservation(reservation)
        } catch {
            logger.error("reservation not stored; answering Rejected", metadata: ["error": "\(error)"])
            return .rejected
        }
        remoteView.reservations[reservation.id] = reservation
        recordReservationCount()
        logger.notice("reservation made", metadata: [
            "reservationId": "\(reservation.id)", "connectorId": "\(reservation.connectorId)",
            "expiresAt": "\(reservation.expiresAt.formatted(.iso8601))",
        ])
        if let replaced, replaced.connectorId != reservation.connectorId, let old = compartmentName(replaced.connectorId) {
            refreshCompartmentState(old)
            await releaseReservedLatch(old)
        }
        if let name = compartmentName(reservation.connectorId) {
            refreshCompartmentState(name)
            await latchForReservation(name)
        }
        return .accepted
    }

    public func cancelReservation(_ reservationId: Int) async -> CancelReservationStatus {
        guard let reservation = remoteView.reservations[reservationId] else {
            logger.info("CancelReservation for an unknown reservation", metadata: ["reservationId": "\(reservationId)"])
            return .rejected
        }
        guard dropReservation(reservation, why: "cancelled by the central system") else { return .rejected }
        if let name = compartmentName(reservation.connectorId) { await releaseReservedLatch(name) }
        return .accepted
    }

    // MARK: Start-up and expiry

    /// Loads the stored reservations (they survive restarts) and starts releasing them at their expiry. Called
    /// from `startSessions` once the machines exist.
    func startReservations() async {
        guard !remoteView.started else { return }
        remoteView.started = true
        do {
            for reservation in try store.reservations() { remoteView.reservations[reservation.id] = reservation }
            recordReservationCount()
        } catch {
            logger.error("stored reservations unreadable; none is kept", metadata: ["error": "\(error)"])
        }
        // Authorizations held when the daemon stopped go on holding until their time, while the compartment is free.
        let now = sessionNow()
        for (name, held) in (try? store.heldAuthorizations()) ?? [:] {
            if held.until > now, let machine = sessionView.machines[name], machine.session == nil {
                remoteView.held[name] = held
                refreshCompartmentState(name)
            } else {
                releaseHold(name)
            }
        }
        for reservation in remoteView.reservations.values {
            guard let name = compartmentName(reservation.connectorId) else { continue }
            refreshCompartmentState(name)
            await latchForReservation(name)
        }
        sessionView.tasks.append(Task { [weak self] in
            while !Task.isCancelled {
                await self?.expireReservations()
                try? await Task.sleep(for: .seconds(1))
            }
        })
    }

    func expireReservations() async {
        for reservation in ReservationRules.expired(Array(remoteView.reservations.values), at: sessionNow()) {
            guard dropReservation(reservation, why: "expired") else { continue }
            if let name = compartmentName(reservation.connectorId) { await releaseReservedLatch(name) }
        }
    }

    func liveReservations(at now: Date) -> [Reservation] {
        remoteView.reservations.values.filter { !$0.hasExpired(at: now) }
    }

    /// Forgets a reservation (store first); its compartment shows what it is again.
    @discardableResult
    func dropReservation(_ reservation: Reservation, why: String) -> Bool {
        do {
            try store.deleteReservation(id: reservation.id)
        } catch {
            logger.error("reservation not removed from the store", metadata: [
                "reservationId": "\(reservation.id)", "error": "\(error)",
            ])
            return false
        }
        remoteView.reservations[reservation.id] = nil
        recordReservationCount()
        logger.notice("reservation ended", metadata: ["reservationId": "\(reservation.id)", "why": "\(why)"])
        if let name = compartmentName(reservation.connectorId) { refreshCompartmentState(name) }
        return true
    }

    // MARK: The holder's card

    /// A card that holds the reservation of a free compartment opens it for its holder: the latch is released and
    /// the authorization held until the door closes (then the session starts with the reservation's id). A card at
    /// a compartment's own reader only opens that compartment; a group card at a shared reader only when no
    /// waiting door would take it. True when the card was handled here.
    func reservationHolderArrived(idTag: String, compartment: String?, reader: String) async -> Bool {
        // A card that owns a session ends it first.
        guard !sessionView.machines.values.contains(where: {
            $0.openSession.map { $0.idTag.caseInsensitiveCompare(idTag) == .orderedSame } ?? false
        }) else { return false }
        let now = sessionNow()
        let snapshots = remoteSnapshots()
        func candidates(parentIdTag: String?) -> [(String, Reservation)] {
            liveReservations(at: now).compactMap { reservation in
                guard let name = compartmentName(reservation.connectorId), compartment == nil || compartment == name,
                      snapshots.first(where: { $0.name == name })?.availability == .free,
                      reservation.isHeld(by: idTag, parentIdTag: parentIdTag) else { return nil }
                return (name, reservation)
            }.sorted { $0.1.reservedAt < $1.1.reservedAt }
        }
        let ownCard = !candidates(parentIdTag: nil).isEmpty
        let groupsPossible = liveReservations(at: now).contains { $0.parentIdTag != nil }
            && (compartment != nil || (sessionView.keypadBinding == nil && sharedReaderTarget(for: idTag) == nil))
        guard ownCard || groupsPossible, let authorizer = sessionView.authorizer else { return false }
        let outcome = await authorizer.authorize(idTag: idTag)
        guard outcome.isAccepted else {
            if ownCard { driverFeedback(.rejected, compartment: compartment, reader: reader) }
            return ownCard
        }
        // Looked up again: the authorization may have taken a while.
        let later = sessionNow()
        guard let (name, reservation) = candidates(parentIdTag: outcome.parentIdTag).first,
              remoteSnapshots().first(where: { $0.name == name })?.availability == .free else { return ownCard }
        let timeout = sessionView.machines[name]?.policy.connectionTimeOut ?? sessionView.settings.defaultConnectionTimeOut
        guard hold(name, HeldAuthorization(
            idTag: idTag, outcome: outcome, method: compartment == nil ? .rfidSharedReader : .rfid,
            reservationId: reservation.id, until: later + timeout))
        else {
            driverFeedback(.rejected, compartment: name, reader: reader)
            return true
        }
        logger.notice("the reservation's holder is here: the compartment opens for them", metadata: [
            "compartment": "\(name)", "reservationId": "\(reservation.id)",
        ])
        driverFeedback(.reservationReady, compartment: name, reader: reader)
        await releaseLatch(name, actor: "reservation", reason: "the holder of reservation \(reservation.id) presented their card")
        return true
    }

    // MARK: The latch

    /// Closes the latch of a reserved free compartment whose door is shut, so nobody else puts things in.
    func latchForReservation(_ name: String) async {
        guard let machine = sessionView.machines[name], machine.session == nil, machine.waitingSince == nil,
              remoteView.held[name] == nil, let device = hardware?.compartment(named: name),
              let status = await device.status, status.door == .closed else { return }
        remoteView.lockedForReservation.insert(name)
        if status.lock != .locked { await device.lock() }
    }

    /// A reservation ended unused: the latch it closed opens again for the next driver (when free compartments
    /// are left unlocked at this site).
    func releaseReservedLatch(_ name: String) async {
        guard remoteView.lockedForReservation.contains(name), remoteShownStatus(name) == nil else { return }
        remoteView.lockedForReservation.remove(name)
        guard sessionView.settings.keepFreeUnlocked, let machine = sessionView.machines[name], machine.session == nil,
              machine.waitingSince == nil else { return }
        await releaseLatch(name, actor: "reservation", reason: "the reservation ended unused; the compartment is free again")
    }

    private func recordReservationCount() {
        Gauge(label: "edge_agent_remote_reservations").record(remoteView.reservations.count)
    }

    func compartmentName(_ connectorId: Int) -> String? {
        connectorId == 0 ? nil : configuration.compartments.first { $0.connectorId == connectorId }?.name
    }
}
