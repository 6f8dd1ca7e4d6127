"""The daemon's OCPP 1.6J uplink against a real central system (the `ocpp` package, schema-validating)."""
import json
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from ocpp.v16 import call

from central_system import CentralSystem
from conftest import BOARDS, free_port

SIMULATED_CONNECTORS = set(range(0, 15))  # the charge point itself, 12 compartments, 2 chargers


@pytest.fixture
def central_factory():
    systems = []

    def make(port=None, **kwargs):
        system = CentralSystem(port or free_port(), **kwargs)
        systems.append(system)
        return system

    yield make
    for system in systems:
        system.stop()


def uplink_daemon(daemon_factory, port, name="state", scheme="ws", config=None):
    args = ["--central-url", f"{scheme}://127.0.0.1:{port}/ocpp"]
    if config:
        args += ["--config", str(config)]
    return daemon_factory(name, extra_args=args)


def uplink_state(daemon):
    status, body = daemon.get("/v1/status")
    assert status == 200
    return body["uplink"]


def wait_for_state(daemon, wanted, timeout=20.0):
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = uplink_state(daemon)
        if seen["state"] == wanted:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"uplink state never became {wanted}; last {seen}\n{daemon.output()[-3000:]}")


def test_boot_is_accepted_and_heartbeats_follow_the_central_systems_interval(daemon_factory, central_factory):
    central = central_factory(heartbeat_interval=1).start()
    daemon = uplink_daemon(daemon_factory, central.port).start()
    boot = central.wait_for_calls("BootNotification")[0]
    assert central.connections == ["/ocpp/SIM-LOCKER-01"]
    assert boot.payload == {
        "chargePointVendor": "EdgeAgent", "chargePointModel": "Simulated Locker",
        "chargePointSerialNumber": "SIM-0001", "firmwareVersion": "edge-agent 0.1.0",
    }
    heartbeats = central.wait_for_calls("Heartbeat", count=3)
    gaps = [later.at - earlier.at for earlier, later in zip(heartbeats, heartbeats[1:3])]
    assert all(0.5 < gap < 3 for gap in gaps), gaps
    uplink = wait_for_state(daemon, "connected")
    assert uplink["queueDepth"] == 0 and uplink["lastMessageAt"]
    assert central.errors_sent() == []


def test_every_connector_reports_its_current_status_after_boot(daemon_factory, central_factory):
    central = central_factory().start()
    daemon = uplink_daemon(daemon_factory, central.port).start()
    notifications = central.wait_for_calls("StatusNotification", count=len(SIMULATED_CONNECTORS))
    by_connector = {n.payload["connectorId"]: n.payload for n in notifications}
    assert set(by_connector) == SIMULATED_CONNECTORS
    _, site = daemon.get("/v1/status")
    for compartment in site["compartments"]:
        assert by_connector[compartment["connectorId"]]["status"] == compartment["status"]
    assert central.errors_sent() == []


def test_a_status_change_is_reported_as_it_happens(daemon_factory, central_factory):
    central = central_factory().start()
    daemon = uplink_daemon(daemon_factory, central.port).start()
    central.wait_for_calls("StatusNotification", count=len(SIMULATED_CONNECTORS))
    # Forcing the locked door of A1 open is a fault: connector 1 becomes Faulted.
    request = urllib.request.Request(
        f"http://127.0.0.1:{daemon.port}/v1/simulation/compartments/A1/door", method="POST",
        data=json.dumps({"state": "open"}).encode(),
        headers={"Authorization": f"Bearer {daemon.token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    faulted = central.wait_for(
        lambda: [c for c in central.calls("StatusNotification")
                 if c.payload["connectorId"] == 1 and c.payload["status"] == "Faulted"], what="A1 Faulted")[0]
    assert faulted.payload["errorCode"] == "OtherError" and faulted.payload["info"]
    assert central.errors_sent() == []


def test_pending_then_accepted_sends_nothing_else_before_acceptance(daemon_factory, central_factory):
    central = central_factory(boot_answers=[("Pending", 2)]).start()
    daemon = uplink_daemon(daemon_factory, central.port).start()
    wait_for_state(daemon, "pending")
    boots = central.wait_for_calls("BootNotification", count=2)
    assert boots[1].at - boots[0].at > 1.5
    before_acceptance = [c.action for c in central.calls() if c.at < boots[1].at]
    assert before_acceptance == ["BootNotification"]
    central.wait_for_calls("StatusNotification", count=len(SIMULATED_CONNECTORS))
    wait_for_state(daemon, "connected")


def test_rejected_then_accepted_after_the_interval(daemon_factory, central_factory):
    central = central_factory(boot_answers=[("Rejected", 2)]).start()
    daemon = uplink_daemon(daemon_factory, central.port).start()
    assert "rejected" in wait_for_state(daemon, "rejected")["detail"]
    boots = central.wait_for_calls("BootNotification", count=2)
    assert boots[1].at - boots[0].at > 1.5
    assert [c.action for c in central.calls() if c.at < boots[1].at] == ["BootNotification"]
    wait_for_state(daemon, "connected")


def test_get_configuration_lists_keys_and_unknown_ones(daemon_factory, central_factory):
    central = central_factory().start()
    uplink_daemon(daemon_factory, central.port).start()
    central.wait_for_calls("StatusNotification", count=len(SIMULATED_CONNECTORS))
    everything = central.call(call.GetConfiguration())
    keys = {entry["key"]: entry for entry in everything.configuration_key}
    assert keys["NumberOfConnectors"] == {"key": "NumberOfConnectors", "readonly": True, "value": "14"}
    assert keys["HeartbeatInterval"]["readonly"] is False
    assert "AuthorizationKey" not in keys
    some = central.call(call.GetConfiguration(key=["HeartbeatInterval", "NoSuchKey"]))
    assert [entry["key"] for entry in some.configuration_key] == ["HeartbeatInterval"]
    assert some.unknown_key == ["NoSuchKey"]


def test_changed_keys_survive_a_restart_and_read_only_keys_are_rejected(daemon_factory, central_factory):
    # Boot interval 0: the central system leaves the charge point's own HeartbeatInterval alone.
    central = central_factory(boot_answers=[("Accepted", 0)] * 5).start()
    daemon = uplink_daemon(daemon_factory, central.port).start()
    central.wait_for_calls("StatusNotification", count=len(SIMULATED_CONNECTORS))
    assert central.call(call.ChangeConfiguration(key="HeartbeatInterval", value="1")).status == "Accepted"
    central.wait_for_calls("Heartbeat", count=2)  # takes effect at once
    assert central.call(call.ChangeConfiguration(key="MeterValueSampleInterval", value="30")).status == "Accepted"
    assert central.call(call.ChangeConfiguration(key="NumberOfConnectors", value="3")).status == "Rejected"
    assert central.call(call.ChangeConfiguration(key="NoSuchKey", value="3")).status == "NotSupported"
    daemon.terminate()

    restarted = uplink_daemon(daemon_factory, central.port).start()
    central.wait_for_calls("BootNotification", count=2)
    central.wait_for_calls("StatusNotification", count=2 * len(SIMULATED_CONNECTORS))
    answer = central.call(call.GetConfiguration(key=["HeartbeatInterval", "MeterValueSampleInterval", "NumberOfConnectors"]))
    values = {entry["key"]: entry["value"] for entry in answer.configuration_key}
    assert values == {"HeartbeatInterval": "1", "MeterValueSampleInterval": "30", "NumberOfConnectors": "14"}
    assert restarted.process.poll() is None


@pytest.mark.parametrize("frame, reply_id, code", [
    ("this is not json", "-1", "FormationViolation"),
    ('{"not": "an array"}', "-1", "ProtocolError"),
    ('[2, "m-1", "FlyToTheMoon", {}]', "m-1", "NotImplemented"),
    ('[2, "m-2", "ChangeConfiguration", {"key": "HeartbeatInterval"}]', "m-2", "OccurenceConstraintViolation"),
    ('[2, "m-3", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": 5}]', "m-3", "TypeConstraintViolation"),
    ('[2, "m-4", "Reset", {"type": "Sideways"}]', "m-4", "PropertyConstraintViolation"),
    ('[2, "m-5", "RemoteStopTransaction", {}]', "m-5", "OccurenceConstraintViolation"),
])
def test_malformed_frames_get_the_right_callerror_and_change_nothing(daemon_factory, central_factory, frame, reply_id, code):
    central = central_factory().start()
    daemon = uplink_daemon(daemon_factory, central.port).start()
    central.wait_for_calls("StatusNotification", count=len(SIMULATED_CONNECTORS))
    answer = central.send_raw(frame, reply_id)
    assert answer.type == 4 and answer.message[2] == code, answer
    # Still working: answers a well-formed call, and nothing changed.
    value = central.call(call.GetConfiguration(key=["HeartbeatInterval"])).configuration_key[0]["value"]
    assert value == "300"
    assert uplink_state(daemon)["state"] == "connected"


def test_daemon_runs_without_the_central_system_and_connects_when_it_comes_up(daemon_factory, central_factory):
    port = free_port()
    daemon = uplink_daemon(daemon_factory, port).start()
    wait_for_state(daemon, "offline")
    assert daemon.get("/v1/health")[0] == 200
    central = central_factory(port=port).start()
    central.wait_for_calls("BootNotification", timeout=20)
    wait_for_state(daemon, "connected")


def test_a_killed_central_system_shows_offline_at_once_and_the_daemon_reconnects(daemon_factory, central_factory):
    port = free_port()
    central = central_factory(port=port).start()
    daemon = uplink_daemon(daemon_factory, port).start()
    central.wait_for_calls("StatusNotification", count=len(SIMULATED_CONNECTORS))
    wait_for_state(daemon, "connected")
    central.stop(abort=True)
    # Far below the 60 s ping interval + timeout: the drop itself is noticed, not a missing pong.
    wait_for_state(daemon, "offline", timeout=10)
    revived = central_factory(port=port).start()
    revived.wait_for_calls("BootNotification", timeout=20)
    revived.wait_for_calls("StatusNotification", count=len(SIMULATED_CONNECTORS))
    wait_for_state(daemon, "connected")


# -- security profiles ---------------------------------------------------------------------

def site_file(tmp_path, central_block):
    text = (BOARDS / "simulator" / "site.yaml").read_text()
    text, count = re.subn(r"centralSystem:\n(  .*\n)+", central_block, text)
    assert count == 1
    path = tmp_path / "site.yaml"
    path.write_text(text)
    return path


def test_security_profile_1_sends_basic_auth_from_the_password_file(daemon_factory, central_factory, tmp_path):
    password = "correct-horse-battery-staple"
    (tmp_path / "password").write_text(password + "\n")
    central = central_factory(password=password).start()
    config = site_file(tmp_path, (
        "centralSystem:\n"
        f"  url: ws://127.0.0.1:{central.port}/ocpp\n"
        "  securityProfile: 1\n"
        f"  passwordFile: {tmp_path / 'password'}\n"))
    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification")
    assert central.refused == []
    wait_for_state(daemon, "connected")
    assert password not in daemon.output()


def test_security_profile_1_with_a_wrong_password_stays_offline(daemon_factory, central_factory, tmp_path):
    (tmp_path / "password").write_text("not-the-right-one-at-all\n")
    central = central_factory(password="the-right-password-1234").start()
    config = site_file(tmp_path, (
        "centralSystem:\n"
        f"  url: ws://127.0.0.1:{central.port}/ocpp\n"
        "  securityProfile: 1\n"
        f"  passwordFile: {tmp_path / 'password'}\n"))
    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for(lambda: central.refused, what="a refused connection")
    assert central.calls() == []
    assert uplink_state(daemon)["state"] in ("offline", "connecting")


def make_test_ca(folder: Path):
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=edge-agent test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


def test_security_profile_2_connects_over_tls_verified_by_the_ca_bundle(daemon_factory, central_factory, tmp_path):
    ca, certificate, key = make_test_ca(tmp_path)
    password = "tls-and-basic-auth-password"
    (tmp_path / "password").write_text(password)
    central = central_factory(password=password, certificate=str(certificate), key=str(key)).start()
    config = site_file(tmp_path, (
        "centralSystem:\n"
        f"  url: wss://127.0.0.1:{central.port}/ocpp\n"
        "  securityProfile: 2\n"
        f"  passwordFile: {tmp_path / 'password'}\n"
        f"  caBundle: {ca}\n"))
    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification")
    wait_for_state(daemon, "connected")
