"""Shared fixtures: run the real edge-agent binary as a user would, on free loopback ports."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BIN = os.environ.get("EDGE_AGENT_BIN", str(Path(__file__).resolve().parents[2] / ".build/debug/edge-agent"))
BROKEN_CONFIGS = Path(__file__).resolve().parent / "broken-configs"
BOARDS = Path(__file__).resolve().parents[2] / "boards"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """One edge-agent process with its own state folder and API port."""

    def __init__(self, state_dir: Path, extra_args=(), env=None, cwd=None):
        self.state_dir = state_dir
        self.port = free_port()
        self.args = [BIN, "run", "--state-dir", str(state_dir), "--api-listen", f"127.0.0.1:{self.port}", *extra_args]
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd
        self.process = None
        self.log_path = state_dir.parent / f"{state_dir.name}-daemon.log"

    def start(self, wait=True):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"daemon exited with {self.process.returncode}:\n{self.output()}")
            try:
                status, _ = self.get("/v1/health")
                if status == 200:
                    return
            except (OSError, urllib.error.URLError, FileNotFoundError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"daemon not ready within {timeout}s:\n{self.output()}")

    @property
    def token(self) -> str:
        return (self.state_dir / "api-token").read_text().strip()

    def get(self, path, token=None, use_token=True):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        if use_token:
            request.add_header("Authorization", f"Bearer {token if token is not None else self.token}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def terminate(self, sig=signal.SIGTERM, timeout=10.0) -> tuple[int, float]:
        started = time.monotonic()
        self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        return code, time.monotonic() - started

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()


@pytest.fixture
def daemon_factory(tmp_path):
    daemons = []

    def make(name="state", **kwargs):
        daemon = Daemon(tmp_path / name, **kwargs)
        daemons.append(daemon)
        return daemon

    yield make
    for daemon in daemons:
        daemon.stop()


def run_cli(*args, cwd=None, timeout=30):
    return subprocess.run([BIN, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)
