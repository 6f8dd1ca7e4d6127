"""SIGKILL at every step of the locker flow, then a restart (docs/simulation.md, "Crash tests"): no door opens by
itself, no transaction is lost or reported twice (a message in flight at the kill may arrive once more, with the
same content), and the socket matches the session. Steps are reached through observable conditions where the
simulated hardware allows it (a lock whose feedback is held unlocked, the relay line, the lock state) and through
the daemon's EDGE_AGENT_FAILPOINT testing aid where it does not. Also: the CSV/XML export after several sessions."""
import csv
import io
import re
import signal
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from central_system import CentralSystem
from conftest import free_port, run_cli
from test_sessions import (OWNER, card, compartment, occupy, queue_drained, session_site, start_daemon,
                           start_session, starts_for, wait_status)
from test_simulated_hardware import eventually, line, post

NAME, CONNECTOR, RELAY = "A1", 1, "RELAY1"


@pytest.fixture
def central():
    system = CentralSystem(free_port()).start()
    system.id_tags[OWNER] = {"status": "Accepted", "parentIdTag": "FAMILY"}
    yield system
    system.stop()


def stops_for(central, transaction_id):
    return [c for c in central.calls("StopTransaction") if c.payload["transactionId"] == transaction_id]


def distinct(calls):
    """The messages as the daemon meant them: a resend of one in flight at the kill is the same message."""
    return {tuple(sorted((k, str(v)) for k, v in c.payload.items() if k != "transactionData")) for c in calls}


OWNER_ENDED = "the session's owner ended the session"
OWNER_AGAIN = "the ended session's owner presented their card again; the door was still latched"


def session_unlocks(daemon):
    """Why the session code released the door, oldest first (the audit log)."""
    _, audit = daemon.get("/v1/audit?limit=100")
    return [r["reason"] for r in reversed(audit["records"]) if r["actor"] == "session" and r["action"] == "unlock"]


def restart(daemon_factory, central, config):
    boots = len(central.calls("BootNotification"))
    daemon = daemon_factory("state", extra_args=["--config", str(config)]).start()
    central.wait_for_calls("BootNotification", count=boots + 1)
    # No door opens by itself: the latch holds from the first moment on.
    assert compartment(daemon, NAME)["lock"] == "locked", compartment(daemon, NAME)
    return daemon


def socket_matches_session(daemon):
    a1 = compartment(daemon, NAME)
    session = a1.get("session")
    charging = session is not None and session["state"] == "charging"
    return (a1["relay"] == "on") == charging and line(daemon, RELAY)["active"] == charging


def card_then_killed(daemon, id_tag):
    """Presents a card to a daemon that may kill itself before it answers."""
    try:
        post(daemon, "/v1/simulation/readers/front/card", {"idTag": id_tag})
    except OSError:
        pass


def killed_at(daemon, failpoint):
    """The daemon SIGKILLed itself at the failpoint."""
    assert daemon.process.wait(timeout=30) == -signal.SIGKILL, daemon.output()[-3000:]
    assert f"failpoint {failpoint} reached" in daemon.output()


def check_charging_after_restart(daemon, central):
    """The session goes on for its owner with one transaction; the owner's card ends it once."""
    wait_status(daemon, NAME, "Charging")
    assert eventually(lambda: queue_drained(daemon) and socket_matches_session(daemon)), compartment(daemon, NAME)
    starts = starts_for(central, CONNECTOR)
    assert len(distinct(starts)) == 1 and len(starts) <= 2, [s.payload for s in starts]
    assert central.calls("StopTransaction") == []
    assert session_unlocks(daemon) == [] and compartment(daemon, NAME)["lock"] == "locked"
    # The confirmation is recorded a moment after the queue empties.
    assert eventually(lambda: "transactionId" in daemon.get("/v1/sessions?active=true")[1]["sessions"][0])
    transaction_id = daemon.get("/v1/sessions?active=true")[1]["sessions"][0]["transactionId"]
    assert transaction_id == central.next_transaction_id
    card(daemon, OWNER)
    wait_status(daemon, NAME, "Finishing")
    assert eventually(lambda: compartment(daemon, NAME)["lock"] == "unlocked")
    assert eventually(lambda: queue_drained(daemon) and len(central.calls("StopTransaction")) >= 1)
    assert len(stops_for(central, transaction_id)) == 1 and len(central.calls("StopTransaction")) == 1
    assert socket_matches_session(daemon) and session_unlocks(daemon) == [OWNER_ENDED]


def check_ended_after_restart(daemon, central, started_id, unlocked_before_kill):
    """The ended session stays ended: socket off, one StopTransaction, the door still latched until the owner's
    card releases it."""
    wait_status(daemon, NAME, "Finishing")
    assert eventually(lambda: queue_drained(daemon) and len(central.calls("StopTransaction")) >= 1)
    assert socket_matches_session(daemon) and compartment(daemon, NAME)["relay"] == "off"
    starts, stops = starts_for(central, CONNECTOR), central.calls("StopTransaction")
    assert len(distinct(starts)) == 1 and len(distinct(stops)) == 1 and len(stops) <= 2, [s.payload for s in stops]
    assert stops[0].payload["transactionId"] == started_id and stops[0].payload["reason"] == "Local"
    before = [OWNER_ENDED] if unlocked_before_kill else []
    assert compartment(daemon, NAME)["lock"] == "locked" and session_unlocks(daemon) == before
    card(daemon, OWNER)  # the owner's card again: the door is released, nothing is stopped twice
    assert eventually(lambda: compartment(daemon, NAME)["lock"] == "unlocked")
    assert session_unlocks(daemon) == before + [OWNER_AGAIN]
    assert len(distinct(central.calls("StopTransaction"))) == 1


@pytest.mark.parametrize("failpoint", ["after-authorize", "after-lock", "after-relay-on", "after-start-transaction"])
def test_sigkill_while_the_session_starts(daemon_factory, central, tmp_path, failpoint):
    config = session_site(tmp_path, central)
    daemon = daemon_factory("state", extra_args=["--config", str(config)],
                            env={"EDGE_AGENT_FAILPOINT": failpoint}).start()
    central.wait_for_calls("BootNotification")
    occupy(daemon, NAME)
    card_then_killed(daemon, OWNER)
    killed_at(daemon, failpoint)

    daemon = restart(daemon_factory, central, config)
    check_charging_after_restart(daemon, central)


@pytest.mark.parametrize("failpoint", ["after-relay-off", "after-stop-transaction", "after-unlock"])
def test_sigkill_while_the_session_ends(daemon_factory, central, tmp_path, failpoint):
    config = session_site(tmp_path, central)
    daemon = daemon_factory("state", extra_args=["--config", str(config)],
                            env={"EDGE_AGENT_FAILPOINT": failpoint}).start()
    central.wait_for_calls("BootNotification")
    start_session(daemon, central, NAME)
    assert eventually(lambda: queue_drained(daemon))
    started_id = central.next_transaction_id
    card_then_killed(daemon, OWNER)
    killed_at(daemon, failpoint)

    daemon = restart(daemon_factory, central, config)
    check_ended_after_restart(daemon, central, started_id, unlocked_before_kill=failpoint == "after-unlock")


def test_sigkill_while_the_lock_is_not_yet_confirmed(daemon_factory, central, tmp_path):
    """Observable: the lock's feedback is held unlocked, so the flow waits after the lock command."""
    config = session_site(tmp_path, central, lockConfirmSeconds=30)
    daemon = start_daemon(daemon_factory, config, central)
    occupy(daemon, NAME)
    assert post(daemon, f"/v1/simulation/compartments/{NAME}/lock", {"feedback": "unlocked"})[0] == 200
    assert eventually(lambda: compartment(daemon, NAME)["lock"] == "unlocked")
    card(daemon, OWNER)
    assert eventually(lambda: (compartment(daemon, NAME).get("session") or {}).get("state") == "locking")
    assert line(daemon, RELAY)["active"] is False and starts_for(central, CONNECTOR) == []
    daemon.kill()

    # The simulated locker restarts latched: the stored session finds its lock confirmed and starts, once.
    daemon = restart(daemon_factory, central, config)
    check_charging_after_restart(daemon, central)


def test_sigkill_with_the_relay_observed_on_and_meter_values_sent(daemon_factory, central, tmp_path):
    """Observable: the relay line is on and MeterValues flow; the kill leaves at most the one in flight."""
    config = session_site(tmp_path, central)
    daemon = start_daemon(daemon_factory, config, central)
    start_session(daemon, central, NAME)
    assert eventually(lambda: line(daemon, RELAY)["active"] is True)
    central.wait_for_calls("MeterValues")
    daemon.kill()

    daemon = restart(daemon_factory, central, config)
    check_charging_after_restart(daemon, central)


def test_sigkill_after_the_door_was_released_for_the_owner(daemon_factory, central, tmp_path):
    """Observable: the owner's card ended the session and the lock reads unlocked."""
    config = session_site(tmp_path, central)
    daemon = start_daemon(daemon_factory, config, central)
    start_session(daemon, central, NAME)
    assert eventually(lambda: queue_drained(daemon))
    started_id = central.next_transaction_id
    card(daemon, OWNER)
    assert eventually(lambda: compartment(daemon, NAME)["lock"] == "unlocked")
    daemon.kill()

    daemon = restart(daemon_factory, central, config)
    check_ended_after_restart(daemon, central, started_id, unlocked_before_kill=True)


def register_wh(daemon, unit):
    """The simulated meter's energy register as the daemon reads it, in whole Wh (as meterStart/meterStop)."""
    _, body = daemon.get("/v1/meters")
    meter = next(m for m in body["meters"] if m["device"]["unit"] == unit)
    value = next(v for v in meter["values"] if v["measurand"] == "Energy.Active.Import.Register")
    return round(value["value"] * (1000 if value["unit"].lower().startswith("k") else 1)), meter["time"]


def test_the_export_holds_exactly_the_sessions_with_the_meters_energies(daemon_factory, central, tmp_path):
    cards = {"A1": "0A0A0A01", "A2": "0A0A0A02", "A3": "0A0A0A03"}
    for id_tag in cards.values():
        central.id_tags[id_tag] = {"status": "Accepted"}
    config = session_site(tmp_path, central, maxOccupancySeconds=4)
    # More power, so a few seconds count a few Wh (still under the balancing's safe limit of 10 A).
    text = re.sub(r"maxPowerWatts: \d+", "maxPowerWatts: 2200", config.read_text())
    config.write_text(text)
    daemon = start_daemon(daemon_factory, config, central)
    units = {"A1": 11, "A2": 12, "A3": 13}
    before = {name: register_wh(daemon, unit)[0] for name, unit in units.items()}
    began = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=1)
    after = {}
    for name, id_tag in cards.items():
        occupy(daemon, name)
        card(daemon, id_tag)
        wait_status(daemon, name, "Charging")
        # The occupancy limit switches the socket off: the register stops, and the daemon reads its last value.
        wait_status(daemon, name, "SuspendedEVSE")
        last = register_wh(daemon, units[name])
        assert eventually(lambda: register_wh(daemon, units[name])[1] != last[1])  # a newer reading
        stopped = register_wh(daemon, units[name])
        assert eventually(lambda: round(compartment(daemon, name)["session"]["energyWh"]) == stopped[0] - before[name]), \
            (compartment(daemon, name), stopped, before)
        after[name] = stopped[0]
        card(daemon, id_tag)
        wait_status(daemon, name, "Finishing")
    assert eventually(lambda: queue_drained(daemon))

    window = f"from={began.strftime('%Y-%m-%dT%H:%M:%SZ')}&to={(began + timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')}"
    status, csv_text = get_text(daemon, f"/v1/sessions/export?format=csv&{window}")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(csv_text, newline="")))
    assert sorted(r["compartment"] for r in rows) == ["A1", "A2", "A3"]
    stops = {c.payload["transactionId"]: c.payload for c in central.calls("StopTransaction")}
    for row in rows:
        name = row["compartment"]
        energy = after[name] - before[name]
        assert energy > 0
        assert int(row["meterStartWh"]) == before[name] and int(row["meterStopWh"]) == after[name]
        assert int(row["energyWh"]) == energy
        assert stops[int(row["transactionId"])]["meterStop"] == after[name]
        assert row["stopReason"] == "Local" and row["currency"] == "EUR" and row["tariff"] == "locker"
        assert row["amount"] == "1.50"  # 0.50 start + 1 started hour + a few Wh at 0.30/kWh (under a cent)
        assert float(row["chargingSeconds"]) > 0
    assert get_text(daemon, f"/v1/sessions/export?format=csv&from={(began + timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')}")[1] \
        .count("\r\n") == 1  # the header alone

    status, xml_text = get_text(daemon, f"/v1/sessions/export?format=xml&{window}&compartment=a2")
    sessions = ET.fromstring(xml_text).findall("session")
    assert status == 200 and len(sessions) == 1
    assert sessions[0].findtext("compartment") == "A2"
    assert int(sessions[0].findtext("energyWh")) == after["A2"] - before["A2"]

    listed = daemon.get(f"/v1/sessions?idTag={cards['A3']}")[1]["sessions"]
    assert [s["compartment"] for s in listed] == ["A3"]
    assert daemon.get("/v1/sessions?from=yesterday")[0] == 400
    assert daemon.get("/v1/sessions?compartment=Z9")[0] == 404
    assert get_text(daemon, "/v1/sessions/export?format=pdf")[0] == 400

    site = ["--config", str(config), "--state-dir", str(daemon.state_dir), "--api-listen", f"127.0.0.1:{daemon.port}"]
    target = tmp_path / "sessions.xml"
    result = run_cli("sessions", "export", "--format", "xml", "--from", began.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "--output", str(target), *site)
    assert result.returncode == 0, result.stderr
    assert target.exists(), (result.stdout[:500], result.stderr[:500])
    assert len(ET.parse(target).getroot().findall("session")) == 3
    result = run_cli("sessions", "--export", "csv", "--compartment", "A1", *site)
    assert result.returncode == 0, result.stderr
    assert [r["compartment"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["A1"]


def get_text(daemon, path):
    import urllib.error
    import urllib.request
    request = urllib.request.Request(f"http://127.0.0.1:{daemon.port}{path}")
    request.add_header("Authorization", f"Bearer {daemon.token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
