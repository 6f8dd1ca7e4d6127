"""The daemon as a user meets it: start on the simulated site, answer, stop cleanly, survive kill -9."""
import signal
import socket
import sqlite3
import time

from conftest import run_cli


def test_simulated_site_answers_with_twelve_compartments_and_stops_cleanly(daemon_factory):
    daemon = daemon_factory().start()
    status, body = daemon.get("/v1/status")
    assert status == 200
    assert len(body["compartments"]) == 12
    assert body["station"]["simulated"] is True
    assert len({c["connectorId"] for c in body["compartments"]}) == 12
    assert len(body["chargers"]) == 2

    code, seconds = daemon.terminate(signal.SIGTERM)
    assert code == 0, daemon.output()
    assert seconds < 5.0
    assert "stopped cleanly" in daemon.output()


def test_sigint_also_stops_cleanly(daemon_factory):
    daemon = daemon_factory().start()
    code, seconds = daemon.terminate(signal.SIGINT)
    assert code == 0, daemon.output()
    assert seconds < 5.0


def test_requests_without_a_valid_token_get_401(daemon_factory):
    daemon = daemon_factory().start()
    for path in ("/v1/health", "/v1/status"):
        status, body = daemon.get(path, use_token=False)
        assert status == 401
        assert "Authorization" in body["error"]
        status, body = daemon.get(path, token="not-the-token")
        assert status == 401
        assert "not accepted" in body["error"]
    status, body = daemon.get("/v1/health")
    assert status == 200 and body["status"] == "ok"


def test_token_file_is_private_and_stable_across_restarts(daemon_factory):
    daemon = daemon_factory().start()
    first = daemon.token
    assert (daemon.state_dir / "api-token").stat().st_mode & 0o077 == 0
    daemon.terminate()
    daemon.start()
    assert daemon.token == first
    assert first not in daemon.output(), "the token must never be logged"


def test_kill_9_is_noticed_at_the_next_start_and_the_store_reopens(daemon_factory):
    daemon = daemon_factory().start()
    _, body = daemon.get("/v1/status")
    assert body["run"]["previousRunEndedCleanly"] is True
    daemon.kill()

    daemon.start()
    _, body = daemon.get("/v1/status")
    assert body["run"]["previousRunEndedCleanly"] is False
    code, _ = daemon.terminate()
    assert code == 0

    daemon.start()
    _, body = daemon.get("/v1/status")
    assert body["run"]["previousRunEndedCleanly"] is True
    daemon.terminate()

    runs = sqlite3.connect(daemon.state_dir / "edge-agent.sqlite").execute(
        "SELECT stoppedAt IS NOT NULL FROM run ORDER BY id").fetchall()
    assert [r[0] for r in runs] == [0, 1, 1]


def test_a_damaged_store_stops_start_up_with_a_clear_message(daemon_factory):
    daemon = daemon_factory()
    daemon.state_dir.mkdir(parents=True)
    (daemon.state_dir / "edge-agent.sqlite").write_bytes(b"this is not sqlite" * 100)
    daemon.start(wait=False)
    code = daemon.process.wait(timeout=20)
    assert code != 0
    assert "is not an edge-agent database" in daemon.output()


def test_a_busy_api_port_stops_start_up(daemon_factory):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    daemon = daemon_factory()
    daemon.port = blocker.getsockname()[1]
    daemon.args[daemon.args.index("--api-listen") + 1] = f"127.0.0.1:{daemon.port}"
    daemon.start(wait=False)
    code = daemon.process.wait(timeout=20)
    blocker.close()
    assert code != 0
    assert str(daemon.port) in daemon.output()


def test_systemd_notify_readiness_watchdog_and_stopping(daemon_factory, tmp_path):
    notify_path = tmp_path / "notify.sock"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(notify_path))
    receiver.settimeout(10)
    daemon = daemon_factory(env={"NOTIFY_SOCKET": str(notify_path), "WATCHDOG_USEC": "400000"}).start(wait=False)

    messages = []
    deadline = time.monotonic() + 15
    def seen(prefix):
        return any(m.startswith(prefix) for m in messages)

    while time.monotonic() < deadline and not (seen("READY=1") and seen("WATCHDOG=1")):
        messages.append(receiver.recv(4096).decode())
    assert seen("READY=1") and seen("WATCHDOG=1"), messages
    # The API answers once READY=1 was sent.
    daemon.wait_ready()

    daemon.process.send_signal(signal.SIGTERM)
    stopping = False
    while not stopping:
        stopping = "STOPPING=1" in receiver.recv(4096).decode()
    assert daemon.process.wait(timeout=5) == 0
    receiver.close()


def test_no_flags_runs_the_embedded_simulated_site_in_dot_state(tmp_path):
    """`edge-agent run` with no site file uses the embedded simulator site and ./.state."""
    import subprocess
    from conftest import BIN, free_port
    import json
    import urllib.request

    port = free_port()
    process = subprocess.Popen([BIN, "run", "--api-listen", f"127.0.0.1:{port}"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        token_file = tmp_path / ".state" / "api-token"
        deadline = time.monotonic() + 20
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/status")
                request.add_header("Authorization", f"Bearer {token_file.read_text().strip()}")
                body = json.loads(urllib.request.urlopen(request, timeout=2).read())
            except Exception:
                time.sleep(0.1)
        assert body is not None and len(body["compartments"]) == 12
        assert (tmp_path / ".state" / "edge-agent.sqlite").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0


def test_token_command_prints_the_same_token_the_daemon_uses(daemon_factory):
    daemon = daemon_factory().start()
    result = run_cli("token", "--state-dir", str(daemon.state_dir))
    assert result.returncode == 0
    assert result.stdout.strip() == daemon.token
