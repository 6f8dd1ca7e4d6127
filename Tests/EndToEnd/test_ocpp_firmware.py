"""UpdateFirmware and GetDiagnostics end to end against the Python central system and a local HTTP server
(docs/ocpp.md, "Firmware and diagnostics")."""
import io
import tarfile
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ocpp.v16 import call

from central_system import CentralSystem
from conftest import free_port
from test_ocpp_operations import operations_site, restarted, start
from test_simulated_hardware import eventually

FIRMWARE = b"#!/bin/sh\necho edge-agent firmware 2.0\n" * 100


class FileServer:
    """Serves /firmware.bin, refuses /missing.bin (404), keeps PUT/POST bodies under /upload/, answers 500 under
    /broken/. Records every request as (method, path)."""

    def __init__(self):
        self.requests = []
        self.uploads = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append(("GET", self.path))
                if self.path == "/firmware.bin":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(FIRMWARE)))
                    self.end_headers()
                    self.wfile.write(FIRMWARE)
                else:
                    self.send_error(404)

            def _upload(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                server.requests.append((self.command, self.path))
                if self.path.startswith("/upload/"):
                    server.uploads[self.path] = body
                    self.send_response(201)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self.send_error(500)

            do_PUT = _upload
            do_POST = _upload

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def files():
    server = FileServer()
    yield server
    server.stop()


@pytest.fixture
def central():
    system = CentralSystem(free_port()).start()
    yield system
    system.stop()


def now_iso(offset=0):
    return (datetime.now(timezone.utc) + timedelta(seconds=offset)).isoformat(timespec="seconds").replace("+00:00", "Z")


def firmware_statuses(central):
    return [c.payload["status"] for c in central.calls("FirmwareStatusNotification")]


def diagnostics_statuses(central):
    return [c.payload["status"] for c in central.calls("DiagnosticsStatusNotification")]


def installer(tmp_path, exit_status=0):
    """An install command that copies the file it is given next to the test, then exits with `exit_status`."""
    script = tmp_path / "install.sh"
    script.write_text(f"#!/bin/sh\ncp \"$1\" {tmp_path}/installed.bin\nexit {exit_status}\n")
    script.chmod(0o755)
    return str(script)


def test_firmware_is_downloaded_installed_and_reported_installed_after_the_restart(daemon_factory, central, files, tmp_path):
    config = operations_site(tmp_path, central, firmwareInstallCommand=installer(tmp_path))
    daemon = start(daemon_factory, config, central)
    boots = len(central.calls("BootNotification"))
    central.call(call.UpdateFirmware(location=f"{files.url}/firmware.bin", retrieve_date=now_iso(), retries=2, retry_interval=1))
    restarted(daemon, central, boots)
    central.wait_for(lambda: "Installed" in firmware_statuses(central), what="Installed after the restart")
    assert firmware_statuses(central) == ["Downloading", "Downloaded", "Installing", "Installed"]
    assert (tmp_path / "installed.bin").read_bytes() == FIRMWARE
    # Reported once: a second restart reports nothing more.
    boots = len(central.calls("BootNotification"))
    assert central.call(call.Reset(type="Soft")).status == "Accepted"
    restarted(daemon, central, boots)
    assert central.call(call.TriggerMessage(requested_message="FirmwareStatusNotification")).status == "Accepted"
    central.wait_for(lambda: len(firmware_statuses(central)) == 5, what="the triggered status")
    assert firmware_statuses(central)[-1] == "Idle"


def test_a_failing_download_is_retried_then_reported(daemon_factory, central, files, tmp_path):
    daemon = start(daemon_factory, operations_site(tmp_path, central, firmwareInstallCommand=installer(tmp_path)), central)
    central.call(call.UpdateFirmware(location=f"{files.url}/missing.bin", retrieve_date=now_iso(), retries=3, retry_interval=1))
    central.wait_for(lambda: "DownloadFailed" in firmware_statuses(central), timeout=20, what="DownloadFailed")
    assert firmware_statuses(central) == ["Downloading", "DownloadFailed"]
    assert [r for r in files.requests if r == ("GET", "/missing.bin")] == [("GET", "/missing.bin")] * 3
    assert not (tmp_path / "installed.bin").exists()
    assert "404" in daemon.output()


def test_a_failing_install_is_reported_without_a_restart(daemon_factory, central, files, tmp_path):
    daemon = start(daemon_factory, operations_site(tmp_path, central, firmwareInstallCommand=installer(tmp_path, 1)), central)
    boots = len(central.calls("BootNotification"))
    central.call(call.UpdateFirmware(location=f"{files.url}/firmware.bin", retrieve_date=now_iso()))
    central.wait_for(lambda: "InstallationFailed" in firmware_statuses(central), what="InstallationFailed")
    assert firmware_statuses(central) == ["Downloading", "Downloaded", "Installing", "InstallationFailed"]
    assert len(central.calls("BootNotification")) == boots and daemon.process.poll() is None


def test_ftp_is_refused_clearly(daemon_factory, central, tmp_path):
    daemon = start(daemon_factory, operations_site(tmp_path, central), central)
    central.call(call.UpdateFirmware(location="ftp://example.com/firmware.bin", retrieve_date=now_iso()))
    central.wait_for(lambda: "DownloadFailed" in firmware_statuses(central), what="DownloadFailed")
    assert "only http:// and https://" in daemon.output()


def test_diagnostics_are_bundled_and_uploaded(daemon_factory, central, files, tmp_path):
    daemon = start(daemon_factory, operations_site(tmp_path, central), central)
    result = central.call(call.GetDiagnostics(
        location=f"{files.url}/upload/", start_time=now_iso(-3600), stop_time=now_iso(3600), retries=2, retry_interval=1))
    assert result.file_name and result.file_name.endswith(".tar.gz")
    central.wait_for(lambda: "Uploaded" in diagnostics_statuses(central), what="Uploaded")
    assert diagnostics_statuses(central) == ["Uploading", "Uploaded"]
    body = files.uploads[f"/upload/{result.file_name}"]
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        names = {name.lstrip("./") for name in archive.getnames()}
        assert {"edge-agent.log", "edge-agent.sqlite", "manifest.json"} <= names, names
        log = archive.extractfile(next(m for m in archive.getmembers() if m.name.endswith("edge-agent.log"))).read().decode()
        assert "registration accepted" in log
        store = archive.extractfile(next(m for m in archive.getmembers() if m.name.endswith("edge-agent.sqlite"))).read()
        assert store.startswith(b"SQLite format 3")
    assert daemon.process.poll() is None


def test_a_failing_upload_is_retried_then_reported(daemon_factory, central, files, tmp_path):
    start(daemon_factory, operations_site(tmp_path, central, diagnosticsUploadMethod="POST"), central)
    result = central.call(call.GetDiagnostics(location=f"{files.url}/broken/diagnostics.tar.gz", retries=2, retry_interval=1))
    assert result.file_name
    central.wait_for(lambda: "UploadFailed" in diagnostics_statuses(central), timeout=20, what="UploadFailed")
    assert diagnostics_statuses(central) == ["Uploading", "UploadFailed"]
    assert files.requests == [("POST", "/broken/diagnostics.tar.gz")] * 2


def test_an_update_a_restart_interrupts_before_its_install_starts_over(daemon_factory, central, files, tmp_path):
    daemon = start(daemon_factory, operations_site(tmp_path, central, firmwareInstallCommand=installer(tmp_path)), central)
    central.call(call.UpdateFirmware(location=f"{files.url}/firmware.bin", retrieve_date=now_iso(4), retries=1))
    boots = len(central.calls("BootNotification"))
    assert central.call(call.Reset(type="Soft")).status == "Accepted"  # before retrieveDate
    restarted(daemon, central, boots)
    central.wait_for(lambda: "Installed" in firmware_statuses(central), timeout=40, what="Installed after two restarts")
    assert firmware_statuses(central) == ["Downloading", "Downloaded", "Installing", "Installed"]
    assert (tmp_path / "installed.bin").read_bytes() == FIRMWARE
