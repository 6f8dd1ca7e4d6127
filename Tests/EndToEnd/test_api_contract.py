"""The local API against its contract, docs/openapi.yaml: the real daemon on the simulated site (with a real OCPP
central system) answers every documented operation, accepted and rejected (no token, wrong token, read-only
token on an operator route, unknown compartment, bad body), and every answer's status, media type and JSON body
match the file. The file is valid OpenAPI 3.1, and the daemon serves no route the file lacks."""
import json
import re
import threading
import time
import urllib.request

import pytest
from ocpp.v16 import call
from openapi_spec_validator import validate as validate_openapi

from central_system import CentralSystem
from conftest import Daemon, free_port
from openapi_contract import Contract, load_spec
from test_sessions import OWNER, session_site
from test_simulated_hardware import eventually

# Documented operations this file does not call with a 2xx/3xx answer, each with why. Keep it short.
NOT_CALLED_HERE = {
    # The SMS gateway's webhook is signed with a key from an `sms:` block the simulated site does not have;
    # test_sms*.py drives it end to end. Here it is called and refused (401), which checks the error shape.
    ("post", "/v1/sms/inbound"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One daemon for the whole file (every test here leaves the site as it found it, or tolerates it)."""
    tmp_path = tmp_path_factory.mktemp("contract")
    central = CentralSystem(free_port()).start()
    central.id_tags[OWNER] = {"status": "Accepted"}
    config = session_site(tmp_path, central)
    daemon = Daemon(tmp_path / "state", extra_args=["--config", str(config), "--log-level", "debug"]).start()
    central.wait_for_calls("BootNotification")
    contract = Contract(f"http://127.0.0.1:{daemon.port}")
    contract.daemon = daemon
    contract.central = central
    contract.operator = daemon.token
    contract.read_only = (daemon.state_dir / "api-token-readonly").read_text().strip()
    yield contract
    daemon.stop()
    central.stop()


def test_the_openapi_file_is_valid_openapi_3_1():
    spec = load_spec()
    assert spec["openapi"].startswith("3.1")
    validate_openapi(spec)


def served_routes(daemon):
    """The routes the daemon serves, from its own debug log line."""
    match = eventually(lambda: re.search(r"routes=(.*?) \[EdgeAgent\] local API routes", daemon.output()))
    assert match, "the daemon logs its routes at debug level"
    return {(route.split(" ", 1)[0].lower(), route.split(" ", 1)[1]) for route in match.group(1).split(", ")}


def test_every_served_route_is_documented_and_every_documented_route_served(site):
    spec_operations = {(method, path.rstrip("/") or "/") for method, path in site.operations()}
    served = {(method, path.rstrip("/") or "/") for method, path in served_routes(site.daemon)}
    undocumented = sorted(served - spec_operations)
    assert not undocumented, f"routes the daemon serves that docs/openapi.yaml lacks: {undocumented}"
    unserved = sorted(spec_operations - served)
    assert not unserved, f"docs/openapi.yaml documents routes the daemon does not serve: {unserved}"


def test_read_routes_answer_both_tokens_as_documented(site):
    for token in (site.read_only, site.operator):
        for path in ("/v1/health", "/v1/status", "/v1/sessions", "/v1/sessions?active=true&limit=5", "/v1/audit",
                     "/v1/audit?limit=3&action=unlock&since=2020-01-01T00:00:00Z", "/v1/events?limit=10",
                     "/v1/meters", "/v1/simulation/lines", "/v1/simulation/meters"):
            site.call("get", path, token=token, expect=200)
    status = site.call("get", "/v1/status", token=site.read_only, expect=200).json
    assert status["uplink"]["state"] == "connected" and len(status["compartments"]) == 12
    metrics = site.call("get", "/metrics", token=site.read_only, expect=200)
    assert b"edge_agent_compartment_locked" in metrics.body


def test_every_route_refuses_a_missing_or_wrong_token(site):
    for method, template in site.operations():
        if "security" in site.spec["paths"][template][method]:
            continue  # the page's files and the signed webhook need no bearer token
        path = re.sub(r"\{[^}]+\}", "1", template)
        for token in (None, "not-a-token"):
            answer = site.call(method, path, token=token, body={} if method == "post" else None, expect=401)
            assert "token" in answer.json["error"] or "Authorization" in answer.json["error"]


def test_operator_routes_refuse_the_read_only_token_and_change_nothing(site):
    before = site.call("get", "/v1/audit", token=site.read_only, expect=200).json["records"]
    for method, template in site.operations():
        operation = site.spec["paths"][template][method]
        if operation.get("x-scope") != "operator":
            continue
        path = re.sub(r"\{[^}]+\}", "1", template).replace("/compartments/1/", "/compartments/A1/")
        answer = site.call(method, path, token=site.read_only, body={"reason": "must be refused"}, expect=403)
        assert "operator scope" in answer.json["error"]
    assert site.call("get", "/v1/audit", token=site.read_only, expect=200).json["records"] == before
    a1 = next(c for c in site.call("get", "/v1/status", token=site.read_only).json["compartments"] if c["name"] == "A1")
    assert a1["lock"] == "locked"


def test_unlock_and_clear_faults_accepted_and_rejected(site):
    op = site.operator
    result = site.call("post", "/v1/compartments/A3/unlock", {"reason": "contract test"}, token=op, expect=200).json
    assert result["outcome"] == "unlocked" and result["auditRecordId"] > 0
    site.call("post", "/v1/compartments/a 3/unlock".replace(" ", "%20"), {"reason": "as drivers type it"}, token=op,
              expect=200)
    missing = site.call("post", "/v1/compartments/Z9/unlock", {"reason": "no such door"}, token=op, expect=404).json
    assert "A1" in missing["error"], "the message lists the compartments that exist"
    site.call("post", "/v1/compartments/A3/unlock", {}, token=op, expect=400)
    site.call("post", "/v1/compartments/A3/unlock", {"reason": "   "}, token=op, expect=400)
    site.call("post", "/v1/compartments/A3/unlock", raw=b"reason=none", token=op, expect=400)
    site.call("post", "/v1/compartments/A3/unlock", raw=b"", token=op, expect=400)
    site.call("post", "/v1/compartments/A3/clear-faults", {"reason": "inspected"}, token=op, expect=200)
    site.call("post", "/v1/compartments/Z9/clear-faults", {"reason": "inspected"}, token=op, expect=404)
    site.call("post", "/v1/compartments/A3/clear-faults", {"reason": 7}, token=op, expect=400)
    audit = site.call("get", "/v1/audit?action=unlock&limit=10", token=site.read_only, expect=200).json["records"]
    assert {"contract test", "as drivers type it"} <= {r["reason"] for r in audit}
    assert all(r["action"] == "unlock" for r in audit)


def test_bad_query_parameters_are_400(site):
    for path in ("/v1/sessions?active=maybe", "/v1/sessions?limit=0", "/v1/audit?limit=5000", "/v1/audit?since=today",
                 "/v1/events?limit=abc"):
        answer = site.call("get", path, token=site.read_only, expect=400)
        assert answer.json["error"]


def test_simulation_routes_accepted_and_rejected(site):
    op = site.operator
    site.call("post", "/v1/simulation/compartments/B1/lock", {"jammed": False}, token=op, expect=200)
    site.call("post", "/v1/simulation/compartments/B1/lock", {}, token=op, expect=400)
    site.call("post", "/v1/simulation/compartments/B1/lock", {"feedback": "ajar"}, token=op, expect=400)
    site.call("post", "/v1/simulation/compartments/Z9/lock", {"jammed": False}, token=op, expect=404)
    site.call("post", "/v1/simulation/compartments/B1/door", {"state": "ajar"}, token=op, expect=400)
    site.call("post", "/v1/simulation/compartments/Z9/door", {"state": "open"}, token=op, expect=404)
    site.call("post", "/v1/simulation/readers/front/keys", {"keys": "9"}, token=op, expect=200)
    site.call("post", "/v1/simulation/readers/front/keys", {"text": "9"}, token=op, expect=400)
    site.call("post", "/v1/simulation/readers/nowhere/keys", {"keys": "9"}, token=op, expect=404)
    site.call("post", "/v1/simulation/readers/front/card", {"idTag": "0BADCAFE"}, token=op, expect=200)
    site.call("post", "/v1/simulation/readers/front/card", {"idTag": "01", "uid": "02"}, token=op, expect=400)
    site.call("post", "/v1/simulation/readers/nowhere/card", {"idTag": "0BADCAFE"}, token=op, expect=404)
    site.call("post", "/v1/simulation/emergency", {"active": False}, token=op, expect=200)
    site.call("post", "/v1/simulation/emergency", {"active": "no"}, token=op, expect=400)
    site.call("post", "/v1/simulation/meters/11", {"values": {"power": 120}}, token=op, expect=200)
    site.call("post", "/v1/simulation/meters/11", {"values": {"power": None}}, token=op, expect=200)
    site.call("post", "/v1/simulation/meters/11", {"values": {"sparkle": 1}}, token=op, expect=400)
    site.call("post", "/v1/simulation/meters/99", {"values": {"power": 1}}, token=op, expect=404)
    site.call("post", "/v1/simulation/meters/11/fault", {"fault": None}, token=op, expect=200)
    site.call("post", "/v1/simulation/meters/11/fault", {"fault": "melted"}, token=op, expect=400)
    site.call("post", "/v1/simulation/meters/99/fault", {"fault": None}, token=op, expect=404)


def test_authorize_accepted_and_rejected(site):
    answer = site.call("post", "/v1/authorize", {"idTag": OWNER}, token=site.operator, expect=200).json
    assert answer["accepted"] is True
    site.call("post", "/v1/authorize", {"card": OWNER}, token=site.operator, expect=400)


def test_metrics_count_what_happens(site):
    def metrics():
        return site.call("get", "/metrics", token=site.read_only, expect=200).body.decode()

    text = metrics()
    assert 'edge_agent_uplink_messages_sent_total{action="BootNotification"}' in text
    assert "edge_agent_uplink_connected 1" in text and "edge_agent_uplink_configured 1" in text
    assert 'edge_agent_compartment_status{compartment="B5",status="Available"} 1' in text

    # A Modbus device that answers with an exception is counted per device.
    site.call("post", "/v1/simulation/meters/12/fault", {"fault": "exception"}, token=site.operator, expect=200)
    try:
        assert eventually(lambda: 'edge_agent_modbus_errors_total{device="A2",role="compartment"' in metrics())
    finally:
        site.call("post", "/v1/simulation/meters/12/fault", {"fault": None}, token=site.operator, expect=200)

    # A door forced open is a door fault, and the compartment's state follows.
    site.call("post", "/v1/simulation/compartments/B5/door", {"state": "open"}, token=site.operator, expect=200)
    assert eventually(lambda: 'edge_agent_door_faults_total{compartment="B5",fault="forcedOpen"} 1' in metrics())
    text = metrics()
    assert 'edge_agent_compartment_status{compartment="B5",status="Faulted"} 1' in text
    assert 'edge_agent_compartment_door_open{compartment="B5"} 1' in text
    site.call("post", "/v1/simulation/compartments/B5/door", {"state": "closed"}, token=site.operator, expect=200)
    assert eventually(lambda: 'edge_agent_compartment_door_open{compartment="B5"} 0' in metrics())
    site.call("post", "/v1/compartments/B5/clear-faults", {"reason": "contract: door checked"}, token=site.operator,
              expect=200)


def test_smart_charging_and_simulated_chargers(site):
    profiles = site.call("get", "/v1/charging-profiles", token=site.read_only, expect=200).json
    assert profiles["enabled"] is True
    chargers = site.call("get", "/v1/simulation/chargers", token=site.read_only, expect=200).json["chargers"]
    assert chargers
    site.call("post", "/v1/simulation/chargers/13", {"plugged": False}, token=site.operator, expect=200)
    site.call("post", "/v1/simulation/chargers/13", {"plugged": "yes"}, token=site.operator, expect=400)
    site.call("post", "/v1/simulation/chargers/99", {"plugged": False}, token=site.operator, expect=404)


def test_balancing_and_the_simulated_building(site):
    report = site.call("get", "/v1/balancing", token=site.read_only, expect=200).json
    assert {c["name"] for c in report["consumers"]} >= {"A1", "B6"}
    before = site.call("get", "/v1/simulation/site", token=site.read_only, expect=200).json
    changed = site.call("post", "/v1/simulation/site", {"buildingLoadWatts": 1200}, token=site.operator, expect=200).json
    assert changed["buildingLoadWatts"] == 1200 and changed["pvPeakWatts"] == before["pvPeakWatts"]
    site.call("post", "/v1/simulation/site", {"buildingLoadWatts": -5}, token=site.operator, expect=400)
    site.call("post", "/v1/simulation/site", {"buildingLoadWatts": before["buildingLoadWatts"]}, token=site.operator,
              expect=200)


def test_session_export_sms_and_availability(site):
    """Routes other parts of the daemon add (their own tests drive them end to end); here: the contract."""
    ro, op = site.read_only, site.operator
    csv = site.call("get", "/v1/sessions/export?format=csv", token=ro, expect=200)
    assert csv.media_type == "text/csv" and csv.body.splitlines()[0].startswith(b"sessionId,")
    xml = site.call("get", "/v1/sessions/export?format=xml&from=2026-01-01", token=ro, expect=200)
    assert xml.media_type == "application/xml" and b"<" in xml.body
    site.call("get", "/v1/sessions/export?format=pdf", token=ro, expect=400)

    assert site.call("get", "/v1/sms/status", token=ro, expect=200).json["simulatedModem"]
    site.call("post", "/v1/simulation/sms/inbound", {"from": "+491701234567", "text": "help"}, token=op, expect=200)
    site.call("post", "/v1/simulation/sms/inbound", {"from": "+491701234567"}, token=op, expect=400)
    answered = eventually(lambda: [m for m in site.call("get", "/v1/simulation/sms/sent", token=op, expect=200).json[
        "messages"] if m["to"] == "+491701234567"], timeout=30)
    assert answered, "the simulated modem sent the help text back"
    site.call("get", "/v1/simulation/sms/sent", token=ro, expect=403)  # the texts hold receipt PINs
    site.call("post", "/v1/simulation/sms/modem", {"answering": True}, token=op, expect=200)
    site.call("post", "/v1/simulation/sms/modem", {"answering": "sometimes"}, token=op, expect=400)
    site.call("post", "/v1/sms/inbound", {"from": "+491701234567", "text": "A3"}, expect=401)  # unsigned

    # A6 out of service and back, each with who and why in the audit log.
    site.call("post", "/v1/connectors/6/availability", {"operative": False, "reason": "contract: latch check"},
              token=op, expect=200)
    assert eventually(lambda: next(c for c in site.call("get", "/v1/status", token=ro).json["compartments"]
                                   if c["name"] == "A6")["status"] == "Unavailable")
    site.call("post", "/v1/connectors/6/availability", {"operative": True, "reason": "contract: latch fine"},
              token=op, expect=200)
    site.call("post", "/v1/connectors/99/availability", {"operative": True, "reason": "x"}, token=op, expect=404)
    site.call("post", "/v1/connectors/6/availability", {"reason": "which way?"}, token=op, expect=400)
    records = site.call("get", "/v1/audit?action=availability", token=ro, expect=200).json["records"]
    assert "contract: latch fine" in records[0]["reason"] and "contract: latch check" in records[1]["reason"]
    assert all(r["actor"] == "operator:local-api" for r in records[:2])
    assert eventually(lambda: next(c for c in site.call("get", "/v1/status", token=ro).json["compartments"]
                                   if c["name"] == "A6")["status"] == "Available")


def test_the_page_needs_no_token_and_redirects_from_the_root(site):
    assert site.call("get", "/", expect=302).headers["Location"] == "/ui/"
    page = site.call("get", "/ui/", expect=200)
    assert b"/ui/app.js" in page.body
    for name in ("app.js", "app.css", "index.html"):
        site.call("get", f"/ui/{name}", expect=200)
    site.call("get", "/ui/passwd", token=site.read_only, expect=404)
    site.call("get", "/ui/passwd", expect=401)


def read_stream_events(site, token, until, timeout=20.0):
    """Opens the event stream, runs `until(events)` after each event, returns the events when it is true."""
    request = urllib.request.Request(site.base_url + "/v1/events/stream")
    request.add_header("Authorization", f"Bearer {token}")
    response = urllib.request.urlopen(request, timeout=timeout)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    site.called.add(("get", "/v1/events/stream", 200))
    events, block, deadline = [], [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            line = response.readline().decode()
            assert line, "the stream ended"
            if line != "\n":
                block.append(line.rstrip("\n"))
                continue
            data = [l[len("data: "):] for l in block if l.startswith("data: ")]
            kind = next((l[len("event: "):] for l in block if l.startswith("event: ")), None)
            block = []
            if not data:
                continue
            event = json.loads(data[0])
            assert event["type"] == kind
            errors = site.schema_errors("#/components/schemas/LiveEvent", event)
            assert not errors, f"stream event does not match LiveEvent: {errors}\n{event}"
            events.append(event)
            if until(events):
                return events, response
    except BaseException:
        response.close()
        raise
    response.close()
    raise AssertionError(f"the stream did not show what was expected within {timeout}s: {events}")


def test_the_event_stream_shows_changes_as_documented(site):
    def saw_door_and_audit(events):
        door = any(e["type"] == "compartment" and e["compartment"]["name"] == "B2" and e["compartment"]["door"] == "open"
                   for e in events)
        audit = any(e["type"] == "audit" and e["record"]["reason"] == "stream contract" for e in events)
        hardware = any(e["type"] == "hardware" and e["event"]["kind"] == "doorOpened" for e in events)
        return door and audit and hardware

    def act():
        time.sleep(0.3)  # the stream is open before the change (the reader waits for events, not for time)
        site.call("post", "/v1/compartments/B2/unlock", {"reason": "stream contract"}, token=site.operator, expect=200)
        site.call("post", "/v1/simulation/compartments/B2/door", {"state": "open"}, token=site.operator, expect=200)

    worker = threading.Thread(target=act)
    worker.start()
    try:
        events, response = read_stream_events(site, site.read_only, saw_door_and_audit)
        response.close()
    finally:
        worker.join()
    site.call("post", "/v1/simulation/compartments/B2/door", {"state": "closed"}, token=site.operator, expect=200)
    assert eventually(lambda: "edge_agent_api_event_stream_clients 0" in
                      site.call("get", "/metrics", token=site.read_only).body.decode(), timeout=30), \
        "a closed stream is cleaned up (noticed at the latest with the next heartbeat)"


def test_simulated_charger_routes_accepted_and_rejected(site):
    op = site.operator
    chargers = site.call("get", "/v1/simulation/chargers", token=site.read_only, expect=200).json["chargers"]
    assert [c["connectorId"] for c in chargers] == [13, 14]
    answer = site.call("post", "/v1/simulation/chargers/14", {"plugged": True, "drawing": False}, token=op, expect=200)
    assert answer.json["charger"]["car"]["plugged"] is True
    site.call("post", "/v1/simulation/chargers/14", {"plugged": False, "maxCurrentAmps": None}, token=op, expect=200)
    site.call("post", "/v1/simulation/chargers/14", {}, token=op, expect=400)
    site.call("post", "/v1/simulation/chargers/14", {"maxCurrentAmps": 500}, token=op, expect=400)
    site.call("post", "/v1/simulation/chargers/1", {"plugged": True}, token=op, expect=404)


def test_an_open_event_stream_does_not_hold_up_a_graceful_stop(daemon_factory):
    daemon = daemon_factory("stream-stop").start()
    request = urllib.request.Request(f"http://127.0.0.1:{daemon.port}/v1/events/stream",
                                     headers={"Authorization": f"Bearer {daemon.token}"})
    response = urllib.request.urlopen(request, timeout=20)
    assert response.readline().startswith(b": edge-agent live events")
    code, _ = daemon.terminate(timeout=15)
    assert code == 0, daemon.output()
    assert "stopped cleanly" in daemon.output()
    rest = response.read()  # returns at the end of the stream (a hang would time out)
    assert rest.endswith(b"\n\n") or rest == b"\n", "the stream ended with the daemon, after whole events"


def test_the_audit_log_records_who_and_why(site):
    """Configuration changes by the central system, and the emergency input, each with actor and reason (runs late:
    the emergency releases every latch)."""
    assert site.central.call(call.ChangeConfiguration(key="HeartbeatInterval", value="120")).status == "Accepted"
    change = site.call("get", "/v1/audit?action=configuration", token=site.read_only, expect=200).json["records"][0]
    assert (change["actor"], change["target"]) == ("central-system", "HeartbeatInterval") and "120" in change["reason"]

    def emergency_records(count):
        records = site.call("get", "/v1/audit?action=emergency", token=site.read_only).json["records"]
        return [r for r in records if r["actor"] == "emergency-input"] if len(records) == count else None

    # The input is debounced: release it only once the daemon has seen it raised.
    site.call("post", "/v1/simulation/emergency", {"active": True}, token=site.operator, expect=200)
    assert eventually(lambda: emergency_records(1))
    site.call("post", "/v1/simulation/emergency", {"active": False}, token=site.operator, expect=200)
    released = eventually(lambda: emergency_records(2))
    assert released and "released" in released[0]["reason"] and "active" in released[1]["reason"]


def test_every_documented_operation_was_called(site):
    """Runs last: each documented operation got an accepted answer from this file (or is listed above, with why)."""
    missing = [op for op in site.uncalled() if op not in NOT_CALLED_HERE]
    assert not missing, f"documented operations this file never called successfully: {missing}"
