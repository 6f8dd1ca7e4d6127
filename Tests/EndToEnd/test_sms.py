"""SMS sessions end to end (docs/sms.md): the simulated site with the simulated GSM modem on a pseudo-terminal, which
the daemon's real serial transport drives with AT commands; texts injected and read through the local API; the
keypad through the simulated reader; the HTTP gateway webhook; the relay through the Python central system."""
import hashlib
import hmac
import http.server
import json
import os
import re
import select
import shutil
import subprocess
import threading
import time
import urllib.request

import pytest

from central_system import CentralSystem
from conftest import BIN, free_port
from test_sessions import door, occupy, session_site, start_daemon, status_of, wait_status
from test_simulated_hardware import compartment, eventually, post

DRIVER = "+491701234567"
STRANGER = "+491709876543"
OPERATOR = "+4915199999999"
BLOCKED = "+4917099999999"

SMS_BLOCK = """sms:
  shortCode: "+4915100000000"
  countryCode: "49"
  acceptAnyMobileSender: true
  blockList: ["{blocked}"]
  keypadLockout: {{freeAttempts: 2, lockoutSeconds: 2}}
  rateLimits: {{perSenderBurst: 4, perSenderRefillSeconds: 600}}
  alerts: {{numbers: ["{operator}"], minimumIntervalSeconds: 60, uplinkDownAfterSeconds: {uplink_down}}}
  transports:
    - kind: simulated-modem
      commandTimeoutSeconds: 1
      probeIntervalSeconds: 1
      reopenDelaySeconds: 0.5
{extra}"""


@pytest.fixture
def central():
    system = CentralSystem(free_port()).start()
    yield system
    system.stop()


def sms_site(tmp_path, central, extra="", transports_extra="", uplink_down=600, **sessions):
    path = session_site(tmp_path, central, **sessions)
    text = path.read_text()
    block = SMS_BLOCK.format(blocked=BLOCKED, operator=OPERATOR, extra=transports_extra, uplink_down=uplink_down) + extra
    text, count = re.subn(r"^sms:\n(  .*\n)+", block, text, flags=re.M)
    assert count == 1
    path.write_text(text)
    return path


def texts(daemon, sender, body):
    status, answer = post(daemon, "/v1/simulation/sms/inbound", {"from": sender, "text": body})
    assert status == 200, answer


def sent(daemon):
    status, answer = daemon.get("/v1/simulation/sms/sent")
    assert status == 200, answer
    return answer["messages"]


def reply_to(daemon, number, contains, after=0, timeout=20.0):
    """The first text the modem sent to `number` (after the first `after` texts) that contains `contains`."""
    found = []

    def check():
        found[:] = [m for m in sent(daemon)[after:] if m["to"] == number and contains in m["text"]]
        return bool(found)

    assert eventually(check, timeout), f"no SMS to {number} with {contains!r}; sent: {sent(daemon)}\n{daemon.output()[-3000:]}"
    return found[0]


def pin_of(message):
    return re.search(r"PIN: (\d{6})", message["text"]).group(1)


def keys(daemon, typed):
    assert post(daemon, "/v1/simulation/readers/front/keys", {"keys": typed})[0] == 200


def events(daemon, kind):
    return [e for e in daemon.get("/v1/events?limit=200")[1]["events"] if e["kind"] == kind]


def test_start_confirm_stop_by_sms_and_receipt(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, sms_site(tmp_path, central), central)
    occupy(daemon, "A1")
    texts(daemon, DRIVER, "Fach a-1")
    confirmation = reply_to(daemon, DRIVER, "PIN")
    assert confirmation["alphabet"] == "gsm7" and "lädt" in confirmation["text"]  # umlaut in the GSM alphabet, intact
    assert re.fullmatch(r"\d{6}", pin_of(confirmation))
    wait_status(daemon, "A1", "Charging")
    session = compartment(daemon, "A1")["session"]
    assert session["authorizationMethod"] == "sms"
    start = central.wait_for_calls("StartTransaction")[0].payload
    assert start["idTag"].startswith("SMS") and len(start["idTag"]) == 20 and "1701234567" not in start["idTag"]

    before = len(sent(daemon))
    texts(daemon, STRANGER, "A1")  # another sender: neither stops nor opens
    assert "belegt" in reply_to(daemon, STRANGER, "A1", after=before)["text"]
    texts(daemon, STRANGER, "stopp A1")
    assert "kein Ladevorgang" in reply_to(daemon, STRANGER, "kein", after=before)["text"]
    assert status_of(daemon, "A1") == "Charging" and compartment(daemon, "A1")["lock"] == "locked"
    texts(daemon, "Vodafone", "A1")  # alphanumeric: no answer
    texts(daemon, BLOCKED, "A1")  # block list: no answer
    texts(daemon, DRIVER, "stop A 1")
    receipt = reply_to(daemon, DRIVER, "Beleg")
    assert receipt["text"].startswith("Fach A1 ist offen.") and "kWh" in receipt["text"]
    wait_status(daemon, "A1", "Finishing")
    assert eventually(lambda: compartment(daemon, "A1")["lock"] == "unlocked")
    assert central.wait_for_calls("StopTransaction")[0].payload["reason"] == "Local"
    assert not [m for m in sent(daemon) if m["to"] in ("Vodafone", BLOCKED)]
    # The status lists recent texts with the numbers masked and no text (the confirmation held the PIN).
    _, status = daemon.get("/v1/sms/status")
    recent = status["recent"]
    assert {"inbound", "outbound"} <= {m["direction"] for m in recent}
    assert "+49********67" in {m["number"] for m in recent}
    assert DRIVER not in json.dumps(status) and all("text" not in m for m in recent)


def test_busy_unknown_and_door_not_closed_get_specific_replies(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, sms_site(tmp_path, central), central)
    texts(daemon, DRIVER, "Z9")
    assert "gibt es hier nicht" in reply_to(daemon, DRIVER, "Z9")["text"]
    texts(daemon, DRIVER, "charge A3")  # English keyword, English answer; the door is not closed on anything yet
    assert "close the door first" in reply_to(daemon, DRIVER, "A3")["text"]
    occupy(daemon, "A3")
    texts(daemon, DRIVER, "A3")
    reply_to(daemon, DRIVER, "PIN")
    wait_status(daemon, "A3", "Charging")
    texts(daemon, STRANGER, "start A3")
    assert "belegt" in reply_to(daemon, STRANGER, "A3")["text"]

    chatty = "+491705555555"
    for _ in range(6):
        texts(daemon, chatty, "hilfe")
    assert "Zu viele Nachrichten" in reply_to(daemon, chatty, "Zu viele")["text"]
    assert eventually(lambda: len([m for m in sent(daemon) if m["to"] == chatty]) == 5)
    time.sleep(0.5)  # a negative check: the sixth text gets no answer at all
    assert len([m for m in sent(daemon) if m["to"] == chatty]) == 5


def test_receipt_pin_at_the_keypad_with_wrong_pin_lockout(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, sms_site(tmp_path, central), central)
    occupy(daemon, "A2")
    texts(daemon, DRIVER, "charge A2")
    pin = pin_of(reply_to(daemon, DRIVER, "Your PIN"))
    wait_status(daemon, "A2", "Charging")
    wrong = f"{(int(pin) + 1) % 1000000:06d}"
    keys(daemon, wrong + "#")
    assert eventually(lambda: len(events(daemon, "receiptPIN")) == 1)
    keys(daemon, wrong + "#")  # the second wrong PIN locks the keypad
    assert eventually(lambda: len(events(daemon, "receiptPIN")) == 2)
    keys(daemon, pin + "#")  # the right PIN during the lock is not even checked
    assert eventually(lambda: any(e["detail"] == "lockedOut" for e in events(daemon, "receiptPIN")))
    assert status_of(daemon, "A2") == "Charging"

    def try_pin():
        keys(daemon, pin + "#")
        return eventually(lambda: any(e["detail"] == "accepted" for e in events(daemon, "receiptPIN")), 1.0)

    assert eventually(try_pin, 15.0)
    wait_status(daemon, "A2", "Finishing")
    assert eventually(lambda: compartment(daemon, "A2")["lock"] == "unlocked")
    reply_to(daemon, DRIVER, "Receipt")
    audit = [r for r in daemon.get("/v1/audit?limit=50")[1]["records"] if r["action"] == "receiptPIN"]
    assert {"wrong receipt PIN", "receipt PIN accepted: the session's owner ends it at the keypad"} <= {r["reason"] for r in audit}
    assert any("locked" in r["reason"] for r in audit)
    assert not any(pin in json.dumps(r) or wrong in json.dumps(r) for r in audit)
    keys(daemon, pin + "#")  # the session is over: its PIN opens nothing any more
    assert eventually(lambda: events(daemon, "receiptPIN")[0]["detail"] == "wrongPIN")


def test_charge_complete_and_operator_alerts(daemon_factory, central, tmp_path):
    # The simulated meter draws the compartment's 500 W: below 1000 W for a second is "complete".
    site = sms_site(tmp_path, central, uplink_down=1, chargeCompleteBelowWatts=1000, chargeCompleteAfterSeconds=1)
    daemon = start_daemon(daemon_factory, site, central)
    occupy(daemon, "A4")
    texts(daemon, DRIVER, "laden A4")
    reply_to(daemon, DRIVER, "PIN")
    assert "Laden abgeschlossen" in reply_to(daemon, DRIVER, "abgeschlossen", timeout=30.0)["text"]
    assert post(daemon, "/v1/simulation/compartments/A4/door", {"state": "open"})[0] == 200  # forced: it is locked
    alert = reply_to(daemon, OPERATOR, "ALARM")
    assert alert["text"] == "[SIM-LOCKER-01] ALARM: Tür von Fach A4 ohne Freigabe geöffnet."
    central.stop()  # the uplink goes down: after alerts.uplinkDownAfterSeconds the operator hears of it
    assert "Zentralsystem" in reply_to(daemon, OPERATOR, "unterbrochen")["text"]


def test_authorized_like_a_card_by_the_central_system(daemon_factory, central, tmp_path):
    """Without acceptAnyMobileSender the sender's idTag (here plain digits) goes through Authorize like a card."""
    site = sms_site(tmp_path, central)
    site.write_text(site.read_text().replace("  acceptAnyMobileSender: true\n", "  idTag: {rule: plain-digits}\n"))
    central.id_tags[DRIVER[1:]] = {"status": "Accepted"}
    daemon = start_daemon(daemon_factory, site, central)
    occupy(daemon, "A5")
    texts(daemon, STRANGER, "A5")
    assert "nicht freigegeben" in reply_to(daemon, STRANGER, "A5")["text"]
    assert status_of(daemon, "A5") == "Preparing"
    texts(daemon, DRIVER, "A5")
    reply_to(daemon, DRIVER, "PIN")
    wait_status(daemon, "A5", "Charging")
    assert {c.payload["idTag"] for c in central.calls("Authorize")} == {DRIVER[1:], STRANGER[1:]}
    assert central.wait_for_calls("StartTransaction")[0].payload["idTag"] == DRIVER[1:]


def test_an_sms_session_and_its_pin_survive_a_crash(daemon_factory, central, tmp_path):
    site = sms_site(tmp_path, central)
    daemon = start_daemon(daemon_factory, site, central)
    occupy(daemon, "B2")
    texts(daemon, DRIVER, "B2")
    pin = pin_of(reply_to(daemon, DRIVER, "PIN"))
    wait_status(daemon, "B2", "Charging")
    daemon.kill()
    daemon = daemon_factory("state", extra_args=["--config", str(site)]).start()
    central.wait_for_calls("BootNotification", count=2)
    wait_status(daemon, "B2", "Charging")
    keys(daemon, pin + "#")
    wait_status(daemon, "B2", "Finishing")
    assert "Beleg" in reply_to(daemon, DRIVER, "Fach B2 ist offen")["text"]


LONG_RECEIPT = ("Fach {compartment} ist offen – Dauer {duration}, {energy}, Betrag {amount}, Beleg {reference}. "
                "Vielen Dank für Ihren Besuch! Öffnungszeiten, Preise und Hilfe finden Sie am Aushang neben dem Schließfach. "
                "Grüße vom Betreiberteam: ÄÖÜ äöü ß.")


def test_umlauts_and_a_long_receipt_arrive_intact(daemon_factory, central, tmp_path):
    extra = "  templates:\n    de:\n      receipt: " + json.dumps(LONG_RECEIPT, ensure_ascii=False) + "\n"
    daemon = start_daemon(daemon_factory, sms_site(tmp_path, central, extra=extra), central)
    occupy(daemon, "B1")
    texts(daemon, DRIVER, "Schließfach B1")
    reply_to(daemon, DRIVER, "PIN")
    wait_status(daemon, "B1", "Charging")
    texts(daemon, DRIVER, "beenden B1")
    receipt = reply_to(daemon, DRIVER, "Betreiberteam")
    assert receipt["alphabet"] == "ucs2" and receipt["parts"] >= 3  # the dash needs UCS-2: 67 characters a part
    pattern = re.escape(LONG_RECEIPT).replace(r"\{duration\}", ".+").replace(r"\{energy\}", r"\d+,\d\d\ kWh") \
        .replace(r"\{amount\}", r"\d+,\d\d\ EUR").replace(r"\{reference\}", r"\w+").replace(r"\{compartment\}", "B1")
    assert re.fullmatch(pattern, receipt["text"]), receipt["text"]


def test_a_modem_that_stops_answering_recovers(daemon_factory, central, tmp_path):
    daemon = start_daemon(daemon_factory, sms_site(tmp_path, central), central)
    assert eventually(lambda: daemon.get("/v1/sms/status")[1]["modems"][0]["state"] == "ready")
    assert post(daemon, "/v1/simulation/sms/modem", {"answering": False})[0] == 200
    assert eventually(lambda: daemon.get("/v1/sms/status")[1]["modems"][0]["state"] == "recovering", 15.0)
    texts(daemon, DRIVER, "hilfe")  # stored on the SIM while the modem hangs, read after the restart
    assert post(daemon, "/v1/simulation/sms/modem", {"answering": True})[0] == 200
    assert eventually(lambda: daemon.get("/v1/sms/status")[1]["modems"][0]["state"] == "ready", 15.0)
    assert daemon.get("/v1/sms/status")[1]["modems"][0]["recoveries"] >= 1
    reply_to(daemon, DRIVER, "Namen des Fachs")
    assert "GSM-Modem" in reply_to(daemon, OPERATOR, "gestört")["text"]


class _Gateway(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append((self.headers.get("Authorization"), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_gateway_webhook_needs_a_valid_signature(daemon_factory, central, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = "webhook-secret-0123456789"
    (tmp_path / "secret").write_text(secret + "\n")
    (tmp_path / "gateway-token").write_text("gw-token\n")
    gateway = (f"    - kind: http-gateway\n      url: http://127.0.0.1:{server.server_port}/send\n"
               f"      tokenFile: {tmp_path / 'gateway-token'}\n      secretFile: {tmp_path / 'secret'}\n")
    daemon = start_daemon(daemon_factory, sms_site(tmp_path, central, transports_extra=gateway), central)
    body = json.dumps({"from": DRIVER, "text": "help"}).encode()

    def webhook(signature):
        request = urllib.request.Request(f"http://127.0.0.1:{daemon.port}/v1/sms/inbound", data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        if signature is not None:
            request.add_header("X-Signature", signature)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert webhook(None) == 401
    assert webhook("0" * 64) == 401
    assert webhook(hmac.new(b"wrong", body, hashlib.sha256).hexdigest()) == 401
    time.sleep(0.5)  # a negative check: nothing may have been answered
    assert _Gateway.received == [] and sent(daemon) == []
    assert webhook(hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()) == 200
    assert eventually(lambda: any(r[1]["to"] == DRIVER and "Charge:" in r[1]["text"] for r in _Gateway.received))
    assert _Gateway.received[0][0] == "Bearer gw-token"
    server.shutdown()


def test_sms_relayed_through_the_central_system(daemon_factory, central, tmp_path):
    relay = "    - kind: central-system\n"
    daemon = start_daemon(daemon_factory, sms_site(tmp_path, central, transports_extra=relay), central)
    from ocpp.v16 import call
    result = central.call(call.DataTransfer(vendor_id="EdgeAgent", message_id="SMS.Inbound",
                                            data=json.dumps({"from": DRIVER, "text": "STATUS"})))
    assert result.status == "Accepted"
    frame = central.wait_for(lambda: next((c for c in central.calls("DataTransfer")
                                           if c.payload.get("messageId") == "SMS.Outbound"), None), what="SMS.Outbound")
    data = json.loads(frame.payload["data"])
    assert frame.payload["vendorId"] == "EdgeAgent" and data["to"] == DRIVER and "kein Ladevorgang" in data["text"]
    assert sent(daemon) == []  # answered the way it came in, not through the modem


@pytest.mark.skipif(shutil.which("socat") is None, reason="socat is not installed (make installs it)")
def test_standalone_simulated_modem_on_a_socat_pair(daemon_factory, central, tmp_path):
    """`edge-agent simulate-modem` on one end of a socat pair, the daemon's `kind: modem` transport on the other."""
    modem_end, daemon_end = tmp_path / "modem", tmp_path / "ttyGSM"
    socat = subprocess.Popen(["socat", f"pty,raw,echo=0,link={modem_end}", f"pty,raw,echo=0,link={daemon_end}"])
    simulator = None
    try:
        assert eventually(lambda: modem_end.exists() and daemon_end.exists())
        simulator = subprocess.Popen([BIN, "simulate-modem", "--link", str(modem_end)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        site = sms_site(tmp_path, central)
        site.write_text(site.read_text().replace("    - kind: simulated-modem\n",
                                                 f"    - kind: modem\n      device: {daemon_end}\n"))
        daemon = start_daemon(daemon_factory, site, central)
        assert eventually(lambda: daemon.get("/v1/sms/status")[1]["modems"][0]["state"] == "ready")
        simulator.stdin.write(f"{DRIVER}: HELP\n")
        simulator.stdin.flush()
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and not line:
            ready, _, _ = select.select([simulator.stdout], [], [], 0.5)
            if ready:
                line = simulator.stdout.readline()
        message = json.loads(line)
        assert message["to"] == DRIVER and message["text"].startswith("Charge: text the locker's name")
    finally:
        if simulator:
            simulator.kill()
            simulator.wait()
        socat.kill()
        socat.wait()


def test_a_compartment_reserved_for_someone_else_is_busy_to_an_sms(daemon_factory, central, tmp_path):
    from test_ocpp_reservations import reserve
    daemon = start_daemon(daemon_factory, sms_site(tmp_path, central), central)
    assert reserve(central, 2, 31, id_tag="HOLDER-CARD") == "Accepted"
    wait_status(daemon, "A2", "Reserved")
    texts(daemon, DRIVER, "charge A2")
    reply_to(daemon, DRIVER, "in use")
    # Someone shut things in anyway: the door waits, but the reservation is not the texter's.
    occupy(daemon, "A2")
    before = len(sent(daemon))
    texts(daemon, DRIVER, "charge A2")
    reply_to(daemon, DRIVER, "in use", after=before)
    assert status_of(daemon, "A2") == "Preparing" and central.calls("StartTransaction") == []
