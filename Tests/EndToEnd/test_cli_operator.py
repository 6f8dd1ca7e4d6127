"""The operator's command line beyond the read-only views (docs/local-api.md, "Command line"): unlock as a sentence
or JSON, the audit log filtered by action and time, and a clear error for a wrong operator token."""
import json

from conftest import run_cli
from test_cli import site_args


def test_unlock_prints_a_sentence_or_the_json(daemon_factory):
    daemon = daemon_factory().start()
    sentence = run_cli("unlock", "B3", "--reason", "cli sentence", *site_args(daemon))
    assert sentence.returncode == 0, sentence.stderr
    assert sentence.stdout.startswith("B3 unlocked (confirmed by feedback; door closed), audit record ")
    as_json = run_cli("unlock", "b 3", "--reason", "cli json", "--json", *site_args(daemon))
    assert as_json.returncode == 0, as_json.stderr
    answer = json.loads(as_json.stdout)
    assert (answer["compartment"], answer["outcome"], answer["confirmedBy"]) == ("B3", "unlocked", "alreadyUnlocked")


def test_audit_filters_by_action_and_time(daemon_factory):
    daemon = daemon_factory().start()
    assert run_cli("unlock", "A5", "--reason", "filter me", *site_args(daemon)).returncode == 0
    unlocks = json.loads(run_cli("audit", "--json", "--action", "unlock", *site_args(daemon)).stdout)["records"]
    assert [r["reason"] for r in unlocks] == ["filter me"]
    none = run_cli("audit", "--action", "emergency", *site_args(daemon))
    assert none.returncode == 0 and none.stdout.strip() == "the audit log is empty"
    future = json.loads(run_cli("audit", "--json", "--since", "2999-01-01T00:00:00Z", *site_args(daemon)).stdout)
    assert future == {"records": []}
    bad = run_cli("audit", "--since", "last tuesday", *site_args(daemon))
    assert bad.returncode == 1 and "HTTP 400" in bad.stderr and "ISO 8601" in bad.stderr


def test_unlock_with_a_wrong_operator_token_names_the_token_file(daemon_factory, tmp_path):
    daemon = daemon_factory().start()
    other = tmp_path / "other-state"
    result = run_cli("unlock", "A1", "--reason", "x", "--state-dir", str(other), "--api-listen", f"127.0.0.1:{daemon.port}")
    assert result.returncode == 1
    assert "HTTP 401" in result.stderr and str(other / "api-token") in result.stderr
    _, audit = daemon.get("/v1/audit")
    assert audit["records"] == [], "a refused unlock writes nothing"
