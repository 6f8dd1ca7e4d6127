"""The simulated locker driven through the local API of the real binary: doors, locks, cards, keypad,
emergency input, operator unlock and the audit log (docs/simulation.md)."""
import json
import os
import signal
import time
import urllib.error
import urllib.request

from conftest import BOARDS, free_port, run_cli


def post(daemon, path, body=None, raw=None):
    data = raw if raw is not None else json.dumps(body if body is not None else {}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{daemon.port}{path}", data=data, method="POST")
    request.add_header("Authorization", f"Bearer {daemon.token}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def compartment(daemon, name):
    _, body = daemon.get("/v1/status")
    return next(c for c in body["compartments"] if c["name"] == name)


def line(daemon, name):
    _, body = daemon.get("/v1/simulation/lines")
    return next(l for l in body["lines"] if l["line"] == name)


def eventually(check, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_compartments_start_closed_locked_with_relays_off(daemon_factory):
    daemon = daemon_factory().start()
    _, body = daemon.get("/v1/status")
    for c in body["compartments"]:
        assert (c["door"], c["lock"], c["lockFeedback"], c["relay"], c["status"]) == \
            ("closed", "locked", "locked", "off", "Available"), c
        assert c["faults"] == [] and "fault" not in c
    status, lines = daemon.get("/v1/simulation/lines")
    assert status == 200
    outputs = [l for l in lines["lines"] if l["role"] in ("relay", "lock")]
    assert len(outputs) == 24 and all(l["requested"] and not l["active"] for l in outputs)
    assert all(l["active"] for l in lines["lines"] if l["role"] == "indicator"), "steady on: free"
    assert line(daemon, "DOOR1")["active"] is True  # door closed
    assert line(daemon, "EMERGENCY")["active"] is False


def test_operator_unlock_then_open_and_close_the_door(daemon_factory):
    daemon = daemon_factory().start()
    status, result = post(daemon, "/v1/compartments/A2/unlock", {"reason": "driver forgot the PIN, ticket 4711"})
    assert status == 200, result
    assert result["outcome"] == "unlocked" and result["confirmedBy"] == "feedback"
    assert compartment(daemon, "A2")["lock"] == "unlocked"

    assert post(daemon, "/v1/simulation/compartments/A2/door", {"state": "open"})[0] == 200
    assert eventually(lambda: compartment(daemon, "A2")["door"] == "open")
    a2 = compartment(daemon, "A2")
    assert a2["faults"] == [] and a2["status"] == "Available", "an unlocked door may open"

    assert post(daemon, "/v1/simulation/compartments/A2/door", {"state": "closed"})[0] == 200
    assert eventually(lambda: compartment(daemon, "A2")["lock"] == "locked"), "the latch catches as the door shuts"
    assert compartment(daemon, "A2")["door"] == "closed"

    _, audit = daemon.get("/v1/audit?limit=5")
    record = audit["records"][0]
    assert (record["actor"], record["action"], record["target"]) == ("operator:local-api", "unlock", "A2")
    assert record["reason"] == "driver forgot the PIN, ticket 4711"


def test_forced_door_is_a_fault_until_an_operator_clears_it(daemon_factory):
    daemon = daemon_factory().start()
    post(daemon, "/v1/simulation/compartments/B1/door", {"state": "open"})
    assert eventually(lambda: compartment(daemon, "B1").get("fault") == "forcedOpen")
    assert compartment(daemon, "B1")["status"] == "Faulted"
    post(daemon, "/v1/simulation/compartments/B1/door", {"state": "closed"})
    assert eventually(lambda: compartment(daemon, "B1")["door"] == "closed")
    assert compartment(daemon, "B1")["status"] == "Faulted", "closing the door does not acknowledge the fault"
    _, events = daemon.get("/v1/events")
    assert any(e["kind"] == "forcedOpen" and e["compartment"] == "B1" for e in events["events"])

    status, cleared = post(daemon, "/v1/compartments/B1/clear-faults", {"reason": "door inspected"})
    assert status == 200, cleared
    assert cleared["status"] == "Available" and cleared["faults"] == [] and "fault" not in cleared


def test_a_jammed_lock_answers_unlock_failed_and_shows_the_fault(daemon_factory):
    daemon = daemon_factory().start()
    assert post(daemon, "/v1/simulation/compartments/A3/lock", {"jammed": True})[0] == 200
    status, result = post(daemon, "/v1/compartments/A3/unlock", {"reason": "test jammed lock"})
    assert status == 200, result
    assert result["outcome"] == "unlockFailed"
    a3 = compartment(daemon, "A3")
    assert a3["fault"] == "jammedLock" and a3["status"] == "Faulted" and a3["lock"] == "locked"


def test_a_card_at_the_wiegand_reader_arrives_with_its_normalized_idtag(daemon_factory):
    daemon = daemon_factory().start()
    status, body = post(daemon, "/v1/simulation/readers/front/card", {"uid": "1193046", "format": "decimal"})
    assert status == 200 and body["idTag"] == "123456"
    status, body = post(daemon, "/v1/simulation/readers/front/card", {"idTag": "04a2b3c4"})
    assert status == 200 and body["idTag"] == "04A2B3C4"

    def cards():
        _, events = daemon.get("/v1/events?limit=10")
        return [e["idTag"] for e in events["events"] if e["kind"] == "cardPresented"]
    assert eventually(lambda: cards() == ["04A2B3C4", "123456"]), cards()

    status, body = post(daemon, "/v1/simulation/readers/front/card", {"idTag": "04A2B3C4D5"})
    assert status == 400 and "Wiegand" in body["error"]
    status, body = post(daemon, "/v1/simulation/readers/back/card", {"idTag": "12"})
    assert status == 404 and "front" in body["error"]


def test_keypad_entries_are_seen_without_their_digits(daemon_factory):
    daemon = daemon_factory().start()
    assert post(daemon, "/v1/simulation/readers/front/keys", {"keys": "4711#"})[0] == 200
    _, events = daemon.get("/v1/events")
    entry = next(e for e in events["events"] if e["kind"] == "keypadEntry")
    assert entry["characters"] == 4 and entry["reader"] == "front"
    assert "4711" not in json.dumps(events)


def test_emergency_input_unlocks_everything_with_relays_off_and_is_audited(daemon_factory):
    daemon = daemon_factory().start()
    assert post(daemon, "/v1/simulation/emergency", {"active": True}) == (200, {"active": True})

    def all_unlocked():
        _, body = daemon.get("/v1/status")
        return all(c["lock"] == "unlocked" and c["relay"] == "off" and c["emergency"] for c in body["compartments"])
    assert eventually(all_unlocked)
    _, lines = daemon.get("/v1/simulation/lines")
    assert not any(l["active"] for l in lines["lines"] if l["role"] == "relay")

    post(daemon, "/v1/simulation/emergency", {"active": False})
    assert eventually(lambda: not compartment(daemon, "A1")["emergency"])
    _, audit = daemon.get("/v1/audit")
    emergency = [r for r in audit["records"] if r["action"] == "emergency"]
    assert [r["actor"] for r in emergency] == ["emergency-input", "emergency-input"]
    assert "released" in emergency[0]["reason"] and "active" in emergency[1]["reason"]


def test_unlock_needs_a_reason_and_a_known_compartment(daemon_factory):
    daemon = daemon_factory().start()
    for body in ({}, {"reason": ""}, {"reason": 5}):
        status, answer = post(daemon, "/v1/compartments/A1/unlock", body)
        assert status == 400, (body, answer)
        assert "reason" in answer["error"]
    status, answer = post(daemon, "/v1/compartments/A1/unlock", raw=b"{not json")
    assert status == 400 and "JSON" in answer["error"]
    status, answer = post(daemon, "/v1/compartments/Z9/unlock", {"reason": "x"})
    assert status == 404 and "no compartment named 'Z9'" in answer["error"]
    assert compartment(daemon, "A1")["lock"] == "locked"
    _, audit = daemon.get("/v1/audit")
    assert audit["records"] == []


def test_outputs_are_read_only_and_routes_need_the_token(daemon_factory):
    daemon = daemon_factory().start()
    status, _ = post(daemon, "/v1/simulation/lines", {"line": "RELAY1", "active": True})
    assert status in (404, 405)
    assert line(daemon, "RELAY1")["active"] is False
    status, body = daemon.get("/v1/simulation/lines", use_token=False)
    assert status == 401
    status, body = post(daemon, "/v1/simulation/compartments/A1/door", {"state": "ajar"})
    assert status == 400 and "'open' or 'closed'" in body["error"]


def test_sigterm_stops_within_5s_with_relays_off_and_lines_released(daemon_factory):
    daemon = daemon_factory().start()
    post(daemon, "/v1/simulation/compartments/A1/door", {"state": "open"})
    code, seconds = daemon.terminate(signal.SIGTERM)
    assert code == 0, daemon.output()
    assert seconds < 5.0
    output = daemon.output()
    assert "site hardware stopped; relays off, lines released" in output
    assert output.index("site hardware stopped") < output.index("stopped cleanly")


def test_a_gpio_chip_that_does_not_exist_stops_start_up_with_the_message(tmp_path):
    if any(name.startswith("gpiochip") for name in os.listdir("/dev")):
        import pytest
        pytest.skip("this machine has real GPIO chips")
    result = run_cli("run", "--config", str(BOARDS / "raspberry-pi-rs485" / "site.yaml"),
                     "--state-dir", str(tmp_path / "state"), "--api-listen", f"127.0.0.1:{free_port()}", timeout=30)
    assert result.returncode != 0
    assert "cannot start: compartment" in result.stderr
    assert "GPIO chip 'gpiochip0' not found" in result.stderr
