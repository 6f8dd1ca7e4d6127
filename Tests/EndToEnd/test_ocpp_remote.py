"""RemoteStartTransaction / RemoteStopTransaction for compartments and StopTransactionOnInvalidId, against the Python
`ocpp` central system (docs/ocpp.md, "Remote start and stop")."""
from ocpp.v16 import call

from central_system import CentralSystem
from conftest import free_port
from test_sessions import (  # noqa: F401 (fixture)
    OWNER, STRANGER, card, central, door, occupy, session_site, start_daemon, start_session, status_of, wait_status)
from test_simulated_hardware import compartment, eventually, post

UNKNOWN_CARD = "0FF11E00"


def remote_start(central, connector=None, id_tag=OWNER):
    request = call.RemoteStartTransaction(id_tag=id_tag) if connector is None else \
        call.RemoteStartTransaction(id_tag=id_tag, connector_id=connector)
    return central.call(request).status


def remote_stop(central, transaction_id):
    return central.call(call.RemoteStopTransaction(transaction_id=transaction_id)).status


def transaction_known(daemon, name):
    """The central system's transaction id, once the site has its StartTransaction answer."""
    session = compartment(daemon, name).get("session") or {}
    return session.get("transactionId")


def test_remote_start_at_a_waiting_door_then_remote_stop_opens_it(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    assert remote_stop(central, 4711) == "Rejected"  # no such transaction
    occupy(daemon, "A1")
    assert remote_start(central, 1) == "Accepted"
    wait_status(daemon, "A1", "Charging")
    start = central.wait_for_calls("StartTransaction")[0].payload
    assert start["connectorId"] == 1 and start["idTag"] == OWNER and "reservationId" not in start
    assert compartment(daemon, "A1")["session"]["authorizationMethod"] == "remote"
    assert eventually(lambda: transaction_known(daemon, "A1") == central.next_transaction_id)
    assert remote_start(central, 1) == "Rejected"  # busy now

    assert remote_stop(central, central.next_transaction_id) == "Accepted"
    stop = central.wait_for_calls("StopTransaction")[0].payload
    assert stop["reason"] == "Remote" and stop["transactionId"] == central.next_transaction_id
    wait_status(daemon, "A1", "Finishing")
    # Started remotely: the default `remote-started` releases the door.
    assert eventually(lambda: compartment(daemon, "A1")["lock"] == "unlocked")
    assert compartment(daemon, "A1")["relay"] == "off"
    assert remote_stop(central, central.next_transaction_id) == "Rejected"  # already stopped
    assert central.errors_sent() == []


def test_remote_start_on_a_free_compartment_waits_for_the_door(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    assert remote_start(central, 99) == "Rejected"  # unknown connector
    assert remote_start(central) == "Rejected"  # no connector and no door waits
    assert remote_start(central, 0) == "Rejected"

    assert remote_start(central, 2) == "Accepted"
    wait_status(daemon, "A2", "Preparing")
    # The latch opens for the driver, who puts the things in and shuts the door: the session starts.
    assert eventually(lambda: compartment(daemon, "A2")["lock"] == "unlocked")
    assert central.calls("StartTransaction") == []
    assert remote_start(central, 2) == "Rejected"  # an authorization is already held for it
    door(daemon, "A2", "open")
    door(daemon, "A2", "closed")
    wait_status(daemon, "A2", "Charging")
    assert [c.payload["connectorId"] for c in central.wait_for_calls("StartTransaction")] == [2]
    _, audit = daemon.get("/v1/audit?limit=10")
    assert any(r["actor"] == "central-system" and r["target"] == "A2" and r["action"] == "unlock" for r in audit["records"])


def test_a_held_remote_start_survives_a_restart(daemon_factory, central, tmp_path):
    config = session_site(tmp_path, central)
    daemon = start_daemon(daemon_factory, config, central)
    assert remote_start(central, 4) == "Accepted"
    wait_status(daemon, "A4", "Preparing")
    assert eventually(lambda: compartment(daemon, "A4")["lock"] == "unlocked")
    daemon.kill()
    boots = len(central.calls("BootNotification"))

    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification", count=boots + 1)
    wait_status(daemon, "A4", "Preparing")  # still held for the driver
    # A restart never unlocks a door; the simulated latch caught again, so the operator releases it.
    status, result = post(daemon, "/v1/compartments/A4/unlock", {"reason": "test: latch caught during the restart"})
    assert status == 200 and result["outcome"] == "unlocked", result
    door(daemon, "A4", "open")
    door(daemon, "A4", "closed")
    wait_status(daemon, "A4", "Charging")
    assert central.wait_for_calls("StartTransaction")[0].payload["connectorId"] == 4


def test_a_remote_start_nobody_follows_lapses_after_connection_timeout(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central, connectionTimeOutSeconds=4), central)
    assert remote_start(central, 3) == "Accepted"
    wait_status(daemon, "A3", "Preparing")
    wait_status(daemon, "A3", "Available")
    central.wait_for(lambda: [c.payload["status"] for c in central.calls("StatusNotification")
                              if c.payload["connectorId"] == 3][-2:] == ["Preparing", "Available"],
                     what="Preparing then Available for connector 3")
    assert central.calls("StartTransaction") == [] and compartment(daemon, "A3").get("session") is None


def test_remote_start_without_a_connector_takes_the_most_recently_closed_door(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    occupy(daemon, "A3")
    occupy(daemon, "A4")
    assert remote_start(central) == "Accepted"
    wait_status(daemon, "A4", "Charging")
    assert status_of(daemon, "A3") == "Preparing"
    assert central.wait_for_calls("StartTransaction")[0].payload["connectorId"] == 4


def test_authorize_remote_tx_requests_checks_the_idtag_first(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    assert central.call(call.ChangeConfiguration(key="AuthorizeRemoteTxRequests", value="true")).status == "Accepted"
    occupy(daemon, "A5")
    assert remote_start(central, 5, id_tag=STRANGER) == "Rejected"
    assert any(c.payload["idTag"] == STRANGER for c in central.calls("Authorize"))
    assert status_of(daemon, "A5") == "Preparing" and central.calls("StartTransaction") == []
    assert remote_start(central, 5, id_tag=OWNER) == "Accepted"
    wait_status(daemon, "A5", "Charging")
    assert any(c.payload["idTag"] == OWNER for c in central.calls("Authorize"))


def test_remote_stop_of_a_card_session_keeps_the_door_locked_for_its_owner(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    start_session(daemon, central, "A6")
    assert eventually(lambda: transaction_known(daemon, "A6") == central.next_transaction_id)
    assert remote_stop(central, central.next_transaction_id) == "Accepted"
    assert central.wait_for_calls("StopTransaction")[0].payload["reason"] == "Remote"
    assert eventually(lambda: compartment(daemon, "A6")["relay"] == "off")
    a6 = compartment(daemon, "A6")
    assert a6["lock"] == "locked" and a6["session"]["state"] == "suspendedByLocker", a6
    card(daemon, OWNER)  # the owner's card still opens it, without a second StopTransaction
    wait_status(daemon, "A6", "Finishing")
    assert eventually(lambda: compartment(daemon, "A6")["lock"] == "unlocked")
    assert len(central.calls("StopTransaction")) == 1


def test_remote_stop_unlocks_always_when_configured(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central, remoteStopUnlocks="always"), central)
    start_session(daemon, central, "B1")
    assert eventually(lambda: transaction_known(daemon, "B1") == central.next_transaction_id)
    assert remote_stop(central, central.next_transaction_id) == "Accepted"
    wait_status(daemon, "B1", "Finishing")
    assert eventually(lambda: compartment(daemon, "B1")["lock"] == "unlocked")


def test_an_offline_start_the_central_system_calls_invalid_is_stopped_and_stays_locked(daemon_factory, tmp_path):
    port = free_port()
    first = CentralSystem(port).start()
    config = session_site(tmp_path, first)
    daemon = start_daemon(daemon_factory, config, first)
    first.stop()
    assert eventually(lambda: daemon.get("/v1/status")[1]["uplink"]["state"] == "offline", 20)
    # Offline, an unknown card starts (the simulated site's AllowOfflineTxForUnknownId is true).
    occupy(daemon, "B2")
    card(daemon, UNKNOWN_CARD)
    wait_status(daemon, "B2", "Charging")

    second = CentralSystem(port)
    second.start_id_tags[UNKNOWN_CARD] = {"status": "Invalid"}
    second.start()
    try:
        stop = second.wait_for_calls("StopTransaction", timeout=60)[0].payload
        assert stop["reason"] == "DeAuthorized" and stop["transactionId"] == second.next_transaction_id
        assert eventually(lambda: compartment(daemon, "B2")["relay"] == "off")
        b2 = compartment(daemon, "B2")
        assert b2["lock"] == "locked" and b2["session"]["stopReason"] == "DeAuthorized", b2
        # The compartment is back in its owner's hands: the same card opens it; nothing is stopped twice.
        card(daemon, UNKNOWN_CARD)
        wait_status(daemon, "B2", "Finishing")
        assert eventually(lambda: compartment(daemon, "B2")["lock"] == "unlocked")
        assert len(second.calls("StopTransaction")) == 1 and second.errors_sent() == []
    finally:
        second.stop()
