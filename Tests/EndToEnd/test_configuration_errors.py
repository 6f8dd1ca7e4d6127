"""A wrong site file gets every problem reported, a non-zero exit, and nothing starts."""
import socket
from pathlib import Path

import pytest

from conftest import BOARDS, BROKEN_CONFIGS, free_port, run_cli

BROKEN = sorted(BROKEN_CONFIGS.glob("*.yaml"))


def expected_message(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: <message>'"
    return first.removeprefix("# expect: ").strip()


def test_there_are_broken_configs_to_check():
    assert len(BROKEN) >= 8


@pytest.mark.parametrize("config", BROKEN, ids=[p.stem for p in BROKEN])
def test_check_config_reports_the_specific_problem(config):
    result = run_cli("check-config", "--config", str(config))
    assert result.returncode == 78, result.stdout + result.stderr
    assert expected_message(config) in result.stderr, result.stderr
    assert str(config) in result.stderr


@pytest.mark.parametrize("config", BROKEN, ids=[p.stem for p in BROKEN])
def test_the_daemon_refuses_to_start_on_it(config, tmp_path):
    port = free_port()
    state = tmp_path / "state"
    result = run_cli("run", "--config", str(config), "--state-dir", str(state), "--api-listen", f"127.0.0.1:{port}")
    assert result.returncode == 78
    assert expected_message(config) in result.stderr
    assert not state.exists(), "nothing may start on an invalid configuration"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("site", sorted(BOARDS.glob("*/site.yaml")), ids=lambda p: p.parent.name)
def test_every_shipped_site_file_is_valid(site):
    result = run_cli("check-config", "--config", str(site))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_the_embedded_site_is_valid():
    result = run_cli("check-config")
    assert result.returncode == 0, result.stderr
    assert "12 compartments" in result.stdout
