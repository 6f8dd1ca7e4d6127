"""`edge-agent bench ocpp` (run by `make bench`) works end to end: a smoke test, no timing assertions."""
import sys
from pathlib import Path

from conftest import run_cli

BENCHMARKS = Path(__file__).resolve().parents[2] / "Benchmarks"


def row(lines, client):
    """The table row of `client`: its last five columns (calls, wall s, calls/s, CPU s, CPU us/call)."""
    found = [line for line in lines if line.startswith(client)]
    assert len(found) == 1, f"no single row for {client!r} in:\n" + "\n".join(lines)
    return found[0].split()[-5:]


def test_bench_ocpp_prints_both_clients_verified_by_the_central_system():
    result = run_cli("bench", "ocpp", "--messages", "20", "--python", sys.executable, "--benchmarks", str(BENCHMARKS),
                     timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for identity in ("edge-agent-bench", "python-ocpp-bench"):
        assert (f"central system received from {identity}: BootNotification 1, Heartbeat 20, MeterValues 20; "
                "no CALLERROR") in lines
    for client in ("edge-agent OCPP module (Swift)", "Python ocpp "):
        calls, wall, rate, cpu, cpu_per_call = row(lines, client)
        assert calls == "40"
        assert all(float(figure) > 0 for figure in (wall, rate, cpu_per_call)), lines
        float(cpu)
    assert any(line.startswith("ours / Python: calls per second x") for line in lines)


def test_bench_ocpp_without_its_scripts_fails_with_a_reason(tmp_path):
    result = run_cli("bench", "ocpp", "--messages", "20", "--python", sys.executable, "--benchmarks", str(tmp_path))
    assert result.returncode == 1
    assert "edge-agent bench ocpp: the central system" in result.stderr
    assert "ocpp_central_system.py" in result.stderr
