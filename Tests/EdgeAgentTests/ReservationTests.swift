import Foundation
import OCPP
import Testing
@testable import EdgeAgent

private let now = Date(timeIntervalSince1970: 1_800_000_000)

private func compartment(_ connectorId: Int, _ availability: CompartmentAvailability = .free) -> CompartmentSnapshot {
    CompartmentSnapshot(name: "C\(connectorId)", connectorId: connectorId, availability: availability)
}

private func reservation(
    _ id: Int, connector: Int, idTag: String = "HOLDER", parent: String? = nil, expiresIn seconds: TimeInterval = 600
) -> Reservation {
    Reservation(id: id, connectorId: connector, idTag: idTag, parentIdTag: parent, expiresAt: now + seconds, reservedAt: now - 10)
}

private func answer(
    connector: Int, id: Int = 1, expiresIn seconds: TimeInterval = 600, _ compartments: [CompartmentSnapshot],
    _ reservations: [Reservation] = [], zero: Bool = false
) -> ReservationStatus {
    ReservationRules.answer(
        connectorId: connector, reservationId: id, expiresAt: now + seconds, compartments: compartments,
        reservations: reservations, connectorZeroSupported: zero, now: now)
}

@Suite("Reservations: ReserveNow answers")
struct ReserveNowAnswerTests {
    @Test func aFreeCompartmentIsReserved() {
        #expect(answer(connector: 1, [compartment(1), compartment(2)]) == .accepted)
    }

    @Test func busyFaultedUnavailableAndUnknownConnectorsAnswerAsTheSpecSays() {
        let site = [
            compartment(1, .busy), compartment(2, .waiting(since: now)), compartment(3, .faulted),
            compartment(4, .unavailable),
        ]
        #expect(answer(connector: 1, site) == .occupied)
        #expect(answer(connector: 2, site) == .occupied)
        #expect(answer(connector: 3, site) == .faulted)
        #expect(answer(connector: 4, site) == .unavailable)
        #expect(answer(connector: 9, site) == .rejected)
    }

    @Test func aCompartmentReservedByAnotherReservationIsOccupiedButTheSameIdIsReplaced() {
        let site = [compartment(1), compartment(2)]
        let existing = [reservation(7, connector: 1)]
        #expect(answer(connector: 1, id: 8, site, existing) == .occupied)
        #expect(answer(connector: 1, id: 7, site, existing) == .accepted)
        // An expired reservation no longer holds its compartment.
        #expect(answer(connector: 1, id: 8, site, [reservation(7, connector: 1, expiresIn: -1)]) == .accepted)
    }

    @Test func anExpiryInThePastIsRejected() {
        #expect(answer(connector: 1, expiresIn: 0, [compartment(1)]) == .rejected)
    }

    @Test func connectorZeroNeedsTheKeyAndAFreeCompartmentPerReservation() {
        let site = [compartment(1), compartment(2, .busy)]
        #expect(answer(connector: 0, site) == .rejected)
        #expect(answer(connector: 0, site, zero: true) == .accepted)
        // The one free compartment is already kept for another connector-0 reservation.
        #expect(answer(connector: 0, id: 2, site, [reservation(1, connector: 0)], zero: true) == .occupied)
        #expect(answer(connector: 0, [compartment(1, .faulted)], zero: true) == .faulted)
        #expect(answer(connector: 0, [compartment(1, .unavailable)], zero: true) == .unavailable)
        // Reserving the last free compartment would take it from a connector-0 reservation.
        #expect(answer(connector: 1, id: 2, site, [reservation(1, connector: 0)], zero: true) == .occupied)
    }
}

@Suite("Reservations: who may start at a reserved compartment")
struct ReservationGateTests {
    private func gate(
        _ connector: Int, _ idTag: String, parent: String? = nil, _ compartments: [CompartmentSnapshot],
        _ reservations: [Reservation]
    ) -> ReservationGate {
        ReservationRules.gate(
            connectorId: connector, idTag: idTag, parentIdTag: parent, compartments: compartments,
            reservations: reservations, now: now)
    }

    @Test func onlyTheHolderOrItsGroupUsesTheReservation() {
        let site = [compartment(1, .waiting(since: now)), compartment(2)]
        let held = reservation(5, connector: 1, parent: "FAMILY")
        #expect(gate(1, "holder", site, [held]) == .use(held))  // idTags compare case-insensitively
        #expect(gate(1, "SISTER", parent: "family", site, [held]) == .use(held))
        #expect(gate(1, "STRANGER", parent: "OTHER", site, [held]) == .refused(held))
        #expect(gate(1, "STRANGER", site, [held]) == .refused(held))
        #expect(gate(2, "STRANGER", site, [held]) == .open)
    }

    @Test func anExpiredReservationRefusesNobody() {
        let site = [compartment(1, .waiting(since: now))]
        #expect(gate(1, "STRANGER", site, [reservation(5, connector: 1, expiresIn: -1)]) == .open)
    }

    @Test func aGroupIsOnlyMatchedWhenTheReservationNamesOne() {
        let site = [compartment(1, .waiting(since: now))]
        let held = reservation(5, connector: 1)
        #expect(gate(1, "OTHER", parent: nil, site, [held]) == .refused(held))
    }

    @Test func connectorZeroKeepsOneFreeCompartmentForItsHolder() {
        let anywhere = reservation(9, connector: 0)
        // Another driver at C1 while C2 stays free for the holder: fine.
        #expect(gate(1, "STRANGER", [compartment(1, .waiting(since: now)), compartment(2)], [anywhere]) == .open)
        // No other free compartment: C1 is the one kept for the holder.
        #expect(gate(1, "STRANGER", [compartment(1, .waiting(since: now)), compartment(2, .busy)], [anywhere])
            == .refused(anywhere))
        #expect(gate(1, "HOLDER", [compartment(1, .waiting(since: now)), compartment(2, .busy)], [anywhere]) == .use(anywhere))
        // A compartment reserved for someone else is not free for the connector-0 holder's count.
        let other = reservation(3, connector: 2, idTag: "SOMEONE")
        #expect(gate(1, "STRANGER", [compartment(1, .waiting(since: now)), compartment(2)], [anywhere, other])
            == .refused(anywhere))
    }

    @Test func expiredReservationsAreListed() {
        let old = reservation(1, connector: 1, expiresIn: -5)
        let live = reservation(2, connector: 2)
        #expect(ReservationRules.expired([old, live], at: now) == [old])
        #expect(old.hasExpired(at: now) && !live.hasExpired(at: now))
    }
}

/// The reservation and remote-start rules inside the site controller (no hardware, no uplink), inputs by hand.
@Suite("Reservations and remote starts in the site controller")
struct RemoteSiteControllerTests {
    static func withSite(_ body: (SiteController, SiteStore) async throws -> Void) async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = try simulatedSite(stateFolder: folder)
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        let now = Date()
        let site = SiteController(
            configuration: configuration, store: store, runStart: try store.beginRun(at: now, version: "test"),
            startedAt: now, logger: quietLogger)
        await site.startSessions(uplink: nil)
        try await body(site, store)
        await site.stopSessions()
    }

    /// The driver opens the released door, puts things in and shuts it: the compartment waits for authorization.
    static func thingsIn(_ site: SiteController, _ name: String) async {
        await site.feedSession(name, .hardware(DoorLockReading(doorClosed: true, locked: false)))
        await site.feedSession(name, .hardware(DoorLockReading(doorClosed: false, locked: false)))
        await site.feedSession(name, .hardware(DoorLockReading(doorClosed: true, locked: true)))
    }

    static func accepted(_ idTag: String, _ name: String, _ site: SiteController) async {
        await site.feedSession(name, .cardAuthorized(
            idTag: idTag, outcome: AuthorizationOutcome(status: .accepted, source: .localList), method: .sms,
            sessionId: "s-\(idTag)"))
    }

    @Test func aReservedCompartmentTakesOnlyItsHoldersStart() async throws {
        try await Self.withSite { site, store in
            let request = ReserveNowRequest(connectorId: 1, expiryDate: Date() + 600, idTag: "HOLDER", reservationId: 11)
            #expect(await site.reserveNow(request, connectorZeroSupported: false) == .accepted)
            #expect(await site.sessionConnectorStatus("A1") == "Reserved")
            #expect(try store.reservations().map(\.id) == [11])

            await Self.thingsIn(site, "A1")
            await Self.accepted("STRANGER", "A1", site)  // e.g. an SMS start: refused all the same
            #expect(await site.sessionView.machines["A1"]?.openSession == nil)
            #expect(await site.sessionConnectorStatus("A1") == "Preparing")

            await Self.accepted("holder", "A1", site)
            let session = try #require(await site.sessionView.machines["A1"]?.openSession)
            #expect(session.reservationId == 11 && session.id == "s-holder")
            #expect(try store.reservations().isEmpty)
            #expect(await site.cancelReservation(11) == .rejected)
        }
    }

    @Test func aRemoteStartOnAFreeCompartmentStartsWhenTheDoorCloses() async throws {
        try await Self.withSite { site, store in
            #expect(await site.remoteStart(connectorId: 2, idTag: "DRIVER", authorizeFirst: false) == .accepted)
            #expect(await site.sessionConnectorStatus("A2") == "Preparing")
            #expect(await site.remoteStart(connectorId: 2, idTag: "OTHER", authorizeFirst: false) == .rejected)
            // Stored before it was answered.
            #expect(try store.heldAuthorizations()["A2"]?.idTag == "DRIVER")
            await Self.thingsIn(site, "A2")
            let session = try #require(await site.sessionView.machines["A2"]?.openSession)
            #expect(session.authorizationMethod == .remote && session.idTag == "DRIVER")
            #expect(try store.heldAuthorizations().isEmpty)
            #expect(await site.remoteStart(connectorId: nil, idTag: "DRIVER", authorizeFirst: false) == .rejected)
            #expect(await site.remoteStop(transactionId: 1) == .rejected)
        }
    }
}
