"""ReserveNow / CancelReservation for compartments against the Python `ocpp` central system (docs/ocpp.md,
"Reservations"): a reserved free compartment is kept, latched, for its holder."""
from datetime import datetime, timedelta, timezone

from ocpp.v16 import call

from test_sessions import (  # noqa: F401 (fixture)
    GROUP_CARD, OWNER, STRANGER, card, central, door, occupy, session_site, start_daemon, start_session, status_of, wait_status)
from test_simulated_hardware import compartment, eventually, post


def expiry(seconds):
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


def reserve(central, connector, reservation_id, id_tag=OWNER, seconds=300, parent=None):
    request = call.ReserveNow(connector_id=connector, expiry_date=expiry(seconds), id_tag=id_tag,
                              reservation_id=reservation_id, parent_id_tag=parent)
    return central.call(request).status


def cancel(central, reservation_id):
    return central.call(call.CancelReservation(reservation_id=reservation_id)).status


def reported(central, connector, status):
    return any(c.payload["connectorId"] == connector and c.payload["status"] == status
               for c in central.calls("StatusNotification"))


def feedback(daemon, detail):
    return any(e["kind"] == "sessionFeedback" and e.get("detail") == detail for e in daemon.get("/v1/events")[1]["events"])


def test_reservation_answers_cancel_and_expiry(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    start_session(daemon, central, "A1")
    assert reserve(central, 1, 1) == "Occupied"  # charging
    assert reserve(central, 99, 2) == "Rejected"  # no such connector
    assert reserve(central, 13, 3) == "Rejected"  # a charger
    assert reserve(central, 0, 4) == "Rejected"  # ReserveConnectorZeroSupported is false
    assert post(daemon, "/v1/simulation/meters/13", {"values": {"power": 300}})[0] == 200  # A3: stuck relay
    wait_status(daemon, "A3", "Faulted")
    assert reserve(central, 3, 5) == "Faulted"
    assert central.call(call.ChangeAvailability(connector_id=2, type="Inoperative")).status == "Accepted"
    wait_status(daemon, "A2", "Unavailable")
    assert reserve(central, 2, 9) == "Unavailable"
    assert central.call(call.RemoteStartTransaction(id_tag=OWNER, connector_id=2)).status == "Rejected"

    assert reserve(central, 5, 6) == "Accepted"
    wait_status(daemon, "A5", "Reserved")
    central.wait_for(lambda: reported(central, 5, "Reserved"), what="StatusNotification Reserved")
    assert reserve(central, 5, 7, id_tag=STRANGER) == "Occupied"  # reserved by another reservation
    assert cancel(central, 6) == "Accepted"
    wait_status(daemon, "A5", "Available")
    assert cancel(central, 6) == "Rejected"  # no longer exists

    assert reserve(central, 4, 8, seconds=4) == "Accepted"
    wait_status(daemon, "A4", "Reserved")
    wait_status(daemon, "A4", "Available")  # expired
    central.wait_for(lambda: reported(central, 4, "Available"), what="StatusNotification Available after expiry")
    # The latch the reservation closed opens again for the next driver.
    assert eventually(lambda: compartment(daemon, "A4")["lock"] == "unlocked")
    assert central.errors_sent() == []


def test_the_holder_opens_and_uses_the_reserved_compartment_another_card_is_refused(daemon_factory, central, tmp_path):
    central.id_tags[STRANGER] = {"status": "Accepted"}  # a valid card, just not the holder's
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    # A stranger's things behind a reserved door: the stranger's card starts nothing there.
    assert reserve(central, 2, 21) == "Accepted"
    wait_status(daemon, "A2", "Reserved")
    occupy(daemon, "A2")  # the operator opened it; the stranger put things in and shut the door
    card(daemon, STRANGER)
    assert eventually(lambda: feedback(daemon, "reserved"))
    assert status_of(daemon, "A2") == "Preparing" and central.calls("StartTransaction") == []

    # The holder's card at the shared reader opens their reserved compartment; shutting the door starts the session.
    assert reserve(central, 6, 22) == "Accepted"
    wait_status(daemon, "A6", "Reserved")
    assert eventually(lambda: compartment(daemon, "A6")["lock"] == "locked")
    card(daemon, OWNER)
    assert eventually(lambda: feedback(daemon, "reservationReady"))
    assert eventually(lambda: compartment(daemon, "A6")["lock"] == "unlocked")
    door(daemon, "A6", "open")
    door(daemon, "A6", "closed")
    wait_status(daemon, "A6", "Charging")
    start = central.wait_for_calls("StartTransaction")[0].payload
    assert start["connectorId"] == 6 and start["idTag"] == OWNER and start["reservationId"] == 22
    assert cancel(central, 22) == "Rejected"  # used up by the session
    _, audit = daemon.get("/v1/audit?limit=10")
    assert any(r["actor"] == "reservation" and r["target"] == "A6" for r in audit["records"])


def test_a_card_of_the_reservations_group_may_use_it(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    assert reserve(central, 9, 40, parent="FAMILY") == "Accepted"  # the central system names OWNER's group
    wait_status(daemon, "B3", "Reserved")
    card(daemon, GROUP_CARD)  # another card of the FAMILY group
    assert eventually(lambda: feedback(daemon, "reservationReady"))
    assert eventually(lambda: compartment(daemon, "B3")["lock"] == "unlocked")
    door(daemon, "B3", "open")
    door(daemon, "B3", "closed")
    wait_status(daemon, "B3", "Charging")
    start = central.wait_for_calls("StartTransaction")[0].payload
    assert start["idTag"] == GROUP_CARD and start["reservationId"] == 40


def test_a_reservation_survives_a_restart_and_connector_zero_when_supported(daemon_factory, central, tmp_path):
    config = session_site(tmp_path, central, reserveConnectorZeroSupported="true")
    daemon = start_daemon(daemon_factory, config, central)
    keys = central.call(call.GetConfiguration(key=["ReserveConnectorZeroSupported"])).configuration_key
    assert keys[0]["value"] == "true"
    assert reserve(central, 0, 30) == "Accepted"
    assert reserve(central, 7, 31) == "Accepted"
    wait_status(daemon, "B1", "Reserved")
    daemon.kill()
    boots = len(central.calls("BootNotification"))

    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification", count=boots + 1)
    wait_status(daemon, "B1", "Reserved")
    central.wait_for(lambda: [c for c in central.calls("StatusNotification")
                              if c.payload["connectorId"] == 7][-1].payload["status"] == "Reserved",
                     what="Reserved reported after the restart")
    assert cancel(central, 31) == "Accepted"
    assert cancel(central, 30) == "Accepted"
