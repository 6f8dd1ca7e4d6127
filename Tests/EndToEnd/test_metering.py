"""Metering as an integrator meets it: read-meter against our simulator and an independent pymodbus server,
the standalone simulate-modbus, and the daemon's /v1/meters with the simulated bus (fresh, stale, recovered)."""
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import BIN, BOARDS, free_port, run_cli

HERE = Path(__file__).resolve().parent


def wait_for_port(port, process, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stdout.read() if process.stdout else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port} after {timeout}s")


@pytest.fixture
def simulator():
    """`edge-agent simulate-modbus` on a free port with a few values pinned."""
    port = free_port()
    process = subprocess.Popen(
        [BIN, "simulate-modbus", "--port", str(port), "--set", "11:power=450", "--set", "11:Voltage=231.5",
         "--set", "100:power=1200"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for_port(port, process)
    yield port
    process.kill()
    process.wait(timeout=10)


@pytest.fixture
def pymodbus_server():
    port = free_port()
    process = subprocess.Popen([sys.executable, str(HERE / "modbus_peer.py"), "tcp", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, process)
    yield port
    process.kill()
    process.wait(timeout=10)


def test_read_meter_prints_every_value_with_its_unit(simulator):
    result = run_cli("read-meter", "--bus", f"tcp://127.0.0.1:{simulator}", "--unit", "11", "--profile", "eastron-sdm120")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert set(lines) == {"voltage", "current", "power", "frequency", "energy-import", "energy-export"}
    assert "450.000 W" in lines["power"]
    assert "231.500 V" in lines["voltage"]
    assert "kWh" in lines["energy-import"]


def test_read_meter_json_is_one_object_of_measurands_to_numbers(simulator):
    result = run_cli("read-meter", "--bus", f"tcp://127.0.0.1:{simulator}", "--unit", "11", "--profile",
                     "eastron-sdm120", "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["Power.Active.Import"] == 450
    assert body["Voltage"] == 231.5
    assert body["Frequency"] == 50
    assert "Energy.Active.Import.Register" in body
    assert all(isinstance(value, (int, float)) for value in body.values())


def test_simulate_modbus_serves_grid_and_pv_with_their_profiles(simulator):
    grid = run_cli("read-meter", "--bus", f"tcp://127.0.0.1:{simulator}", "--unit", "100", "--profile",
                   "eastron-sdm630", "--json")
    assert grid.returncode == 0, grid.stderr
    assert json.loads(grid.stdout)["Power.Active.Import"] == 1200
    pv = run_cli("read-meter", "--bus", f"tcp://127.0.0.1:{simulator}", "--unit", "101", "--profile",
                 "sunspec-inverter", "--json")
    assert pv.returncode == 0, pv.stderr
    assert "Power.Active.Export" in json.loads(pv.stdout)


def test_read_meter_against_an_independent_pymodbus_server(pymodbus_server):
    result = run_cli("read-meter", "--bus", f"tcp://127.0.0.1:{pymodbus_server}", "--unit", "1", "--profile",
                     "eastron-sdm630", "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["Voltage.L1-N"] == 230.5
    assert body["Current.Import.L1"] == 12.25
    assert body["Power.Active.Import"] == 2825
    assert body["Energy.Active.Import.Register"] == 1234500  # 1234.5 kWh in OCPP's Wh


@pytest.fixture
def rtu_peer(tmp_path):
    """The pymodbus peer as an RTU device at 19200 baud on one end of a socat pty pair; yields the other end."""
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed (make deps installs it)")
    client, server = tmp_path / "client", tmp_path / "server"
    socat = subprocess.Popen(["socat", f"pty,raw,echo=0,link={client}", f"pty,raw,echo=0,link={server}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 5
    while not server.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    peer = subprocess.Popen([sys.executable, str(HERE / "modbus_peer.py"), "rtu", str(server), "19200"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # pymodbus opens the port asynchronously; there is nothing to poll for
    yield client
    for process in (peer, socat):
        process.kill()
        process.wait(timeout=10)


def test_read_meter_over_rtu(rtu_peer):
    result = run_cli("read-meter", "--bus", f"rtu://{rtu_peer}?baud=19200&parity=N", "--unit", "1", "--profile",
                     "eastron-sdm630", "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["Voltage.L1-N"] == 230.5
    assert body["Power.Active.Import"] == 2825


def test_a_wrong_unit_times_out_naming_bus_unit_and_register(simulator):
    # Our simulator, like a real RS-485 bus, stays silent for a unit nobody has.
    result = run_cli("read-meter", "--bus", f"tcp://127.0.0.1:{simulator}", "--unit", "7", "--profile",
                     "eastron-sdm630")
    assert result.returncode == 1
    assert f"tcp://127.0.0.1:{simulator} unit 7, input register " in result.stderr
    assert "no answer within the timeout" in result.stderr
    assert result.stdout == ""


def test_a_unit_the_pymodbus_server_rejects_is_named_with_its_exception(pymodbus_server):
    result = run_cli("read-meter", "--bus", f"tcp://127.0.0.1:{pymodbus_server}", "--unit", "7", "--profile",
                     "eastron-sdm630")
    assert result.returncode == 1
    assert f"tcp://127.0.0.1:{pymodbus_server} unit 7" in result.stderr
    assert "register" in result.stderr and "exception" in result.stderr


def test_bad_bus_url_and_unknown_profile_are_clear_errors():
    bad = run_cli("read-meter", "--bus", "tcp:/nowhere", "--unit", "1", "--profile", "eastron-sdm630")
    assert bad.returncode == 1
    assert "tcp://HOST:PORT" in bad.stderr
    closed = run_cli("read-meter", "--bus", f"tcp://127.0.0.1:{free_port()}", "--unit", "1", "--profile", "eastron-sdm630")
    assert closed.returncode == 1
    assert "cannot open bus tcp://127.0.0.1:" in closed.stderr and "Connection refused" in closed.stderr
    unknown = run_cli("read-meter", "--bus", "tcp://127.0.0.1:1", "--unit", "1", "--profile", "sdm630")
    assert unknown.returncode == 1
    assert "unknown device profile 'sdm630'" in unknown.stderr and "eastron-sdm630" in unknown.stderr


def test_check_config_names_an_invalid_profile_file(tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "broken.yaml").write_text("name: broken\nmanufacturer: X\nmodel: Y\nvalues:\n"
                                          "  - {name: p, address: 0, type: float99}\n")
    site = tmp_path / "site.yaml"
    site.write_text((BOARDS / "simulator/site.yaml").read_text() + "profilesFolder: profiles\n")
    result = run_cli("check-config", "--config", str(site))
    assert result.returncode == 78, result.stdout + result.stderr
    assert f"profilesFolder: profile file {profiles / 'broken.yaml'}" in result.stderr
    assert "float99" in result.stderr


def post(daemon, path, body):
    request = urllib.request.Request(f"http://127.0.0.1:{daemon.port}{path}", data=json.dumps(body).encode(),
                                     method="POST", headers={"Authorization": f"Bearer {daemon.token}",
                                                             "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def fast_site(tmp_path, modbus_port):
    """The simulated site with its Modbus bus on a free port, polled every second, stale after 2 s."""
    text = (BOARDS / "simulator/site.yaml").read_text()
    text = text.replace("buses: []", "buses:\n  - name: sim-modbus\n    tcp: {host: 127.0.0.1, port: %d}\n"
                        "    responseTimeoutMilliseconds: 200" % modbus_port)
    text = text.replace("controlIntervalSeconds: 5", "controlIntervalSeconds: 1")
    text = text.replace("meterStaleAfterSeconds: 15", "meterStaleAfterSeconds: 2")
    path = tmp_path / "fast-site.yaml"
    path.write_text(text)
    return path


def meters_by_name(daemon):
    status, body = daemon.get("/v1/meters")
    assert status == 200, body
    return {meter["device"]["name"]: meter for meter in body["meters"]}


def wait_until(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"condition not met within {timeout}s")


def value_of(meter, name):
    return next(v["value"] for v in meter["values"] if v["name"] == name)


def test_make_run_daemon_serves_fresh_readings_of_grid_pv_and_compartments(daemon_factory):
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 1502)) == 0:
            pytest.skip("127.0.0.1:1502 is taken (a running `make run`?); the embedded site's bus needs it")
    daemon = daemon_factory().start()
    wait_until(lambda: "simulated Modbus bus" in daemon.output())
    if "simulated Modbus bus not started" in daemon.output():
        pytest.skip("another process took 127.0.0.1:1502 first (a parallel test daemon or `make run`)")
    meters = wait_until(lambda: (m := meters_by_name(daemon)) and all(x.get("time") for x in m.values()) and m)
    assert {"grid", "pv", "A1", "B6", "wallbox-left"} <= set(meters)
    assert len(meters) == 16
    for name in ("grid", "pv", "A1", "B6"):
        assert meters[name]["stale"] is False, meters[name]
        assert meters[name]["ageSeconds"] < 15
    assert meters["A1"]["device"] == {"role": "compartment", "name": "A1", "connectorId": 1, "bus": "sim-modbus",
                                      "unit": 11, "profile": "eastron-sdm120"}
    assert value_of(meters["A1"], "voltage") == 230


def test_a_silent_meter_goes_stale_within_the_configured_time_and_recovers(daemon_factory, tmp_path):
    site = fast_site(tmp_path, free_port())
    daemon = daemon_factory(extra_args=["--config", str(site)]).start()
    wait_until(lambda: all(m.get("time") and not m["stale"] for m in meters_by_name(daemon).values()))

    status, body = post(daemon, "/v1/simulation/meters/11", {"values": {"power": 321.5}})
    assert status == 200, body
    assert body["meter"]["pinned"] == {"power": 321.5}
    wait_until(lambda: value_of(meters_by_name(daemon)["A1"], "power") == 321.5)

    status, body = post(daemon, "/v1/simulation/meters/11/fault", {"fault": "silent"})
    assert status == 200, body
    # meterStaleAfterSeconds is 2; the bound only keeps a broken run from waiting forever.
    stale = wait_until(lambda: (m := meters_by_name(daemon)["A1"])["stale"] and m, timeout=10)
    assert stale["lastError"]
    assert meters_by_name(daemon)["A2"]["stale"] is False

    status, body = post(daemon, "/v1/simulation/meters/11/fault", {"fault": None})
    assert status == 200, body
    recovered = wait_until(lambda: not (m := meters_by_name(daemon)["A1"])["stale"] and m)
    assert recovered.get("lastError") is None
    assert value_of(recovered, "power") == 321.5


def test_simulated_meter_routes_reject_unknown_units_and_faults(daemon_factory, tmp_path):
    daemon = daemon_factory(extra_args=["--config", str(fast_site(tmp_path, free_port()))]).start()
    status, body = post(daemon, "/v1/simulation/meters/99/fault", {"fault": "silent"})
    assert status == 404 and "unit 99" in body["error"]
    status, body = post(daemon, "/v1/simulation/meters/11/fault", {"fault": "smoke"})
    assert status == 400 and "silent" in body["error"]
    status, body = post(daemon, "/v1/simulation/meters/11", {"values": {"nonsense": 1}})
    assert status == 400 and "nonsense" in body["error"]
    status, body = daemon.get("/v1/simulation/meters")
    assert status == 200 and len(body["meters"]) == 16


def test_bench_smoke_run():
    result = run_cli("bench", "modbus", "--meters", "2", "--values", "8", "--cycles", "1")
    assert result.returncode == 0, result.stderr
    assert "TCP loopback: 2 meters x 8 values" in result.stdout
