"""Load balancing in the daemon on the simulated site (docs/load-balancing.md, "In the daemon"): a building load
that leaves room for only some compartments pauses the later ones (SuspendedEVSE, relay off), a session that ends
lets a paused one resume, a silent grid meter brings the safe limit within the documented time, and the measured
grid current never exceeds the limit."""
import json
import re
import threading
from datetime import datetime

import pytest

from central_system import CentralSystem
from conftest import BOARDS, free_port, run_cli
from test_sessions import card, occupy, session_site, start_daemon, wait_status
from test_simulated_hardware import compartment, eventually, line, post

CARDS = {"A1": "0A0A0A01", "A2": "0A0A0A02", "A3": "0A0A0A03", "B1": "0B0B0B01", "B2": "0B0B0B02", "B3": "0B0B0B03"}
GRID_LIMIT = 32.0
SAFE_LIMIT = 10.0
GRID_UNIT = 100


@pytest.fixture
def central():
    system = CentralSystem(free_port()).start()
    for tag in CARDS.values():
        system.id_tags[tag] = {"status": "Accepted"}
    yield system
    system.stop()


def balancing_site(tmp_path, central):
    """The simulated site with a quick control loop: decisions every second, meters stale after 6 s."""
    text = session_site(tmp_path, central).read_text()
    text, count = re.subn(r"balancing:\n(  .*\n)+", "balancing:\n  mode: dynamic\n"
                          f"  gridLimitAmpsPerPhase: {GRID_LIMIT}\n  safeLimitAmpsPerPhase: {SAFE_LIMIT}\n"
                          "  strategy: equal-share\n  controlIntervalSeconds: 1\n  meterStaleAfterSeconds: 6\n", text)
    assert count == 1
    path = tmp_path / "balancing-site.yaml"
    path.write_text(text)
    return path


def balancing(daemon):
    status, body = daemon.get("/v1/balancing")
    assert status == 200, body
    return body


def consumer(daemon, connector_id):
    return next(c for c in balancing(daemon)["consumers"] if c["connectorId"] == connector_id)


def building(daemon, watts):
    """The building behind the grid meter draws `watts`; no PV, so the time of day does not matter."""
    status, body = post(daemon, "/v1/simulation/site", {"buildingLoadWatts": watts, "pvPeakWatts": 0})
    assert status == 200 and body["pvWatts"] == 0, body
    # Wait until load balancing has measured it (base load = grid minus our consumers).
    expected = watts / 230
    assert eventually(lambda: (g := balancing(daemon).get("grid")) and g.get("measuredAmps")
                      and abs(g["baseLoadAmps"]["L1"] - expected) < 0.3), balancing(daemon)


def begin(daemon, name):
    occupy(daemon, name)
    card(daemon, CARDS[name])
    assert eventually(lambda: compartment(daemon, name)["status"] in ("Charging", "SuspendedEVSE"))


class GridSampler:
    """Reads the grid meter's current on every phase while a test runs and keeps the largest value."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.peak = 0.0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            status, body = self.daemon.get("/v1/meters")
            if status == 200:
                grid = next((m for m in body["meters"] if m["device"]["role"] == "grid"), None)
                if grid and not grid["stale"]:
                    for value in grid["values"]:
                        if value.get("measurand") == "Current.Import" and value.get("value") is not None:
                            self.peak = max(self.peak, value["value"])
                    self.samples += 1
            self._stop.wait(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)


def test_a_building_load_pauses_the_later_compartments_and_an_ended_session_lets_one_resume(
        daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, balancing_site(tmp_path, central), central)
    # 6000 W (26.1 A on L1) leave 5.9 A: room for two compartments of 500 W (2.17 A each), not three.
    building(daemon, 6000)
    with GridSampler(daemon) as grid:
        begin(daemon, "A1")
        begin(daemon, "A2")
        wait_status(daemon, "A1", "Charging")
        wait_status(daemon, "A2", "Charging")
        begin(daemon, "A3")
        wait_status(daemon, "A3", "SuspendedEVSE")
        a3 = compartment(daemon, "A3")
        assert a3["relay"] == "off" and a3["lock"] == "locked" and a3["session"]["state"] == "charging", a3
        assert line(daemon, "RELAY3")["active"] is False
        decision = consumer(daemon, 3)
        assert decision["session"] and not decision["allowed"] and decision["currentAmps"] == 0, decision
        assert decision["reason"] == "minimumNotReachable" and decision["limitedBy"] == "grid", decision
        assert consumer(daemon, 1)["allowed"] and consumer(daemon, 2)["allowed"]
        summary = daemon.get("/v1/status")[1]["balancing"]
        assert summary["mode"] == "dynamic" and summary["pausedConnectors"] == [3] and not summary["onSafeLimit"], summary
        central.wait_for(lambda: any(c.payload["connectorId"] == 3 and c.payload.get("status") == "SuspendedEVSE"
                                     for c in central.calls("StatusNotification")), what="StatusNotification SuspendedEVSE")
        # The transaction runs while paused: started once, not stopped.
        assert len([c for c in central.calls("StartTransaction") if c.payload["connectorId"] == 3]) == 1
        report = balancing(daemon)
        assert report["grid"]["onSafeLimit"] is False
        assert report["grid"]["allocatedAmps"]["L1"] + report["grid"]["baseLoadAmps"]["L1"] <= GRID_LIMIT
        # It stays paused over several decisions (no flapping).
        steps = report["decidedAt"]
        assert eventually(lambda: balancing(daemon)["decidedAt"] != steps)
        assert compartment(daemon, "A3")["relay"] == "off" and compartment(daemon, "A3")["status"] == "SuspendedEVSE"

        card(daemon, CARDS["A1"])  # the owner of A1 ends that session: room for A3
        wait_status(daemon, "A1", "Finishing")
        wait_status(daemon, "A3", "Charging")
        assert compartment(daemon, "A3")["relay"] == "on"
        assert eventually(lambda: line(daemon, "RELAY3")["active"] is True)
        assert compartment(daemon, "A2")["status"] == "Charging"
        assert central.calls("StopTransaction")[0].payload["transactionId"] is not None
        assert len(central.calls("StopTransaction")) == 1
    assert grid.samples > 10
    assert grid.peak <= GRID_LIMIT, f"grid current {grid.peak} A exceeded the {GRID_LIMIT} A limit"


def test_a_silent_grid_meter_brings_the_safe_limit_within_the_documented_time(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, balancing_site(tmp_path, central), central)
    building(daemon, 0)
    for name in ("B1", "B2", "B3"):  # 1000 W each: 13 A together, over the 10 A safe limit
        begin(daemon, name)
    for name in ("B1", "B2", "B3"):
        wait_status(daemon, name, "Charging")
    assert balancing(daemon)["failSafeWithinSeconds"] == 7  # meterStaleAfterSeconds + 1

    status, _ = post(daemon, f"/v1/simulation/meters/{GRID_UNIT}/fault", {"fault": "silent"})
    assert status == 200
    assert eventually(lambda: balancing(daemon)["grid"]["onSafeLimit"], timeout=20), balancing(daemon)
    report = balancing(daemon)
    grid = report["grid"]
    assert "stale" in grid["safeLimitReason"] and "10 A" in grid["safeLimitReason"], grid
    assert eventually(lambda: any(s["role"] == "grid" for s in balancing(daemon)["staleInputs"])), balancing(daemon)
    _, meters = daemon.get("/v1/meters")
    last_good = next(m for m in meters["meters"] if m["device"]["role"] == "grid")["time"]
    late = parse(grid["safeLimitSince"]) - parse(last_good)
    assert 0 < late.total_seconds() <= report["failSafeWithinSeconds"], (grid["safeLimitSince"], last_good)
    assert grid["availableAmps"]["L1"] == SAFE_LIMIT and grid["allocatedAmps"]["L1"] <= SAFE_LIMIT

    # The latest session gives way: SuspendedEVSE with its relay off, and the reason names the fallback.
    wait_status(daemon, "B3", "SuspendedEVSE")
    assert compartment(daemon, "B3")["relay"] == "off"
    b3 = consumer(daemon, 9)
    assert not b3["allowed"] and b3["reason"] == "staleMeterFallback" and b3["limitedBy"] == "grid", b3
    assert compartment(daemon, "B1")["status"] == "Charging" and compartment(daemon, "B2")["status"] == "Charging"
    on = [c for c in balancing(daemon)["consumers"] if c["allowed"]]
    assert sum(c["currentAmps"] for c in on) <= SAFE_LIMIT

    post(daemon, f"/v1/simulation/meters/{GRID_UNIT}/fault", {"fault": None})
    assert eventually(lambda: not balancing(daemon)["grid"]["onSafeLimit"], timeout=20)
    wait_status(daemon, "B3", "Charging")
    assert balancing(daemon)["grid"].get("safeLimitSince") is None


def test_the_balancing_state_needs_a_token_and_answers_with_the_read_only_one(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, balancing_site(tmp_path, central), central)
    assert daemon.get("/v1/balancing", use_token=False)[0] == 401
    read_only = (daemon.state_dir / "api-token-readonly").read_text().strip()
    status, body = daemon.get("/v1/balancing", token=read_only)
    assert status == 200
    assert body["mode"] == "dynamic" and body["grid"]["limitAmps"] == {"L1": 32, "L2": 32, "L3": 32}
    assert {c["connectorId"] for c in body["consumers"]} == set(range(1, 15))
    assert all(c["reason"] == "noSession" and not c["allowed"] for c in body["consumers"])
    assert post(daemon, "/v1/simulation/site", {"buildingLoadWatts": -5})[0] == 400


def test_simulate_day_runs_the_simulated_site_file_for_24_hours_within_its_grid_limit():
    result = run_cli("simulate-day", "--config", str(BOARDS / "simulator" / "site.yaml"), "--seed", "11", "--json",
                     timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["steps"] == 8640 and report["gridLimitAmps"] == GRID_LIMIT
    assert report["stepsOverLimit"] == 0
    assert max(report["peakGridAmps"].values()) <= GRID_LIMIT
    assert len(report["sessions"]) >= 10 and report["deliveredWh"] > 0
    assert 0 <= report["solarShare"] <= 1
    names = {s["name"] for s in report["sessions"]}
    assert names & {"wallbox-left", "wallbox-right"} and names & {"A1", "A2", "A3", "A4", "A5", "A6"}
    text = run_cli("simulate-day", "--seed", "11", timeout=120)
    assert text.returncode == 0 and "steps over the limit: 0" in text.stdout and "solar share" in text.stdout


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
