"""The locker flow end to end: the simulated site driven through the local API, cards at the shared reader,
transactions at the Python central system (the `ocpp` package), and a SIGKILL in the middle (docs/local-api.md,
"Sessions")."""
import json
import re

import pytest
from ocpp.v16 import call

from central_system import CentralSystem
from conftest import BOARDS, free_port, run_cli
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
    central.wait_for(lambda: any(c.payload["connectorId"] == 4 and c.payload.get("errorCode") == "ConnectorLockFailure"
                                 for c in central.calls("StatusNotification")), what="StatusNotification lock failure")
    assert central.calls("StartTransaction") == []


def test_a_forced_door_during_charging_is_reported(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    start_session(daemon, central, "B1")
    door(daemon, "B1", "open")
    wait_status(daemon, "B1", "Faulted")
    assert compartment(daemon, "B1")["relay"] == "off"
    central.wait_for(lambda: any(c.payload["connectorId"] == 7 and c.payload.get("status") == "Faulted"
                                 and c.payload.get("vendorErrorCode") == "DOOR_FORCED"
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


def test_sigkill_right_after_the_card_leaves_one_consistent_story(daemon_factory, central, tmp_path):
    """Killed somewhere between the card and the StartTransaction (authorize, commit, lock, relay, queue): after
    the restart the door is still locked, and the transaction is either started once or not at all."""
    config = session_site(tmp_path, central)
    daemon = start_daemon(daemon_factory, config, central)
    occupy(daemon, "B3")
    card(daemon, OWNER)
    daemon.kill()
    boots = len(central.calls("BootNotification"))

    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification", count=boots + 1)
    assert compartment(daemon, "B3")["lock"] == "locked"
    assert eventually(lambda: queue_drained(daemon))
    starts = starts_for(central, 9)
    assert len(starts) <= 1
    if daemon.get("/v1/sessions?active=true")[1]["sessions"]:
        wait_status(daemon, "B3", "Charging")
        assert eventually(lambda: queue_drained(daemon))
        assert len(starts_for(central, 9)) == 1
        card(daemon, OWNER)
        wait_status(daemon, "B3", "Finishing")
        assert len(central.wait_for_calls("StopTransaction")) == 1
    else:
        assert starts == [] and compartment(daemon, "B3")["relay"] == "off"


def test_unlock_connector_from_the_central_system_stops_the_transaction(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    start_session(daemon, central, "B4")
    result = central.call(call.UnlockConnector(connector_id=10))
    assert result.status == "Unlocked"
    assert central.wait_for_calls("StopTransaction")[0].payload["reason"] == "UnlockCommand"
    wait_status(daemon, "B4", "Finishing")
    _, audit = daemon.get("/v1/audit?limit=5")
    assert any(r["actor"] == "central-system" and r["action"] == "unlock" and r["target"] == "B4" for r in audit["records"])
    assert central.call(call.UnlockConnector(connector_id=13)).status == "NotSupported"  # a charger's connector


def test_a_compartment_number_on_the_keypad_binds_the_next_card(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    occupy(daemon, "A1")
    occupy(daemon, "A2")  # the most recently closed door: without the keypad the card would go here
    assert post(daemon, "/v1/simulation/readers/front/keys", {"keys": "1#"})[0] == 200
    assert eventually(lambda: any(e["kind"] == "sessionFeedback" and e.get("detail") == "compartmentSelected"
                                  for e in daemon.get("/v1/events")[1]["events"]))
    card(daemon, OWNER)
    wait_status(daemon, "A1", "Charging")
    assert status_of(daemon, "A2") == "Preparing"
    assert compartment(daemon, "A1")["session"]["authorizationMethod"] == "keypadAndSharedReader"


def test_the_occupancy_limit_stops_charging_and_keeps_the_door_locked(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central, maxOccupancySeconds=3), central)
    start_session(daemon, central, "B5")
    wait_status(daemon, "B5", "SuspendedEVSE")
    b5 = compartment(daemon, "B5")
    assert b5["relay"] == "off" and b5["lock"] == "locked" and b5["session"]["state"] == "suspendedByLocker"
    assert central.calls("StopTransaction") == []
    card(daemon, OWNER)  # the owner still ends it and gets the door
    wait_status(daemon, "B5", "Finishing")
    assert central.wait_for_calls("StopTransaction")[0].payload["reason"] == "Local"


def test_charge_complete_shows_suspended_ev(daemon_factory, central, tmp_path):
    config = session_site(tmp_path, central, chargeCompleteBelowWatts=5, chargeCompleteAfterSeconds=2,
                          switchOffWhenComplete="true")
    daemon = start_daemon(daemon_factory, config, central)
    start_session(daemon, central, "B6")
    # The battery is full: the compartment meter (unit 22) reads almost nothing.
    assert post(daemon, "/v1/simulation/meters/22", {"values": {"power": 1}})[0] == 200
    wait_status(daemon, "B6", "SuspendedEV")
    assert compartment(daemon, "B6")["relay"] == "off" and compartment(daemon, "B6")["lock"] == "locked"
    central.wait_for(lambda: any(c.payload["connectorId"] == 12 and c.payload.get("status") == "SuspendedEV"
                                 for c in central.calls("StatusNotification")), what="StatusNotification SuspendedEV")


def test_stop_and_restart_policy_reports_power_loss_and_starts_anew(daemon_factory, central, tmp_path):
    config = session_site(tmp_path, central, restartTransactions="stopAndRestart")
    daemon = start_daemon(daemon_factory, config, central)
    start_session(daemon, central, "A3")
    first = central.next_transaction_id
    daemon.kill()
    boots = len(central.calls("BootNotification"))

    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification", count=boots + 1)
    assert compartment(daemon, "A3")["lock"] == "locked"
    stop = central.wait_for_calls("StopTransaction")[0].payload
    assert stop["reason"] == "PowerLoss" and stop["transactionId"] == first
    central.wait_for_calls("StartTransaction", count=2)
    wait_status(daemon, "A3", "Charging")
    assert eventually(lambda: queue_drained(daemon))
    assert len(starts_for(central, 3)) == 2 and len(central.calls("StopTransaction")) == 1
    card(daemon, OWNER)
    stops = central.wait_for_calls("StopTransaction", count=2)
    assert stops[1].payload["reason"] == "Local" and stops[1].payload["transactionId"] == central.next_transaction_id


def test_power_with_the_socket_off_is_reported_as_a_stuck_relay(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    assert post(daemon, "/v1/simulation/meters/13", {"values": {"power": 300}})[0] == 200  # A3, relay off
    wait_status(daemon, "A3", "Faulted")
    assert compartment(daemon, "A3")["fault"] == "powerWhileOff"
    central.wait_for(lambda: any(c.payload["connectorId"] == 3 and c.payload.get("vendorErrorCode") == "RELAY_STUCK_ON"
                                 and c.payload.get("errorCode") == "PowerSwitchFailure"
                                 for c in central.calls("StatusNotification")), what="StatusNotification stuck relay")
    assert post(daemon, "/v1/simulation/meters/13", {"values": {"power": None}})[0] == 200
    wait_status(daemon, "A3", "Available")


def test_emergency_unlock_from_the_command_line(daemon_factory, central, tmp_path):
    config = session_site(tmp_path, central)
    daemon = start_daemon(daemon_factory, config, central)
    start_session(daemon, central, "A4")
    result = run_cli("unlock", "A4", "--reason", "fire brigade needs the battery out", "--json", "--config", str(config),
                     "--state-dir", str(daemon.state_dir), "--api-listen", f"127.0.0.1:{daemon.port}")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outcome"] == "unlocked"
    assert central.wait_for_calls("StopTransaction")[0].payload["reason"] == "UnlockCommand"
    _, audit = daemon.get("/v1/audit?limit=5")
    assert any(r["action"] == "unlock" and r["reason"] == "fire brigade needs the battery out" for r in audit["records"])
    refused = run_cli("unlock", "Z9", "--reason", "x", "--config", str(config),
                      "--state-dir", str(daemon.state_dir), "--api-listen", f"127.0.0.1:{daemon.port}")
    assert refused.returncode == 1 and "Z9" in refused.stderr
