"""Sessions on the simulated Modbus chargers end to end: a car plugged in and out through the simulation API,
cards at the charger's own reader, the current setpoint written through the charger's profile, and transactions
at the Python central system (the `ocpp` package) (docs/configuration.md "chargers", docs/simulation.md)."""
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from ocpp.v16 import call
from pymodbus.client import ModbusTcpClient

from central_system import CentralSystem
from conftest import free_port
from test_sessions import GROUP_CARD, OWNER, STRANGER, session_site, start_daemon
from test_simulated_hardware import eventually, post

LEFT = 13  # wallbox-left: 6-16 A, its reader `wallbox-left-reader`


@pytest.fixture
def central():
    system = CentralSystem(free_port()).start()
    system.id_tags[OWNER] = {"status": "Accepted", "parentIdTag": "FAMILY"}
    system.id_tags[GROUP_CARD] = {"status": "Accepted", "parentIdTag": "FAMILY"}
    system.id_tags[STRANGER] = {"status": "Accepted", "parentIdTag": "NEIGHBOURS"}
    yield system
    system.stop()


def charger_site(tmp_path, central, **sessions):
    """The session site (a reader at each charger, as shipped) with charger readings every second."""
    path = session_site(tmp_path, central, **sessions)
    text = path.read_text()
    assert "reader: wallbox-left-reader" in text
    text = re.sub(r"controlIntervalSeconds: \d+", "controlIntervalSeconds: 1", text)
    text = re.sub(r"meterStaleAfterSeconds: \d+", "meterStaleAfterSeconds: 3", text)
    path.write_text(text)
    return path


def charger(daemon, connector=LEFT):
    _, body = daemon.get("/v1/status")
    return next(c for c in body["chargers"] if c["connectorId"] == connector)


def wait_charger(daemon, wanted, connector=LEFT, timeout=20.0):
    assert eventually(lambda: charger(daemon, connector)["status"] == wanted, timeout), \
        f"charger {connector} never became {wanted}: {charger(daemon, connector)}\n{daemon.output()[-4000:]}"


def car(daemon, connector=LEFT, **state):
    status, body = post(daemon, f"/v1/simulation/chargers/{connector}", state)
    assert status == 200, body
    return body["charger"]


def simulated(daemon, connector=LEFT):
    _, body = daemon.get("/v1/simulation/chargers")
    return next(c for c in body["chargers"] if c["connectorId"] == connector)


def charger_card(daemon, id_tag, connector=LEFT):
    reader = "wallbox-left-reader" if connector == LEFT else "wallbox-right-reader"
    assert post(daemon, f"/v1/simulation/readers/{reader}/card", {"idTag": id_tag})[0] == 200


def calls_for(central, action, connector=LEFT):
    return [c for c in central.calls(action) if c.payload.get("connectorId") == connector]


def status_notified(central, status, connector=LEFT):
    central.wait_for(lambda: any(c.payload["status"] == status for c in calls_for(central, "StatusNotification", connector)),
                     what=f"StatusNotification {status} for connector {connector}")


def start_charging(daemon, central, id_tag=OWNER, connector=LEFT):
    car(daemon, connector, plugged=True, drawing=True)
    wait_charger(daemon, "Preparing", connector)
    charger_card(daemon, id_tag, connector)
    wait_charger(daemon, "Charging", connector)
    return central.wait_for(lambda: calls_for(central, "StartTransaction", connector), what="StartTransaction")[0].payload


def test_plug_card_charge_and_unplug(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, charger_site(tmp_path, central), central)
    assert eventually(lambda: charger(daemon)["plug"] == "unplugged"), charger(daemon)
    assert charger(daemon)["name"] == "wallbox-left" and charger(daemon)["status"] == "Available"
    start = start_charging(daemon, central)
    assert start["idTag"] == OWNER and isinstance(start["meterStart"], int)
    # The setpoint the daemon wrote reads back from the charger: what balancing allows, within 6-16 A.
    assert eventually(lambda: charger(daemon)["enabled"] is True and charger(daemon)["currentSetpointAmps"] is not None)
    status = charger(daemon)
    assert 6 <= status["currentSetpointAmps"] <= 16
    assert eventually(lambda: simulated(daemon)["setpointAmps"] == charger(daemon)["allowedCurrentAmps"])
    assert simulated(daemon)["enabled"] and simulated(daemon)["pilotState"] == "C"
    assert charger(daemon)["session"]["idTag"] == "****B3C4"
    status_notified(central, "Charging")
    # The car draws: the charger meter counts, and MeterValues carry it.
    assert eventually(lambda: simulated(daemon)["energyWh"] >= start["meterStart"] + 3, timeout=20)
    central.wait_for(lambda: calls_for(central, "MeterValues"), what="MeterValues of the charger")

    # The car stops drawing: SuspendedEV; it draws again: Charging.
    car(daemon, drawing=False)
    wait_charger(daemon, "SuspendedEV")
    car(daemon, drawing=True)
    wait_charger(daemon, "Charging")

    car(daemon, plugged=False)
    wait_charger(daemon, "Available")
    stop = central.wait_for_calls("StopTransaction")[0].payload
    assert stop["reason"] == "EVDisconnected"
    # meterStop is the charger meter's register, as the simulated meter counted it.
    assert abs(stop["meterStop"] - simulated(daemon)["energyWh"]) <= 1, (stop, simulated(daemon))
    assert stop["meterStop"] > start["meterStart"]
    assert eventually(lambda: charger(daemon)["enabled"] is False)
    record = daemon.get("/v1/sessions")[1]["sessions"][0]
    assert record["compartment"] == "wallbox-left" and record["stopReason"] == "EVDisconnected"
    assert record["authorizationMethod"] == "rfid" and record["state"] == "closed"
    assert record["meterStopWh"] == stop["meterStop"]
    # The export lists charger sessions like compartment sessions, with the energy the simulated meter counted.
    request = urllib.request.Request(f"http://127.0.0.1:{daemon.port}/v1/sessions/export?format=csv&compartment=wallbox-left")
    request.add_header("Authorization", f"Bearer {daemon.token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        csv = response.read().decode()
    assert "wallbox-left" in csv and "EVDisconnected" in csv and str(stop["meterStop"]) in csv, csv


def test_only_the_owner_or_its_group_ends_a_charger_session(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, charger_site(tmp_path, central), central)
    start_charging(daemon, central)
    charger_card(daemon, STRANGER)  # accepted, but not the owner's and not of its group
    assert eventually(lambda: any(e["kind"] == "sessionFeedback" and e.get("detail") == "notOwner"
                                  for e in daemon.get("/v1/events")[1]["events"]))
    assert charger(daemon)["status"] == "Charging" and central.calls("StopTransaction") == []

    charger_card(daemon, GROUP_CARD)
    wait_charger(daemon, "Finishing")
    stop = central.wait_for_calls("StopTransaction")[0].payload
    assert stop["reason"] == "Local" and stop["idTag"] == GROUP_CARD
    assert eventually(lambda: simulated(daemon)["enabled"] is False and simulated(daemon)["pilotState"] == "B")
    car(daemon, plugged=False)
    wait_charger(daemon, "Available")
    assert len(central.calls("StopTransaction")) == 1


def test_a_plugged_car_nobody_authorizes_times_out(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, charger_site(tmp_path, central, connectionTimeOutSeconds=3), central)
    car(daemon, plugged=True)
    wait_charger(daemon, "Preparing")
    status_notified(central, "Preparing")
    wait_charger(daemon, "Available", timeout=15)
    assert charger(daemon)["plug"] == "plugged" and central.calls("StartTransaction") == []
    assert simulated(daemon)["enabled"] is False
    # The charge controller reports pilot state F (not available): Faulted with its own codes, until it clears.
    assert post(daemon, "/v1/simulation/meters/1", {"values": {"charging-state": 70}})[0] == 200
    wait_charger(daemon, "Faulted")
    faulted = central.wait_for(lambda: [c.payload for c in calls_for(central, "StatusNotification")
                                        if c.payload["status"] == "Faulted"], what="StatusNotification Faulted")[0]
    assert faulted["errorCode"] == "EVCommunicationError" and faulted["vendorErrorCode"] == "CHARGER_PILOT_F"
    assert post(daemon, "/v1/simulation/meters/1", {"values": {"charging-state": None}})[0] == 200
    wait_charger(daemon, "Available")


def test_a_silent_charger_is_faulted_and_recovers(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, charger_site(tmp_path, central), central)
    start = start_charging(daemon, central)
    assert post(daemon, "/v1/simulation/meters/1/fault", {"fault": "silent"})[0] == 200
    wait_charger(daemon, "Faulted", timeout=30)
    # A setpoint write may fail first (CHARGER_SETPOINT_REJECTED); once its readings are stale it does not answer.
    assert eventually(lambda: charger(daemon)["fault"] == "notAnswering", timeout=30), charger(daemon)
    faulted = central.wait_for(lambda: [c.payload for c in calls_for(central, "StatusNotification")
                                        if c.payload.get("vendorErrorCode") == "CHARGER_NOT_ANSWERING"],
                               what="StatusNotification Faulted CHARGER_NOT_ANSWERING")[0]
    assert faulted["status"] == "Faulted" and faulted["errorCode"] == "InternalError"
    assert central.calls("StopTransaction") == []  # the transaction waits for the charger
    assert post(daemon, "/v1/simulation/meters/1/fault", {"fault": None})[0] == 200
    wait_charger(daemon, "Charging", timeout=30)
    car(daemon, plugged=False)
    stop = central.wait_for_calls("StopTransaction")[0].payload
    assert stop["reason"] == "EVDisconnected" and stop["transactionId"] == central.next_transaction_id
    assert stop["meterStop"] >= start["meterStart"]


def test_after_a_crash_a_transaction_whose_car_is_gone_stops_once(daemon_factory, central, tmp_path):
    config = charger_site(tmp_path, central)
    daemon = start_daemon(daemon_factory, config, central)
    start = start_charging(daemon, central)
    central.wait_for(lambda: calls_for(central, "MeterValues"), what="MeterValues of the charger")
    daemon.kill()
    # The simulated charger restarts with the daemon, with no car: the stored session is stopped (EVDisconnected).
    again = daemon_factory("state", extra_args=["--config", str(config)]).start()
    stop = central.wait_for_calls("StopTransaction", timeout=30)[0].payload
    assert stop["reason"] == "EVDisconnected" and stop["transactionId"] == central.next_transaction_id
    assert stop["meterStop"] >= start["meterStart"]
    wait_charger(again, "Available")
    assert eventually(lambda: again.get("/v1/sessions?active=true")[1]["sessions"] == [])
    record = again.get("/v1/sessions")[1]["sessions"][0]
    assert record["compartment"] == "wallbox-left" and record["stopReason"] == "EVDisconnected"
    assert len(central.calls("StartTransaction")) == 1 and len(central.calls("StopTransaction")) == 1


def test_remote_start_waits_for_the_car_and_remote_stop_ends_it(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, charger_site(tmp_path, central), central)
    assert eventually(lambda: charger(daemon)["plug"] == "unplugged")
    answer = central.call(call.RemoteStartTransaction(id_tag=OWNER, connector_id=LEFT))
    assert answer.status == "Accepted"
    wait_charger(daemon, "Preparing")  # authorized, waiting for the car
    assert central.calls("StartTransaction") == []
    car(daemon, plugged=True, drawing=True)
    wait_charger(daemon, "Charging")
    start = central.wait_for_calls("StartTransaction")[0].payload
    assert start["connectorId"] == LEFT and start["idTag"] == OWNER
    assert charger(daemon)["session"]["authorizationMethod"] == "remote"
    # Busy: a second remote start on the same charger is refused.
    assert central.call(call.RemoteStartTransaction(id_tag=GROUP_CARD, connector_id=LEFT)).status == "Rejected"
    transaction = central.next_transaction_id
    assert eventually(lambda: charger(daemon)["session"].get("transactionId") == transaction)
    assert central.call(call.RemoteStopTransaction(transaction_id=transaction)).status == "Accepted"
    wait_charger(daemon, "Finishing")
    stop = central.wait_for_calls("StopTransaction")[0].payload
    assert stop["reason"] == "Remote" and stop["transactionId"] == transaction
    assert central.call(call.RemoteStopTransaction(transaction_id=transaction)).status == "Rejected"
    # No cable lock on this charge controller: UnlockConnector is not supported for a charger.
    assert central.call(call.UnlockConnector(connector_id=LEFT)).status == "NotSupported"


@pytest.fixture
def phoenix():
    """An independent charge controller (phoenix_peer.py) on its own Modbus TCP port, outliving daemon restarts."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(Path(__file__).parent / "phoenix_peer.py"), str(port)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"

    def command(text):
        process.stdin.write(text + "\n")
        process.stdin.flush()
        assert process.stdout.readline().startswith("ok")

    client = ModbusTcpClient("127.0.0.1", port=port)
    client.connect()
    yield port, command, client
    client.close()
    process.stdin.close()
    process.wait(timeout=10)


def phoenix_site(tmp_path, central, port):
    """The charger site with wallbox-left on the stand-alone Python charge controller at `port`."""
    config = charger_site(tmp_path, central)
    text = config.read_text().replace(
        "buses: [{name: sim-modbus", f"buses: [{{name: wallbox-bus, tcp: {{host: 127.0.0.1, port: {port}}}}}, {{name: sim-modbus")
    text = text.replace("control: {bus: sim-modbus, unit: 1, profile: phoenix-ev-charge-control}",
                        "control: {bus: wallbox-bus, unit: 1, profile: phoenix-ev-charge-control}")
    config.write_text(text)
    return config


def test_after_a_restart_a_plugged_car_keeps_its_transaction(daemon_factory, central, tmp_path, phoenix):
    port, command, client = phoenix
    config = phoenix_site(tmp_path, central, port)
    command("energy 1000")
    command("state B")
    daemon = start_daemon(daemon_factory, config, central)
    wait_charger(daemon, "Preparing")
    charger_card(daemon, OWNER)
    start = central.wait_for_calls("StartTransaction")[0].payload
    assert start["connectorId"] == LEFT and start["meterStart"] == 1000
    # Read independently over Modbus: the charger was told to charge, at the current balancing allows.
    assert eventually(lambda: client.read_coils(400, count=1, device_id=1).bits[0] is True)
    assert eventually(lambda: client.read_holding_registers(528, count=1, device_id=1).registers[0]
                      == charger(daemon)["allowedCurrentAmps"])
    wait_charger(daemon, "SuspendedEV")  # enabled, the car does not draw yet
    command("state C")
    wait_charger(daemon, "Charging")
    command("energy 1004")
    central.wait_for(lambda: any(v["value"] == "1004" for c in calls_for(central, "MeterValues")
                                 for m in c.payload["meterValue"] for v in m["sampledValue"]), what="MeterValues 1004")
    session = charger(daemon)["session"]["id"]

    daemon.kill()
    again = daemon_factory("state", extra_args=["--config", str(config)]).start()
    wait_charger(again, "Charging")
    assert again.get("/v1/sessions?active=true")[1]["sessions"][0]["id"] == session
    assert central.calls("StopTransaction") == []
    command("energy 1008")
    command("state A")
    wait_charger(again, "Available")
    stop = central.wait_for_calls("StopTransaction")[0].payload
    assert stop["reason"] == "EVDisconnected" and stop["meterStop"] == 1008
    assert stop["transactionId"] == central.next_transaction_id
    assert len(central.calls("StartTransaction")) == 1
    assert eventually(lambda: client.read_coils(400, count=1, device_id=1).bits[0] is False)


def test_a_graceful_stop_switches_a_charging_charger_off_and_the_restart_resumes_it(
        daemon_factory, central, tmp_path, phoenix):
    port, command, client = phoenix
    config = phoenix_site(tmp_path, central, port)
    command("energy 2000")
    command("state B")
    daemon = start_daemon(daemon_factory, config, central)
    wait_charger(daemon, "Preparing")
    charger_card(daemon, OWNER)
    central.wait_for_calls("StartTransaction")
    command("state C")
    wait_charger(daemon, "Charging")
    assert client.read_coils(400, count=1, device_id=1).bits[0] is True
    # Stopped, the agent no longer balances: the charger must not go on charging unwatched.
    code, _ = daemon.terminate()
    assert code == 0
    assert client.read_coils(400, count=1, device_id=1).bits[0] is False
    again = daemon_factory("state", extra_args=["--config", str(config)]).start()
    wait_charger(again, "Charging")
    assert eventually(lambda: client.read_coils(400, count=1, device_id=1).bits[0] is True)
    assert central.calls("StopTransaction") == [] and len(central.calls("StartTransaction")) == 1


def test_too_little_current_for_the_minimum_pauses_the_charger(daemon_factory, central, tmp_path):
    config = charger_site(tmp_path, central)
    text = config.read_text().replace("mode: dynamic", "mode: static").replace(
        "gridLimitAmpsPerPhase: 32", "gridLimitAmpsPerPhase: 4").replace("safeLimitAmpsPerPhase: 10", "safeLimitAmpsPerPhase: 4")
    config.write_text(text)
    daemon = start_daemon(daemon_factory, config, central)
    car(daemon, plugged=True, drawing=True)
    wait_charger(daemon, "Preparing")
    charger_card(daemon, OWNER)
    central.wait_for_calls("StartTransaction")
    # 4 A per phase for the site is below the charger's 6 A minimum: the transaction runs, the charger is paused.
    wait_charger(daemon, "SuspendedEVSE")
    assert "allowedCurrentAmps" not in charger(daemon)
    assert eventually(lambda: simulated(daemon)["enabled"] is False and simulated(daemon)["currentAmps"] == 0)
    status_notified(central, "SuspendedEVSE")


def test_without_stop_on_ev_side_disconnect_unplugging_suspends_until_the_owner_ends_it(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, charger_site(tmp_path, central), central)
    assert central.call(call.ChangeConfiguration(key="StopTransactionOnEVSideDisconnect", value="false")).status == "Accepted"
    start_charging(daemon, central)
    car(daemon, plugged=False)
    # The car stops drawing before the next poll reads the pilot state: wait for the unplug itself.
    assert eventually(lambda: charger(daemon)["plug"] == "unplugged", 20.0), charger(daemon)
    wait_charger(daemon, "SuspendedEV")
    assert central.calls("StopTransaction") == []
    assert eventually(lambda: simulated(daemon)["enabled"] is False)
    car(daemon, plugged=True, drawing=True)
    wait_charger(daemon, "Charging")  # the same transaction goes on
    charger_card(daemon, OWNER)
    wait_charger(daemon, "Finishing")
    stop = central.wait_for_calls("StopTransaction")[0].payload
    assert stop["reason"] == "Local" and len(central.calls("StartTransaction")) == 1
