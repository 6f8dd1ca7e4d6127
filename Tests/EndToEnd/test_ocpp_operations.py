"""Operations from the central system end to end (docs/ocpp.md, "Operations"): ChangeAvailability (and the local
API's), Reset soft and hard with and without a transaction, TriggerMessage for every message, DataTransfer."""
import json
import signal

import pytest
from ocpp.v16 import call

from central_system import CentralSystem
from conftest import free_port
from test_sessions import OWNER, card, door, session_site, start_session, status_of, wait_status
from test_simulated_hardware import compartment, eventually, post


@pytest.fixture
def central():
    system = CentralSystem(free_port()).start()
    system.id_tags[OWNER] = {"status": "Accepted"}
    yield system
    system.stop()


def operations_site(tmp_path, central, **operations):
    path = session_site(tmp_path, central)
    if operations:
        path.write_text(path.read_text() + "\noperations:\n"
                        + "".join(f"  {key}: {json.dumps(value)}\n" for key, value in operations.items()))
    return path


def start(daemon_factory, config, central, name="state"):
    daemon = daemon_factory(name, extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification")
    wait_registered(daemon)
    central.wait_for_calls("StatusNotification", count=15)  # the charge point and its 14 connectors after the boot
    return daemon


def wait_registered(daemon):
    assert eventually(lambda: daemon.get("/v1/status")[1]["uplink"]["state"] == "connected", 20), daemon.output()[-3000:]


def status_sent(central, connector, status, after=0):
    return any(c.payload["connectorId"] == connector and c.payload["status"] == status
               for c in central.calls("StatusNotification")[after:])


def availability(daemon, connector):
    return next(a for a in daemon.get("/v1/status")[1]["availability"] if a["connectorId"] == connector)


def restarted(daemon, central, boots):
    """The same process started again (exec in place): a new BootNotification, the API answers, the link is up."""
    central.wait_for_calls("BootNotification", count=boots + 1, timeout=30)
    assert daemon.process.poll() is None, daemon.output()[-3000:]
    daemon.wait_ready()
    wait_registered(daemon)


def feedback_events(daemon):
    return [e.get("detail") for e in daemon.get("/v1/events")[1]["events"] if e["kind"] == "sessionFeedback"]


# -- ChangeAvailability -------------------------------------------------------------------------------------------

def test_change_availability_accepted_scheduled_rejected_and_kept_across_a_restart(daemon_factory, central, tmp_path):
    config = operations_site(tmp_path, central)
    daemon = start(daemon_factory, config, central)
    start_session(daemon, central, "A1")

    assert central.call(call.ChangeAvailability(connector_id=2, type="Inoperative")).status == "Accepted"
    wait_status(daemon, "A2", "Unavailable")
    central.wait_for(lambda: status_sent(central, 2, "Unavailable"), what="StatusNotification 2 Unavailable")
    assert availability(daemon, 2)["state"] == "inoperative" and availability(daemon, 2)["changedBy"] == "central-system"

    # A session holds A1: Scheduled; it goes on, and A1 becomes Unavailable once its owner is done.
    assert central.call(call.ChangeAvailability(connector_id=1, type="Inoperative")).status == "Scheduled"
    assert availability(daemon, 1)["state"] == "scheduled" and status_of(daemon, "A1") == "Charging"
    card(daemon, OWNER)
    wait_status(daemon, "A1", "Finishing")
    assert central.wait_for_calls("StopTransaction")[0].payload["reason"] == "Local"
    door(daemon, "A1", "open")
    door(daemon, "A1", "closed")
    wait_status(daemon, "A1", "Unavailable")
    central.wait_for(lambda: status_sent(central, 1, "Unavailable"), what="StatusNotification 1 Unavailable")

    assert central.call(call.ChangeAvailability(connector_id=99, type="Inoperative")).status == "Rejected"
    records = daemon.get("/v1/audit?limit=20")[1]["records"]
    assert sum(r["action"] == "availability" and r["actor"] == "central-system" for r in records) == 2

    # An inoperative free compartment takes no session: the card gets feedback, nothing starts.
    assert post(daemon, "/v1/compartments/A2/unlock", {"reason": "test: free compartment released"})[0] == 200
    door(daemon, "A2", "open")
    door(daemon, "A2", "closed")
    card(daemon, OWNER)
    assert eventually(lambda: "unavailable" in feedback_events(daemon)), feedback_events(daemon)
    assert len(central.calls("StartTransaction")) == 1 and status_of(daemon, "A2") == "Unavailable"

    # Stored: still unavailable after a restart, and reported so after the boot.
    boots, statuses = len(central.calls("BootNotification")), len(central.calls("StatusNotification"))
    assert daemon.terminate()[0] == 0
    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification", count=boots + 1)
    central.wait_for(lambda: status_sent(central, 2, "Unavailable", after=statuses), what="Unavailable after the restart")
    assert status_of(daemon, "A2") == "Unavailable" and status_of(daemon, "A3") == "Available"

    assert central.call(call.ChangeAvailability(connector_id=2, type="Operative")).status == "Accepted"
    wait_status(daemon, "A2", "Available")


def test_the_whole_site_and_the_local_api(daemon_factory, central, tmp_path):
    daemon = start(daemon_factory, operations_site(tmp_path, central), central)
    status, body = post(daemon, "/v1/connectors/3/availability", {"operative": False, "reason": "door repair, ticket 12"})
    assert status == 200 and body["status"] == "Accepted" and body["availability"]["state"] == "inoperative", body
    wait_status(daemon, "A3", "Unavailable")
    records = daemon.get("/v1/audit?limit=5")[1]["records"]
    assert any(r["action"] == "availability" and r["actor"].startswith("operator") and "ticket 12" in r["reason"]
               for r in records)
    assert post(daemon, "/v1/connectors/3/availability", {"operative": True})[0] == 400  # no reason
    assert post(daemon, "/v1/connectors/3/availability", {"reason": "x"})[0] == 400  # no operative
    assert post(daemon, "/v1/connectors/3/availability", raw=b"not json")[0] == 400
    assert post(daemon, "/v1/connectors/77/availability", {"operative": False, "reason": "x"})[0] == 404
    assert post(daemon, "/v1/connectors/abc/availability", {"operative": False, "reason": "x"})[0] == 400

    assert central.call(call.ChangeAvailability(connector_id=0, type="Inoperative")).status == "Accepted"
    central.wait_for(lambda: status_sent(central, 0, "Unavailable"), what="the charge point Unavailable")
    wait_status(daemon, "B6", "Unavailable")
    assert eventually(lambda: all(c["status"] == "Unavailable" for c in daemon.get("/v1/status")[1]["chargers"]))
    central.wait_for(lambda: status_sent(central, 13, "Unavailable"), what="charger 13 Unavailable")
    assert central.call(call.ChangeAvailability(connector_id=0, type="Operative")).status == "Accepted"
    wait_status(daemon, "A3", "Available")
    central.wait_for(lambda: status_sent(central, 0, "Available", after=1), what="the charge point Available again")


# -- Reset --------------------------------------------------------------------------------------------------------

def test_soft_reset_without_a_transaction_restarts_the_process(daemon_factory, central, tmp_path):
    daemon = start(daemon_factory, operations_site(tmp_path, central), central)
    started = daemon.get("/v1/status")[1]["run"]["startedAt"]
    pid = daemon.process.pid
    boots = len(central.calls("BootNotification"))
    assert central.call(call.Reset(type="Soft")).status == "Accepted"
    restarted(daemon, central, boots)
    assert daemon.process.pid == pid
    _, status = daemon.get("/v1/status")
    assert status["run"]["startedAt"] != started and status["run"]["previousRunEndedCleanly"] is True
    assert central.calls("StopTransaction") == []


def test_soft_reset_stops_the_transaction_once_and_keeps_the_door_locked(daemon_factory, central, tmp_path):
    daemon = start(daemon_factory, operations_site(tmp_path, central), central)
    start_session(daemon, central, "A4")
    boots = len(central.calls("BootNotification"))
    assert central.call(call.Reset(type="Soft")).status == "Accepted"
    restarted(daemon, central, boots)
    stops = central.wait_for_calls("StopTransaction")
    assert stops[0].payload["reason"] == "SoftReset" and stops[0].payload["transactionId"] == central.next_transaction_id
    a4 = compartment(daemon, "A4")
    assert a4["lock"] == "locked" and a4["relay"] == "off" and a4["session"] is not None, a4
    # The owner still ends the session; the transaction is not stopped a second time.
    card(daemon, OWNER)
    wait_status(daemon, "A4", "Finishing")
    assert eventually(lambda: compartment(daemon, "A4")["lock"] == "unlocked")
    assert len(central.calls("StopTransaction")) == 1 and len(central.calls("StartTransaction")) == 1


def test_hard_reset_runs_the_command_after_stopping_the_transaction(daemon_factory, central, tmp_path):
    marker = tmp_path / "rebooted"
    config = operations_site(tmp_path, central, hardResetCommand=f"echo reboot > {marker}")
    daemon = start(daemon_factory, config, central)
    start_session(daemon, central, "A5")
    assert central.call(call.Reset(type="Hard")).status == "Accepted"
    assert daemon.process.wait(timeout=30) == 0  # the board reboots: the daemon exits
    assert marker.read_text().strip() == "reboot"
    assert [c.payload["reason"] for c in central.calls("StopTransaction")] in ([], ["HardReset"])

    boots = len(central.calls("BootNotification"))
    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()  # "after the reboot"
    central.wait_for_calls("BootNotification", count=boots + 1)
    wait_registered(daemon)
    assert eventually(lambda: daemon.get("/v1/status")[1]["uplink"]["queueDepth"] == 0)
    assert [c.payload["reason"] for c in central.calls("StopTransaction")] == ["HardReset"]
    assert compartment(daemon, "A5")["lock"] == "locked"


def test_a_failing_hard_reset_command_falls_back_to_a_restart(daemon_factory, central, tmp_path):
    config = operations_site(tmp_path, central, hardResetCommand="echo no reboot for you >&2; exit 3")
    daemon = start(daemon_factory, config, central)
    boots = len(central.calls("BootNotification"))
    assert central.call(call.Reset(type="Hard")).status == "Accepted"
    restarted(daemon, central, boots)
    assert "hard reset command failed" in daemon.output()


# -- TriggerMessage and DataTransfer ------------------------------------------------------------------------------

@pytest.mark.parametrize("message, connector, action", [
    ("BootNotification", None, "BootNotification"),
    ("Heartbeat", None, "Heartbeat"),
    ("StatusNotification", 3, "StatusNotification"),
    ("FirmwareStatusNotification", None, "FirmwareStatusNotification"),
    ("DiagnosticsStatusNotification", None, "DiagnosticsStatusNotification"),
    ("MeterValues", 1, "MeterValues"),
])
def test_trigger_message_sends_the_message_after_the_confirmation(daemon_factory, central, tmp_path, message, connector, action):
    daemon = start(daemon_factory, operations_site(tmp_path, central), central)
    before = len(central.calls(action))
    result = central.call(call.TriggerMessage(requested_message=message, connector_id=connector))
    assert result.status == "Accepted"
    sent = central.wait_for_calls(action, count=before + 1)[-1]
    if action == "StatusNotification":
        assert sent.payload["connectorId"] == 3
    if action == "MeterValues":
        assert sent.payload["connectorId"] == 1
        assert all(v["context"] == "Trigger" for v in sent.payload["meterValue"][0]["sampledValue"])
    if action == "FirmwareStatusNotification":
        assert sent.payload["status"] == "Idle"
    if action == "DiagnosticsStatusNotification":
        assert sent.payload["status"] == "Idle"
    assert central.errors_sent() == []


def test_trigger_message_for_an_unknown_connector_is_rejected(daemon_factory, central, tmp_path):
    start(daemon_factory, operations_site(tmp_path, central), central)
    for message in ("StatusNotification", "MeterValues"):
        assert central.call(call.TriggerMessage(requested_message=message, connector_id=42)).status == "Rejected"
    # Every connector's status when none is named: the charge point and all 14 connectors.
    before = len(central.calls("StatusNotification"))
    assert central.call(call.TriggerMessage(requested_message="StatusNotification")).status == "Accepted"
    sent = central.wait_for_calls("StatusNotification", count=before + 15)[before:]
    assert sorted(c.payload["connectorId"] for c in sent) == list(range(0, 15))


def test_data_transfer_answers_site_status_and_unknown_ids(daemon_factory, central, tmp_path):
    start(daemon_factory, operations_site(tmp_path, central), central)
    result = central.call(call.DataTransfer(vendor_id="EdgeAgent", message_id="SiteStatus"))
    assert result.status == "Accepted"
    status = json.loads(result.data)
    assert status["station"]["identity"] == "SIM-LOCKER-01" and len(status["compartments"]) == 12
    assert central.call(call.DataTransfer(vendor_id="com.example.other", message_id="SiteStatus")).status == "UnknownVendorId"
    assert central.call(call.DataTransfer(vendor_id="EdgeAgent", message_id="NoSuchMessage")).status == "UnknownMessageId"


def test_soft_reset_stops_a_charger_transaction_too(daemon_factory, central, tmp_path):
    from test_chargers import charger_site, start_charging
    daemon = daemon_factory("state", extra_args=["--config", str(charger_site(tmp_path, central))]).start()
    central.wait_for_calls("BootNotification")
    wait_registered(daemon)
    start_charging(daemon, central)
    boots = len(central.calls("BootNotification"))
    assert central.call(call.Reset(type="Soft")).status == "Accepted"
    restarted(daemon, central, boots)
    stops = central.wait_for_calls("StopTransaction")
    assert eventually(lambda: daemon.get("/v1/status")[1]["uplink"]["queueDepth"] == 0)
    assert [s.payload["reason"] for s in central.calls("StopTransaction")] == ["SoftReset"]
    assert stops[0].payload["transactionId"] == central.next_transaction_id
