"""The operator's command line against the running daemon: status, sessions, audit and meters as tables and
JSON with the read-only token, and the errors a person meets (no daemon, wrong token, read-only token on a POST)."""
import json
import urllib.error
import urllib.request

from conftest import free_port, run_cli


def site_args(daemon):
    return ["--state-dir", str(daemon.state_dir), "--api-listen", f"127.0.0.1:{daemon.port}"]


def read_only_token(daemon):
    return (daemon.state_dir / "api-token-readonly").read_text().strip()


def post(daemon, path, body, token):
    request = urllib.request.Request(f"http://127.0.0.1:{daemon.port}{path}", data=json.dumps(body).encode(),
                                     method="POST", headers={"Authorization": f"Bearer {token}",
                                                             "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_read_only_token_is_generated_private_and_printed(daemon_factory):
    daemon = daemon_factory().start()
    path = daemon.state_dir / "api-token-readonly"
    assert path.stat().st_mode & 0o077 == 0
    assert read_only_token(daemon) != daemon.token
    printed = run_cli("token", "--read-only", *site_args(daemon))
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == read_only_token(daemon)
    assert read_only_token(daemon) not in daemon.output(), "tokens must never be logged"


def test_status_sessions_audit_meters_as_tables_and_json(daemon_factory):
    daemon = daemon_factory().start()
    unlock = run_cli("unlock", "A2", "--reason", "cli table test", *site_args(daemon))
    assert unlock.returncode == 0, unlock.stderr

    status = run_cli("status", *site_args(daemon))
    assert status.returncode == 0, status.stderr
    assert "SIM-LOCKER" in status.stdout
    rows = [line.split() for line in status.stdout.splitlines()]
    header = next(row for row in rows if row and row[0] == "COMPARTMENT")
    assert header[:4] == ["COMPARTMENT", "CONNECTOR", "STATUS", "DOOR"]
    compartments = {row[0]: row for row in rows if row and row[0][:1] in "AB" and len(row) >= 8}
    assert len(compartments) == 12 and compartments["A1"][1] == "1"
    status_json = json.loads(run_cli("status", "--json", *site_args(daemon)).stdout)
    assert len(status_json["compartments"]) == 12

    audit = run_cli("audit", *site_args(daemon))
    assert audit.returncode == 0, audit.stderr
    assert "ACTOR" in audit.stdout.splitlines()[0]
    assert any("unlock" in line and "A2" in line and "cli table test" in line for line in audit.stdout.splitlines())
    records = json.loads(run_cli("audit", "--json", *site_args(daemon)).stdout)["records"]
    assert any(r["action"] == "unlock" and r["target"] == "A2" and r["reason"] == "cli table test" for r in records)

    sessions = run_cli("sessions", "--active", *site_args(daemon))
    assert sessions.returncode == 0, sessions.stderr
    assert sessions.stdout.strip() == "no active sessions"
    assert json.loads(run_cli("sessions", "--json", *site_args(daemon)).stdout) == {"sessions": []}

    meters = run_cli("meters", *site_args(daemon))
    assert meters.returncode == 0, meters.stderr
    assert meters.stdout.splitlines()[0].split()[:3] == ["DEVICE", "ROLE", "BUS"]
    meters_json = json.loads(run_cli("meters", "--json", *site_args(daemon)).stdout)
    names = {meter["device"]["name"] for meter in meters_json["meters"]}
    assert names and all(any(line.startswith(name + " ") for line in meters.stdout.splitlines()) for name in names)


def test_no_daemon_running_is_a_clear_error(tmp_path):
    port = free_port()
    for command in ("status", "sessions", "audit", "meters"):
        result = run_cli(command, "--api-listen", f"127.0.0.1:{port}", "--state-dir", str(tmp_path / "state"))
        assert result.returncode != 0
        assert f"no edge-agent answers on 127.0.0.1:{port}: is it running?" in result.stderr
        assert "systemctl status edge-agent" in result.stderr


def test_wrong_token_names_the_token_file(daemon_factory, tmp_path):
    daemon = daemon_factory().start()
    other_state = tmp_path / "other-state"
    result = run_cli("status", "--state-dir", str(other_state), "--api-listen", f"127.0.0.1:{daemon.port}")
    assert result.returncode != 0
    assert "HTTP 401" in result.stderr
    assert str(other_state / "api-token-readonly") in result.stderr
    assert "--state-dir" in result.stderr


def test_read_only_token_gets_403_on_unlock_and_nothing_changes(daemon_factory):
    daemon = daemon_factory().start()
    status, body = post(daemon, "/v1/compartments/A1/unlock", {"reason": "should be refused"}, read_only_token(daemon))
    assert status == 403
    assert "operator scope" in body["error"]
    status, audit = daemon.get("/v1/audit", token=read_only_token(daemon))
    assert status == 200 and audit["records"] == []
    status, site = daemon.get("/v1/status", token=read_only_token(daemon))
    assert status == 200
    assert next(c for c in site["compartments"] if c["name"] == "A1")["lock"] == "locked"
    status, body = post(daemon, "/v1/compartments/A1/unlock", {"reason": "operator may"}, daemon.token)
    assert status == 200, body
