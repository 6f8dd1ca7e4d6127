"""`edge-agent bench balancing` (run by `make bench`) works end to end: a smoke test, no timing assertions."""
from conftest import run_cli


def test_bench_balancing_prints_median_and_p99_for_each_size():
    result = run_cli("bench", "balancing", "--steps", "20,10,3", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["consumers", "steps", "median", "p99"], lines
    rows = [line.split() for line in lines[1:]]
    assert [(row[0], row[1]) for row in rows] == [("10", "20"), ("100", "10"), ("1000", "3")], lines
    for row in rows:
        median, p99 = float(row[2]), float(row[4])
        assert row[3] == row[5] == "us"
        assert 0 < median <= p99, row


def test_bench_balancing_rejects_malformed_steps():
    result = run_cli("bench", "balancing", "--steps", "20,10")
    assert result.returncode == 1
    assert "edge-agent bench balancing: --steps must be three positive numbers" in result.stderr
