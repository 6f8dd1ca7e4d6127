"""Authorization against a real central system (the `ocpp` package): local list, cache, offline rules.

Decisions are triggered through the operator endpoint POST /v1/authorize, which runs the same
authorizer a session start runs and says where the answer came from.
"""
import json
import urllib.request

import pytest
from ocpp.v16 import call

from test_ocpp_uplink import SIMULATED_CONNECTORS, central_factory, uplink_daemon, wait_for_state  # noqa: F401 (fixture)


def authorize(daemon, id_tag):
    request = urllib.request.Request(
        f"http://127.0.0.1:{daemon.port}/v1/authorize", method="POST", data=json.dumps({"idTag": id_tag}).encode(),
        headers={"Authorization": f"Bearer {daemon.token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return json.loads(response.read())


def entry(id_tag, status="Accepted", **extra):
    return {"idTag": id_tag, "idTagInfo": {"status": status, **extra}}


def connected(daemon_factory, central, boots=1):
    daemon = uplink_daemon(daemon_factory, central.port).start()
    central.wait_for_calls("StatusNotification", count=boots * len(SIMULATED_CONNECTORS))
    wait_for_state(daemon, "connected")
    return daemon


def list_version(central):
    return central.call(call.GetLocalListVersion()).list_version


def send_list(central, version, update_type, entries):
    return central.call(call.SendLocalList(
        list_version=version, update_type=update_type, local_authorization_list=entries)).status


def test_local_list_full_differential_version_mismatch_limits_and_restart(daemon_factory, central_factory):
    central = central_factory().start()
    daemon = connected(daemon_factory, central)
    # This test is about the list: unknown cards are refused offline whatever the site file's ocppDefaults say.
    assert central.call(call.ChangeConfiguration(key="AllowOfflineTxForUnknownId", value="false")).status == "Accepted"
    assert list_version(central) == 0

    assert send_list(central, 1, "Full", [entry("CARD1", parentIdTag="FLEET"), entry("CARD2"), entry("CARD3", "Blocked")]) == "Accepted"
    assert list_version(central) == 1
    assert send_list(central, 2, "Differential", [{"idTag": "CARD2"}, entry("CARD4")]) == "Accepted"
    assert list_version(central) == 2
    # A differential update must name a newer version; nothing of a refused update is applied.
    assert send_list(central, 2, "Differential", [entry("CARD5")]) == "VersionMismatch"
    assert send_list(central, 1, "Differential", [entry("CARD5")]) == "VersionMismatch"
    # SendLocalListMaxLength is 5000.
    too_many = [entry(f"T{index:06d}") for index in range(5001)]
    assert send_list(central, 3, "Full", too_many) == "Failed"
    assert list_version(central) == 2
    assert central.errors_sent() == []

    daemon.terminate()
    central.stop()
    # Offline after the restart: the stored list decides.
    offline = uplink_daemon(daemon_factory, central.port).start()
    wait_for_state(offline, "offline")
    assert authorize(offline, "CARD1") == {
        "idTag": "CARD1", "accepted": True, "status": "Accepted", "source": "localList", "parentIdTag": "FLEET",
        "reason": "offline; Accepted in the local list (LocalAuthorizeOffline is on)", "askedCentralSystem": False}
    assert authorize(offline, "card4")["accepted"] is True  # idTags compare case-insensitively
    assert authorize(offline, "CARD2")["source"] == "offlinePolicy"  # removed by the differential update
    assert authorize(offline, "CARD5")["accepted"] is False  # never applied
    offline.terminate()

    revived = central_factory(port=central.port).start()
    connected(daemon_factory, revived)
    assert list_version(revived) == 2


def test_online_the_central_system_decides_and_its_answers_fill_the_cache(daemon_factory, central_factory):
    central = central_factory().start()
    central.id_tags = {"CENTRAL1": {"status": "Accepted", "parentIdTag": "FLEET"}, "BLOCKED1": {"status": "Blocked"}}
    daemon = connected(daemon_factory, central)
    answer = authorize(daemon, "CENTRAL1")
    assert (answer["accepted"], answer["source"], answer["parentIdTag"], answer["askedCentralSystem"]) == (
        True, "centralSystem", "FLEET", True)
    assert authorize(daemon, "BLOCKED1")[("status")] == "Blocked"
    assert authorize(daemon, "NOBODY")["status"] == "Invalid"
    assert [c.payload["idTag"] for c in central.calls("Authorize")] == ["CENTRAL1", "BLOCKED1", "NOBODY"]

    # With LocalPreAuthorize the cached Accepted answer decides at once; ClearCache makes it ask again.
    assert central.call(call.ChangeConfiguration(key="LocalPreAuthorize", value="true")).status == "Accepted"
    cached = authorize(daemon, "CENTRAL1")
    assert (cached["accepted"], cached["source"]) == (True, "cache")
    assert len(central.calls("Authorize")) == 3
    assert central.call(call.ClearCache()).status == "Accepted"
    assert authorize(daemon, "CENTRAL1")["source"] == "centralSystem"
    assert len(central.calls("Authorize")) == 4

    assert central.call(call.ChangeConfiguration(key="AuthorizationCacheEnabled", value="false")).status == "Accepted"
    assert central.call(call.ClearCache()).status == "Rejected"
    assert central.errors_sent() == []


def test_offline_the_cache_keeps_what_the_central_system_said(daemon_factory, central_factory):
    central = central_factory().start()
    central.id_tags = {"CENTRAL1": {"status": "Accepted"}}
    daemon = connected(daemon_factory, central)
    assert authorize(daemon, "CENTRAL1")["source"] == "centralSystem"
    central.stop()
    wait_for_state(daemon, "offline")
    answer = authorize(daemon, "CENTRAL1")
    assert (answer["accepted"], answer["source"], answer["askedCentralSystem"]) == (True, "cache", False)


@pytest.mark.parametrize("allow_unknown", [False, True])
def test_offline_start_with_a_valid_an_invalid_and_an_unknown_id(daemon_factory, central_factory, allow_unknown):
    central = central_factory().start()
    daemon = connected(daemon_factory, central)
    assert send_list(central, 1, "Full", [entry("GOOD"), entry("BAD", "Blocked"), entry("OLD", "Accepted", expiryDate="2020-01-01T00:00:00Z")]) == "Accepted"
    value = "true" if allow_unknown else "false"
    assert central.call(call.ChangeConfiguration(key="AllowOfflineTxForUnknownId", value=value)).status == "Accepted"
    central.stop()
    wait_for_state(daemon, "offline")

    good = authorize(daemon, "GOOD")
    assert (good["accepted"], good["status"], good["source"]) == (True, "Accepted", "localList")
    bad = authorize(daemon, "BAD")
    assert (bad["accepted"], bad["status"], bad["source"]) == (False, "Blocked", "localList")
    old = authorize(daemon, "OLD")
    assert (old["accepted"], old["status"]) == (False, "Expired")
    unknown = authorize(daemon, "STRANGER")
    assert (unknown["accepted"], unknown["source"]) == (allow_unknown, "offlinePolicy")
    assert "AllowOfflineTxForUnknownId" in unknown["reason"]


def test_a_malformed_authorize_request_gets_a_clear_error(daemon_factory, central_factory):
    central = central_factory().start()
    daemon = connected(daemon_factory, central)
    request = urllib.request.Request(
        f"http://127.0.0.1:{daemon.port}/v1/authorize", method="POST", data=b'{"card": "X"}',
        headers={"Authorization": f"Bearer {daemon.token}", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 400
    assert "idTag" in json.loads(error.value.read())["error"]
    too_long = authorize(daemon, "X" * 21)
    assert (too_long["accepted"], too_long["status"]) == (False, "Invalid")
    assert central.calls("Authorize") == []
