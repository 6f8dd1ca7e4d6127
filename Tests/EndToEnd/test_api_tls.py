"""Where the local API may listen (docs/local-api.md, "Listening beyond loopback"): HTTPS with a self-signed
certificate made by openssl, the command line over it, and check-config refusing plain HTTP on a non-loopback
address unless the site file says a reverse proxy terminates TLS."""
import json
import re
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import BOARDS, free_port, run_cli


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "api-cert.pem", folder / "api-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=edge-agent-test",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def site_with_api(tmp_path, api_block):
    """The simulated site (own Modbus port, no central system) with an `api:` block."""
    text = (BOARDS / "simulator" / "site.yaml").read_text()
    text = text.replace("buses: []", f"buses: [{{name: sim-modbus, tcp: {{host: 127.0.0.1, port: {free_port()}}}}}]")
    start = text.index("centralSystem:")
    end = text.index("\n\n", start)
    text = text[:start] + text[end + 2:]
    # The simulated site's own `api:` block is replaced by this one.
    text, count = re.subn(r"^api:\n(  .*\n)+", "api:\n" + "".join(f"  {line}\n" for line in api_block), text, flags=re.M)
    assert count == 1
    path = tmp_path / "site.yaml"
    path.write_text(text)
    return path


def https_get(port, path, token, cafile, timeout=5):
    context = ssl.create_default_context(cafile=str(cafile))
    request = urllib.request.Request(f"https://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_api_serves_https_with_a_self_signed_certificate(daemon_factory, certificate, tmp_path):
    cert, key = certificate
    config = site_with_api(tmp_path, [f"tls: {{certificate: {cert}, privateKey: {key}}}"])
    daemon = daemon_factory(extra_args=["--config", str(config)]).start(wait=False)
    deadline = time.monotonic() + 20
    while True:
        assert daemon.process.poll() is None, daemon.output()
        try:
            if https_get(daemon.port, "/v1/health", daemon.token, cert)[0] == 200:
                break
        except (OSError, urllib.error.URLError):
            assert time.monotonic() < deadline, daemon.output()
            time.sleep(0.1)
    status, body = https_get(daemon.port, "/v1/status", daemon.token, cert)
    assert status == 200 and len(body["compartments"]) == 12
    assert https_get(daemon.port, "/v1/status", "wrong", cert)[0] == 401

    # Plain HTTP on the TLS port gets no API answer.
    with pytest.raises((OSError, urllib.error.URLError)):
        urllib.request.urlopen(f"http://127.0.0.1:{daemon.port}/v1/health", timeout=5).read()

    # The command line reads the same site file and talks HTTPS, trusting exactly that certificate.
    args = ["--config", str(config), "--state-dir", str(daemon.state_dir), "--api-listen", f"127.0.0.1:{daemon.port}"]
    result = run_cli("status", "--json", *args)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["station"]["simulated"] is True
    unlock = run_cli("unlock", "A4", "--reason", "tls test", *args)
    assert unlock.returncode == 0, unlock.stderr
    assert "A4" in unlock.stdout and "unlocked" in unlock.stdout


def check_config(config):
    return run_cli("check-config", "--config", str(config))


def test_check_config_refuses_plain_http_beyond_loopback(tmp_path, certificate):
    refused = check_config(site_with_api(tmp_path, ["listen: 0.0.0.0:8080"]))
    assert refused.returncode == 78, refused.stdout + refused.stderr
    assert "api.listen" in refused.stderr and "0.0.0.0:8080 is reachable from the network" in refused.stderr
    assert "behindReverseProxy: true" in refused.stderr and "tls:" in refused.stderr

    behind_proxy = check_config(site_with_api(tmp_path, ["listen: 0.0.0.0:8080", "behindReverseProxy: true"]))
    assert behind_proxy.returncode == 0, behind_proxy.stderr

    cert, key = certificate
    with_tls = check_config(site_with_api(tmp_path, ["listen: 0.0.0.0:8443", f"tls: {{certificate: {cert}, privateKey: {key}}}"]))
    assert with_tls.returncode == 0, with_tls.stderr

    missing = check_config(site_with_api(tmp_path, ["listen: 0.0.0.0:8443",
                                                    f"tls: {{certificate: {tmp_path}/nope.pem, privateKey: {key}}}"]))
    assert missing.returncode == 78
    assert f"api.tls.certificate: {tmp_path}/nope.pem does not exist" in missing.stderr

    loopback = check_config(site_with_api(tmp_path, ["listen: 127.0.0.1:8080"]))
    assert loopback.returncode == 0, loopback.stderr


def test_a_file_that_is_not_a_certificate_stops_the_daemon_with_a_clear_message(daemon_factory, certificate, tmp_path):
    _, key = certificate
    config = site_with_api(tmp_path, [f"tls: {{certificate: {key}, privateKey: {key}}}"])
    daemon = daemon_factory(extra_args=["--config", str(config)]).start(wait=False)
    assert daemon.process.wait(timeout=20) != 0
    assert f"the local API's TLS file {key} cannot be used" in daemon.output()
