"""Issue 5's offline test: transactions start and stop while the central system is down, the daemon is killed with
SIGKILL in the middle, and when everything is back the central system has every StartTransaction, MeterValues and
StopTransaction exactly once, in order, with its own transaction ids and the original timestamps."""
from datetime import datetime, timezone

from ocpp.v16 import call

from central_system import CentralSystem
from conftest import free_port
from test_simulated_hardware import compartment, eventually
from test_sessions import OWNER, card, occupy, session_site, start_daemon, wait_status

SECOND_DRIVER = "04D1D2D3"


def uplink(daemon):
    return daemon.get("/v1/status")[1]["uplink"]


def parse(timestamp):
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def test_transactions_while_offline_survive_a_sigkill_and_arrive_once_in_order(daemon_factory, tmp_path):
    port = free_port()
    first = CentralSystem(port).start()
    config = session_site(tmp_path, first)
    daemon = start_daemon(daemon_factory, config, first)
    # The cards the site must accept while it cannot ask: the local list, sent while online.
    entries = [{"idTag": tag, "idTagInfo": {"status": "Accepted"}} for tag in (OWNER, SECOND_DRIVER)]
    assert first.call(call.SendLocalList(list_version=1, update_type="Full", local_authorization_list=entries)).status \
        == "Accepted"
    first.stop()
    assert eventually(lambda: uplink(daemon)["state"] == "offline", 20), uplink(daemon)

    # Offline: a whole session on A1, and a session on A2 that is still charging at the kill.
    occupy(daemon, "A1")
    card(daemon, OWNER)
    wait_status(daemon, "A1", "Charging")
    assert eventually(lambda: uplink(daemon)["queueDepth"] >= 3, 20), "StartTransaction and MeterValues queued"
    card(daemon, OWNER)
    wait_status(daemon, "A1", "Finishing")

    occupy(daemon, "A2")
    card(daemon, SECOND_DRIVER)
    wait_status(daemon, "A2", "Charging")
    depth_before_kill = uplink(daemon)["queueDepth"]
    assert eventually(lambda: uplink(daemon)["queueDepth"] > depth_before_kill, 20), "A2's MeterValues queued"

    daemon.kill()
    daemon.start()
    # The restart keeps the session: the door stays locked and A2 goes on charging, still offline.
    assert compartment(daemon, "A2")["lock"] == "locked"
    wait_status(daemon, "A2", "Charging")
    assert uplink(daemon)["state"] in ("connecting", "offline")
    depth_after_restart = uplink(daemon)["queueDepth"]
    assert eventually(lambda: uplink(daemon)["queueDepth"] > depth_after_restart, 20), "sampling resumed"
    card(daemon, SECOND_DRIVER)
    wait_status(daemon, "A2", "Finishing")
    back_online_at = datetime.now(timezone.utc)

    # The central system comes back on the same address; the queue drains.
    second = CentralSystem(port).start()
    try:
        assert eventually(lambda: uplink(daemon)["state"] == "connected" and uplink(daemon)["queueDepth"] == 0, 60), \
            uplink(daemon)
        starts = second.calls("StartTransaction")
        stops = second.calls("StopTransaction")
        meter_values = second.calls("MeterValues")
        assert [s.payload["connectorId"] for s in starts] == [1, 2], "each StartTransaction exactly once, in order"
        assert len(stops) == 2, "each StopTransaction exactly once"
        assert second.errors_sent() == []

        # The central system's ids, known only after the reconnect, are on everything queued before it.
        incoming = [c for c in second.calls() if c.action in ("StartTransaction", "MeterValues", "StopTransaction")]
        ids = {}
        for start, answer_id in zip(starts, (1001, 1002)):
            ids[start.payload["connectorId"]] = answer_id
        for connector, transaction_id in ids.items():
            order = [c.action for c in incoming
                     if c.payload.get("connectorId") == connector or c.payload.get("transactionId") == transaction_id]
            assert order[0] == "StartTransaction" and order[-1] == "StopTransaction", order
            assert order.count("StartTransaction") == 1 and order.count("StopTransaction") == 1, order
            assert "MeterValues" in order, order
            values = [m for m in meter_values if m.payload["connectorId"] == connector]
            assert values and all(m.payload["transactionId"] == transaction_id for m in values)
        assert {s.payload["transactionId"] for s in stops} == set(ids.values())

        # Original timestamps: everything happened before the central system came back, in order.
        stamps = [parse(c.payload["timestamp"]) if "timestamp" in c.payload
                  else parse(c.payload["meterValue"][0]["timestamp"]) for c in incoming]
        assert all(stamp < back_online_at for stamp in stamps), "queued messages keep their original times"
        assert stamps == sorted(stamps), "sent in the order they happened"
        assert stops[0].payload["reason"] == "Local" and stops[1].payload["reason"] == "Local"
    finally:
        second.stop()
