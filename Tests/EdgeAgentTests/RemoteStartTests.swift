import Foundation
import OCPP
import Testing
@testable import EdgeAgent

private let now = Date(timeIntervalSince1970: 1_800_000_000)

private func compartment(_ connectorId: Int, _ availability: CompartmentAvailability = .free) -> CompartmentSnapshot {
    CompartmentSnapshot(name: "C\(connectorId)", connectorId: connectorId, availability: availability)
}

private func decide(
    _ connectorId: Int?, idTag: String = "DRIVER", parent: String? = nil, _ compartments: [CompartmentSnapshot],
    reservations: [Reservation] = [], chargers: Set<Int> = [13]
) -> RemoteStartDecision {
    RemoteStartRules.decide(
        connectorId: connectorId, idTag: idTag, parentIdTag: parent, compartments: compartments,
        chargerConnectors: chargers, reservations: reservations, now: now)
}

@Suite("Remote start: which compartment")
struct RemoteStartChoiceTests {
    @Test func aWaitingDoorStartsNowAndAFreeCompartmentIsHeld() {
        let site = [compartment(1, .waiting(since: now - 30)), compartment(2)]
        #expect(decide(1, site) == .startNow(compartment: "C1", reservationId: nil))
        #expect(decide(2, site) == .hold(compartment: "C2", reservationId: nil))
    }

    @Test func busyFaultedUnavailableUnknownAndChargerConnectorsAreRejected() {
        let site = [compartment(1, .busy), compartment(2, .faulted), compartment(3, .unavailable)]
        #expect(decide(1, site) == .rejected(.busy))
        #expect(decide(2, site) == .rejected(.faulted))
        #expect(decide(3, site) == .rejected(.unavailable))
        #expect(decide(4, site) == .rejected(.unknownConnector))
        #expect(decide(13, site) == .rejected(.charger))
    }

    @Test func withoutAConnectorTheMostRecentlyClosedWaitingDoorIsChosen() {
        let site = [
            compartment(1, .waiting(since: now - 60)), compartment(2, .waiting(since: now - 5)),
            compartment(3, .waiting(since: now - 30)), compartment(4),
        ]
        #expect(decide(nil, site) == .startNow(compartment: "C2", reservationId: nil))
        #expect(decide(0, site) == .startNow(compartment: "C2", reservationId: nil))
    }

    @Test func withoutAConnectorAndNoWaitingDoorItIsRejected() {
        #expect(decide(nil, [compartment(1), compartment(2, .busy)]) == .rejected(.noWaitingDoor))
        #expect(decide(0, []) == .rejected(.noWaitingDoor))
    }

    @Test func reservationsDecideAsForACard() {
        let reserved = Reservation(
            id: 42, connectorId: 1, idTag: "HOLDER", parentIdTag: nil, expiresAt: now + 600, reservedAt: now - 60)
        let site = [compartment(1, .waiting(since: now - 5)), compartment(2, .waiting(since: now - 30))]
        #expect(decide(1, idTag: "HOLDER", site, reservations: [reserved]) == .startNow(compartment: "C1", reservationId: 42))
        #expect(decide(1, site, reservations: [reserved]) == .rejected(.reservedForAnother))
        // The shared-reader rule skips a door reserved for someone else.
        #expect(decide(nil, site, reservations: [reserved]) == .startNow(compartment: "C2", reservationId: nil))
        #expect(decide(2, idTag: "HOLDER", [compartment(1), compartment(2)], reservations: [
            Reservation(id: 7, connectorId: 2, idTag: "holder", parentIdTag: nil, expiresAt: now + 60, reservedAt: now),
        ]) == .hold(compartment: "C2", reservationId: 7))
    }
}

@Suite("Remote stop: whether the door opens")
struct RemoteStopUnlockTests {
    @Test func thePolicyDecides() {
        #expect(RemoteStopUnlockPolicy.remoteStarted.unlocks(sessionStartedRemotely: true))
        #expect(!RemoteStopUnlockPolicy.remoteStarted.unlocks(sessionStartedRemotely: false))
        #expect(RemoteStopUnlockPolicy.always.unlocks(sessionStartedRemotely: false))
        #expect(!RemoteStopUnlockPolicy.never.unlocks(sessionStartedRemotely: true))
        #expect(RemoteStopUnlockPolicy(rawValue: "remote-started") == .remoteStarted)
    }
}

@Suite("Remote sessions in the session machine")
struct RemoteSessionMachineTests {
    private func charging(method: SessionAuthorizationMethod = .remote, reservationId: Int? = nil) -> SessionDriver {
        var driver = SessionDriver()
        driver.send(.meter(CompartmentMeterReading(at: driver.now, energyWh: 1000, powerWatts: 0)))
        driver.door(closed: false, locked: false)
        driver.door(closed: true, locked: true, after: 5)
        driver.send(.authorizedStart(
            idTag: "DRIVER", outcome: AuthorizationOutcome(status: .accepted, source: .centralSystem), method: method,
            sessionId: "r1", reservationId: reservationId))
        return driver
    }

    @Test func anAuthorizedStartCarriesItsMethodAndReservation() throws {
        let driver = charging(reservationId: 42)
        let session = try #require(driver.machine.openSession)
        #expect(session.authorizationMethod == .remote && session.reservationId == 42 && session.state == .charging)
        #expect(driver.log.starts == 1)
    }

    @Test func aRemoteStopThatUnlocksEndsTheSessionForTheDoor() {
        var driver = charging()
        let stopped = driver.send(.remoteStop(releaseLock: true), after: 30)
        #expect(stopped.stops == [.remote] && stopped.unlocks == [.remoteStop] && stopped.relays == [false])
        #expect(driver.machine.status == .finishing)
    }

    @Test func aRemoteStopThatKeepsTheDoorLockedLeavesTheSessionToItsOwner() {
        var driver = charging(method: .rfid)
        let stopped = driver.send(.remoteStop(releaseLock: false), after: 30)
        #expect(stopped.stops == [.remote] && stopped.unlocks.isEmpty && stopped.relays == [false])
        #expect(driver.machine.openSession?.transactionStoppedAt != nil)
        // A second remote stop finds no running transaction; the owner's card ends the session without a second stop.
        #expect(driver.send(.remoteStop(releaseLock: true)).stops.isEmpty)
        let ended = driver.send(.stopWithCard(idTag: "DRIVER", parentIdTag: nil), after: 60)
        #expect(ended.stops.isEmpty && ended.unlocks == [.owner])
        #expect(driver.log.stops == [.remote])
    }

    @Test func anAuthorizedStartWithoutAWaitingDoorStartsNothing() {
        var driver = SessionDriver()
        let out = driver.send(.authorizedStart(
            idTag: "DRIVER", outcome: AuthorizationOutcome(status: .accepted, source: .centralSystem), method: .remote,
            sessionId: "r1", reservationId: nil))
        #expect(out.feedback == [.noWaitingDoor] && driver.machine.openSession == nil)
    }
}

@Suite("Remote sessions in the site file")
struct RemoteSessionConfigurationTests {
    private func load(_ block: String) throws(EdgeAgent.ConfigurationError) -> SiteConfiguration {
        try SiteConfigurationLoader.load(
            yaml: EmbeddedSimulatorSite.siteYAML + "\n" + block, source: "test", baseFolder: nil, overrides: .none,
            knownProfiles: ConfigurationFixtures.knownProfiles)
    }

    @Test func theDefaultsUnlockOnlyRemoteStartsAndRefuseConnectorZero() throws {
        let site = try load("")
        #expect(site.sessions.remoteStopUnlocks == RemoteStopUnlockPolicy.remoteStarted && !site.sessions.reserveConnectorZeroSupported)
        let key = UplinkSetup.registry(for: site).value(.reserveConnectorZeroSupported, in: ConfigurationKeyStore())
        #expect(key == "false")
    }

    @Test func theKeysAreReadAndReachTheOCPPKey() throws {
        let site = try load("sessions:\n  remoteStopUnlocks: never\n  reserveConnectorZeroSupported: true\n")
        #expect(site.sessions.remoteStopUnlocks == RemoteStopUnlockPolicy.never && site.sessions.reserveConnectorZeroSupported)
        let key = UplinkSetup.registry(for: site).value(.reserveConnectorZeroSupported, in: ConfigurationKeyStore())
        #expect(key == "true")
    }

    @Test func anUnknownRemoteStopPolicyIsAProblem() {
        #expect(throws: EdgeAgent.ConfigurationError.self) { try load("sessions:\n  remoteStopUnlocks: sometimes\n") }
    }
}
