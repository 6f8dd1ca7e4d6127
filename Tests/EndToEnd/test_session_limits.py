"""The cost limit and the stale-meter warning on the simulated site (docs/configuration.md, `tariffs` and
"A stale meter during a session"), against the Python central system."""
import re

import pytest

from central_system import CentralSystem
from conftest import free_port
from test_sessions import OWNER, card, compartment, session_site, start_daemon, start_session, wait_status
from test_simulated_hardware import eventually, line, post


@pytest.fixture
def central():
    system = CentralSystem(free_port()).start()
    system.id_tags[OWNER] = {"status": "Accepted", "parentIdTag": "FAMILY"}
    system.id_tags["5AFF0001"] = {"status": "Accepted", "parentIdTag": "STAFF"}
    yield system
    system.stop()


def test_the_cost_limit_stops_charging_and_keeps_the_door_locked(daemon_factory, central, tmp_path):
    # The simulated site's tariff: 0.50 start + 1.00 per started hour: 1.50 as soon as charging starts.
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central, maxCost="1.50"), central)
    start_session(daemon, central, "A2")
    wait_status(daemon, "A2", "SuspendedEVSE")
    a2 = compartment(daemon, "A2")
    assert a2["relay"] == "off" and line(daemon, "RELAY2")["active"] is False
    assert a2["lock"] == "locked" and a2["session"]["state"] == "suspendedByLocker"
    assert central.calls("StopTransaction") == []
    card(daemon, OWNER)
    wait_status(daemon, "A2", "Finishing")
    assert central.wait_for_calls("StopTransaction")[0].payload["reason"] == "Local"
    ended = daemon.get("/v1/sessions?compartment=A2")[1]["sessions"][0]
    assert ended["amount"] == 1.5 and ended["currency"] == "EUR" and ended["tariff"] == "locker"

    # A staff card charges for free: the cost limit never stops it.
    start_session(daemon, central, "A3", id_tag="5AFF0001")
    assert compartment(daemon, "A3")["status"] == "Charging"
    card(daemon, "5AFF0001")
    wait_status(daemon, "A3", "Finishing")
    assert daemon.get("/v1/sessions?compartment=A3")[1]["sessions"][0]["amount"] == 0


def test_a_silent_meter_is_reported_as_stale_while_charging_goes_on(daemon_factory, central, tmp_path):
    config = session_site(tmp_path, central)
    text = config.read_text()
    # A meter is stale after 3 s without a good reading (polled every second).
    text = re.sub(r"controlIntervalSeconds: \d+", "controlIntervalSeconds: 1", text)
    text = re.sub(r"meterStaleAfterSeconds: \d+", "meterStaleAfterSeconds: 3", text)
    config.write_text(text)
    daemon = start_daemon(daemon_factory, config, central)
    start_session(daemon, central, "A4")
    assert post(daemon, "/v1/simulation/meters/14/fault", {"fault": "silent"})[0] == 200

    def stale_reported():
        return any(c.payload["connectorId"] == 4 and c.payload["status"] == "Charging"
                   and c.payload["errorCode"] == "OtherError" and c.payload.get("vendorErrorCode") == "METER_STALE"
                   for c in central.calls("StatusNotification"))
    central.wait_for(stale_reported, timeout=20, what="StatusNotification Charging METER_STALE")
    a4 = compartment(daemon, "A4")
    assert a4["status"] == "Charging" and a4["fault"] == "meterStale"
    assert a4["relay"] == "on" and line(daemon, "RELAY4")["active"] is True  # charging goes on

    assert post(daemon, "/v1/simulation/meters/14/fault", {"fault": None})[0] == 200
    assert eventually(lambda: compartment(daemon, "A4").get("fault") is None, timeout=20), compartment(daemon, "A4")
    central.wait_for(lambda: any(c.payload["connectorId"] == 4 and c.payload["status"] == "Charging"
                                 and c.payload["errorCode"] == "NoError"
                                 for c in central.calls("StatusNotification")[-5:]),
                     what="StatusNotification Charging NoError after the meter answers again")
    card(daemon, OWNER)
    wait_status(daemon, "A4", "Finishing")
