"""The locker flow end to end: the simulated site driven through the local API, cards at the shared reader,
transactions at the Python central system (the `ocpp` package), and a SIGKILL in the middle (docs/local-api.md,
"Sessions")."""
import re

import pytest
from ocpp.v16 import call

from central_system import CentralSystem
from conftest import BOARDS, free_port
from test_simulated_hardware import compartment, eventually, line, post

OWNER = "04A2B3C4"
GROUP_CARD = "04A2B3C5"
STRANGER = "0BADCAFE"


@pytest.fixture
def central():
    system = CentralSystem(free_port()).start()
    system.id_tags[OWNER] = {"status": "Accepted", "parentIdTag": "FAMILY"}
    system.id_tags[GROUP_CARD] = {"status": "Accepted", "parentIdTag": "FAMILY"}
    yield system
    system.stop()


def session_site(tmp_path, central, **sessions):
    """The simulated site with this central system and a `sessions:` block with short timeouts."""
    text = (BOARDS / "simulator" / "site.yaml").read_text()
    text, count = re.subn(r"centralSystem:\n(  .*\n)+",
                          f"centralSystem:\n  url: ws://127.0.0.1:{central.port}/ocpp\n  securityProfile: 0\n", text)
    assert count == 1
    # A Modbus simulator of its own: parallel daemons must not share 127.0.0.1:1502.
    text, count = re.subn(r"^buses: \[\]$", f"buses: [{{name: sim-modbus, tcp: {{host: 127.0.0.1, port: {free_port()}}}}}]",
                          text, flags=re.M)
    assert count == 1
    settings = {"connectionTimeOutSeconds": 120, "meterValueSampleIntervalSeconds": 1, "lockConfirmSeconds": 2, **sessions}
    text += "\nsessions:\n" + "".join(f"  {key}: {value}\n" for key, value in settings.items())
    path = tmp_path / "site.yaml"
    path.write_text(text)
    return path


def start_daemon(daemon_factory, config, central, name="state"):
    daemon = daemon_factory(name, extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification")
    return daemon


def status_of(daemon, name):
    return compartment(daemon, name)["status"]


def wait_status(daemon, name, wanted, timeout=20.0):
    assert eventually(lambda: status_of(daemon, name) == wanted, timeout), \
        f"{name} never became {wanted}: {compartment(daemon, name)}\n{daemon.output()[-4000:]}"


def card(daemon, id_tag):
    assert post(daemon, "/v1/simulation/readers/front/card", {"idTag": id_tag})[0] == 200


def door(daemon, name, state):
    """Moves the door and waits until the debounced sensor reports it (a quicker flap is not a door movement)."""
    assert post(daemon, f"/v1/simulation/compartments/{name}/door", {"state": state})[0] == 200
    assert eventually(lambda: compartment(daemon, name)["door"] == state)


def occupy(daemon, name):
    """A driver puts things into a free compartment: its latch is released (as every ended session leaves it),
    the door opens and shuts, and the latch catches: the compartment waits for authorization."""
    status, result = post(daemon, f"/v1/compartments/{name}/unlock", {"reason": "test: free compartment released"})
    assert status == 200 and result["outcome"] == "unlocked", result
    door(daemon, name, "open")
    door(daemon, name, "closed")
    wait_status(daemon, name, "Preparing")
    assert eventually(lambda: compartment(daemon, name)["lock"] == "locked")


def start_session(daemon, central, name, id_tag=OWNER):
    occupy(daemon, name)
    card(daemon, id_tag)
    wait_status(daemon, name, "Charging")
    central.wait_for_calls("StartTransaction")


def starts_for(central, connector):
    return [c for c in central.calls("StartTransaction") if c.payload["connectorId"] == connector]


def test_full_rfid_flow_at_the_shared_reader(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    start_session(daemon, central, "A1")
    a1 = compartment(daemon, "A1")
    assert a1["lock"] == "locked" and a1["relay"] == "on"
    assert a1["session"]["idTag"] == "****B3C4" and a1["session"]["state"] == "charging"
    start = starts_for(central, 1)[0].payload
    assert start["idTag"] == OWNER and isinstance(start["meterStart"], int)
    central.wait_for(lambda: any(c.payload.get("status") == "Charging" and c.payload["connectorId"] == 1
                                 for c in central.calls("StatusNotification")), what="StatusNotification Charging")
    central.wait_for_calls("MeterValues")

    card(daemon, STRANGER)  # not the owner (and no door waits): nothing opens, nothing stops
    assert eventually(lambda: any(e["kind"] == "sessionFeedback" and e.get("detail") in ("notOwner", "noWaitingDoor")
                                  for e in daemon.get("/v1/events")[1]["events"]))
    assert status_of(daemon, "A1") == "Charging" and compartment(daemon, "A1")["lock"] == "locked"
    assert central.calls("StopTransaction") == []

    card(daemon, OWNER)
    wait_status(daemon, "A1", "Finishing")
    stop = central.wait_for_calls("StopTransaction")[0].payload
    assert stop["reason"] == "Local" and stop["meterStop"] >= start["meterStart"]
    assert eventually(lambda: compartment(daemon, "A1")["lock"] == "unlocked")
    assert compartment(daemon, "A1")["relay"] == "off"
    door(daemon, "A1", "open")
    door(daemon, "A1", "closed")
    wait_status(daemon, "A1", "Available")
    # Free again: the latch is released for the next driver, who needs nobody to open it.
    assert eventually(lambda: compartment(daemon, "A1")["lock"] == "unlocked")
    door(daemon, "A1", "open")
    door(daemon, "A1", "closed")
    wait_status(daemon, "A1", "Preparing")
    _, sessions = daemon.get("/v1/sessions")
    record = sessions["sessions"][0]
    assert record["compartment"] == "A1" and record["stopReason"] == "Local" and record["state"] == "closed"
    assert record["transactionId"] == start_id(central) and record["meterStopWh"] >= record["meterStartWh"]
    assert daemon.get("/v1/sessions?active=true")[1]["sessions"] == []
    assert len(central.calls("StartTransaction")) == 1 and len(central.calls("StopTransaction")) == 1


def start_id(central):
    return central.next_transaction_id


def test_a_card_of_the_owners_group_ends_the_session(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    start_session(daemon, central, "A2")
    card(daemon, GROUP_CARD)
    wait_status(daemon, "A2", "Finishing")
    assert central.wait_for_calls("StopTransaction")[0].payload["reason"] == "Local"


def test_nobody_authorizes_within_connection_timeout(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central, connectionTimeOutSeconds=2), central)
    occupy(daemon, "A3")
    wait_status(daemon, "A3", "Available")
    assert eventually(lambda: compartment(daemon, "A3")["lock"] == "unlocked")
    assert central.calls("StartTransaction") == []


def test_a_lock_that_does_not_catch_starts_nothing_and_faults(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    occupy(daemon, "A4")
    # The bolt does not hold: the feedback reads unlocked on the closed door.
    assert post(daemon, "/v1/simulation/compartments/A4/lock", {"feedback": "unlocked"})[0] == 200
    assert eventually(lambda: compartment(daemon, "A4")["lock"] == "unlocked")
    card(daemon, OWNER)
    wait_status(daemon, "A4", "Faulted")
    assert compartment(daemon, "A4")["fault"] == "lockFailed"
    assert compartment(daemon, "A4")["relay"] == "off" and line(daemon, "RELAY4")["active"] is False
    assert central.calls("StartTransaction") == []


def test_a_forced_door_during_charging_is_reported(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    start_session(daemon, central, "B1")
    door(daemon, "B1", "open")
    wait_status(daemon, "B1", "Faulted")
    assert compartment(daemon, "B1")["relay"] == "off"
    central.wait_for(lambda: any(c.payload["connectorId"] == 7 and c.payload.get("status") == "Faulted"
                                 for c in central.calls("StatusNotification")), what="StatusNotification Faulted")


def test_emergency_unlock_by_the_operator_stops_the_transaction(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    start_session(daemon, central, "A5")
    status, result = post(daemon, "/v1/compartments/A5/unlock", {"reason": "driver lost the card, ticket 12"})
    assert status == 200 and result["outcome"] == "unlocked"
    assert central.wait_for_calls("StopTransaction")[0].payload["reason"] == "UnlockCommand"
    wait_status(daemon, "A5", "Finishing")


def test_sigkill_while_charging_then_restart_continues_the_session(daemon_factory, central, tmp_path):
    config = session_site(tmp_path, central)
    daemon = start_daemon(daemon_factory, config, central)
    start_session(daemon, central, "A6")
    central.wait_for(lambda: any(c.payload["connectorId"] == 6 and c.payload.get("status") == "Charging"
                                 for c in central.calls("StatusNotification")), what="Charging reported")
    daemon.kill()
    boots = len(central.calls("BootNotification"))

    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification", count=boots + 1)
    a6 = compartment(daemon, "A6")
    assert a6["lock"] == "locked", a6  # no door opens by itself
    wait_status(daemon, "A6", "Charging")
    assert compartment(daemon, "A6")["relay"] == "on"
    assert eventually(lambda: queue_drained(daemon))
    assert len(starts_for(central, 6)) == 1
    card(daemon, OWNER)
    wait_status(daemon, "A6", "Finishing")
    stops = central.wait_for_calls("StopTransaction")
    assert len(stops) == 1 and stops[0].payload["transactionId"] == central.next_transaction_id


def queue_drained(daemon):
    uplink = daemon.get("/v1/status")[1]["uplink"]
    return uplink["state"] == "connected" and uplink.get("queueDepth", 0) == 0


def test_sigkill_after_the_session_ended_reports_the_stop_once(daemon_factory, central, tmp_path):
    config = session_site(tmp_path, central)
    daemon = start_daemon(daemon_factory, config, central)
    start_session(daemon, central, "B2")
    card(daemon, OWNER)
    wait_status(daemon, "B2", "Finishing")
    central.wait_for_calls("StopTransaction")
    assert eventually(lambda: queue_drained(daemon))
    daemon.kill()
    boots = len(central.calls("BootNotification"))

    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification", count=boots + 1)
    wait_status(daemon, "B2", "Finishing")
    assert compartment(daemon, "B2")["relay"] == "off"
    assert eventually(lambda: queue_drained(daemon))
    assert len(central.calls("StartTransaction")) == 1 and len(central.calls("StopTransaction")) == 1
    _, sessions = daemon.get("/v1/sessions?active=true")
    assert [s["compartment"] for s in sessions["sessions"]] == ["B2"]
