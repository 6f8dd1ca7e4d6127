"""Smart charging end to end against the Python central system (the `ocpp` package, schema-validating): charging
profiles set, stacked, cleared and stored, the composite schedule they give, and the limits in force on the local API
(docs/ocpp.md, "Smart charging")."""
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from ocpp.v16 import call

from central_system import CentralSystem
from conftest import free_port
from test_chargers import charger_site, simulated, start_charging
from test_sessions import OWNER, card, occupy, session_site, start_session, wait_status
from test_simulated_hardware import eventually

CHARGER = 14  # wallbox-right: 32 A on three phases; the grid connection (connector 0) allows 32 A per phase


@pytest.fixture
def central():
    system = CentralSystem(free_port()).start()
    system.id_tags[OWNER] = {"status": "Accepted"}
    yield system
    system.stop()


def iso(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def now_second():
    return datetime.now(timezone.utc).replace(microsecond=0)


def profile(profile_id, purpose="TxDefaultProfile", level=0, kind="Absolute", start=None, periods=((0, 10),),
            unit="A", duration=None, recurrency=None, transaction_id=None):
    schedule = {"chargingRateUnit": unit,
                "chargingSchedulePeriod": [{"startPeriod": s, "limit": limit} for s, limit in periods]}
    if start is not None:
        schedule["startSchedule"] = iso(start)
    if duration is not None:
        schedule["duration"] = duration
    result = {"chargingProfileId": profile_id, "stackLevel": level, "chargingProfilePurpose": purpose,
              "chargingProfileKind": kind, "chargingSchedule": schedule}
    if recurrency:
        result["recurrencyKind"] = recurrency
    if transaction_id is not None:
        result["transactionId"] = transaction_id
    return result


def set_profile(central, connector_id, cs_profile):
    return central.call(call.SetChargingProfile(connector_id=connector_id, cs_charging_profiles=cs_profile)).status


def clear(central, **criteria):
    return central.call(call.ClearChargingProfile(**criteria)).status


def composite(central, connector_id, duration, unit=None):
    return central.call(call.GetCompositeSchedule(connector_id=connector_id, duration=duration, charging_rate_unit=unit))


def periods_of(result):
    """(absolute start, limit) of each period of a GetCompositeSchedule.conf."""
    schedule = result.charging_schedule
    start = parse(result.schedule_start)
    return [(start + timedelta(seconds=p["start_period"]), p["limit"]) for p in schedule["charging_schedule_period"]]


def assert_periods(actual, expected):
    """Limits equal and each period starting within 2 s of the expected instant (the charge point's own now)."""
    assert [limit for _, limit in actual] == [limit for _, limit in expected], actual
    for (seen, _), (wanted, _) in zip(actual, expected):
        assert abs((seen - wanted).total_seconds()) <= 2, (actual, expected)


def installed(daemon):
    status, body = daemon.get("/v1/charging-profiles")
    assert status == 200
    return body


def metrics(daemon):
    request = urllib.request.Request(f"http://127.0.0.1:{daemon.port}/metrics")
    request.add_header("Authorization", f"Bearer {daemon.token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def central_limits(daemon):
    status, balancing = daemon.get("/v1/balancing")
    assert status == 200
    return [(limit.get("consumer"), limit["limit"], limit["unit"]) for limit in balancing["centralLimits"]]


def balancing_consumer(daemon, connector_id):
    return next(c for c in daemon.get("/v1/balancing")[1]["consumers"] if c["connectorId"] == connector_id)


def started(daemon_factory, central, tmp_path, name="state"):
    daemon = daemon_factory(name, extra_args=["--config", str(session_site(tmp_path, central))]).start()
    central.wait_for_calls("BootNotification")
    central.wait_for_calls("StatusNotification")
    return daemon


def test_stacked_charge_point_max_and_default_profiles_give_the_composite_schedule(daemon_factory, central, tmp_path):
    daemon = started(daemon_factory, central, tmp_path)
    t0 = now_second()
    # The charge point may draw 20 A, 8 A after an hour; a default of 10 A, and 6 A from +30 min for 15 min on top.
    assert set_profile(central, 0, profile(1, "ChargePointMaxProfile", start=t0, periods=((0, 20), (3600, 8)))) == "Accepted"
    assert set_profile(central, 0, profile(2, start=t0, periods=((0, 10),))) == "Accepted"
    assert set_profile(central, 0, profile(3, level=1, start=t0 + timedelta(minutes=30), duration=900,
                                           periods=((0, 6),))) == "Accepted"

    result = composite(central, CHARGER, 7200)
    assert result.status == "Accepted" and result.connector_id == CHARGER
    assert result.charging_schedule["charging_rate_unit"] == "A" and result.charging_schedule["duration"] == 7200
    assert_periods(periods_of(result), [(t0, 10), (t0 + timedelta(seconds=1800), 6), (t0 + timedelta(seconds=2700), 10),
                                        (t0 + timedelta(seconds=3600), 8)])
    # Connector 0 is the charge point as a whole: its ChargePointMaxProfile.
    assert_periods(periods_of(composite(central, 0, 7200)), [(t0, 20), (t0 + timedelta(seconds=3600), 8)])

    body = installed(daemon)
    assert [p["profile"]["chargingProfileId"] for p in body["profiles"]] == [1, 2, 3]
    in_force = {(l["connectorId"], l["chargingProfileId"]): l["limit"] for l in body["limitsInForce"]}
    assert in_force[(0, 1)] == 20 and in_force[(CHARGER, 2)] == 10
    assert parse(body["nextChangeAt"]) <= t0 + timedelta(seconds=1801)
    assert eventually(lambda: 'edge_agent_smart_charging_limit{connector="0",unit="A"} 20' in metrics(daemon)), metrics(daemon)
    # The limits reach load balancing.
    assert eventually(lambda: central_limits(daemon) == [(None, 20, "A")] + [
        (f"connector-{c}", 10, "A") for c in range(1, 15)])
    assert central.errors_sent() == []


def test_a_recurring_daily_profile_repeats_from_yesterdays_start(daemon_factory, central, tmp_path):
    daemon = started(daemon_factory, central, tmp_path)
    t0 = now_second()
    # Started yesterday 10 minutes before now's time of day: 7 A for half an hour, 9 A for the next half.
    yesterday = t0 - timedelta(days=1, minutes=10)
    assert set_profile(central, CHARGER, profile(
        4, kind="Recurring", recurrency="Daily", start=yesterday, duration=3600, periods=((0, 7), (1800, 9)))) == "Accepted"
    result = composite(central, CHARGER, 3600)
    assert result.status == "Accepted"
    assert_periods(periods_of(result), [(t0, 7), (t0 + timedelta(seconds=1200), 9), (t0 + timedelta(seconds=3000), 32)])
    # The same schedule in watts: amperes x 230 V x the charger's 3 phases.
    in_watts = composite(central, CHARGER, 3600, unit="W")
    assert in_watts.status == "Accepted" and in_watts.charging_schedule["charging_rate_unit"] == "W"
    assert_periods(periods_of(in_watts), [(t0, 4830), (t0 + timedelta(seconds=1200), 6210),
                                          (t0 + timedelta(seconds=3000), 22080)])
    assert installed(daemon)["limitsInForce"] == [{
        "connectorId": CHARGER, "consumer": f"connector-{CHARGER}", "limit": 7, "unit": "A", "chargingProfileId": 4,
        "purpose": "TxDefaultProfile", "stackLevel": 0}]


def test_profiles_the_charge_point_cannot_take_are_rejected(daemon_factory, central, tmp_path):
    daemon = started(daemon_factory, central, tmp_path)
    # ChargeProfileMaxStackLevel is 10.
    assert set_profile(central, 0, profile(10, level=11)) == "Rejected"
    # A schedule with more periods than ChargingScheduleMaxPeriods (24).
    assert set_profile(central, 0, profile(11, periods=tuple((60 * i, 10) for i in range(25)))) == "Rejected"
    # A TxProfile needs a running transaction on its connector; a ChargePointMaxProfile belongs on connector 0.
    assert set_profile(central, 1, profile(12, "TxProfile")) == "Rejected"
    assert set_profile(central, 1, profile(13, "ChargePointMaxProfile")) == "Rejected"
    assert set_profile(central, 99, profile(14)) == "Rejected"
    assert composite(central, 99, 600).status == "Rejected"
    assert installed(daemon)["profiles"] == []
    keys = {k["key"]: k["value"] for k in central.call(call.GetConfiguration(key=[
        "ChargeProfileMaxStackLevel", "ChargingScheduleAllowedChargingRateUnit", "ChargingScheduleMaxPeriods",
        "MaxChargingProfilesInstalled"])).configuration_key}
    assert keys == {"ChargeProfileMaxStackLevel": "10", "ChargingScheduleAllowedChargingRateUnit": "Current,Power",
                    "ChargingScheduleMaxPeriods": "24", "MaxChargingProfilesInstalled": "20"}


def test_clear_by_id_and_by_purpose(daemon_factory, central, tmp_path):
    daemon = started(daemon_factory, central, tmp_path)
    assert set_profile(central, 0, profile(20, "ChargePointMaxProfile", periods=((0, 25),))) == "Accepted"
    assert set_profile(central, 0, profile(21, level=0)) == "Accepted"
    assert set_profile(central, CHARGER, profile(22, level=3)) == "Accepted"
    assert clear(central, id=22) == "Accepted"
    assert clear(central, id=22) == "Unknown"
    assert clear(central, charging_profile_purpose="TxProfile") == "Unknown"
    assert clear(central, charging_profile_purpose="TxDefaultProfile") == "Accepted"
    body = installed(daemon)
    assert [p["profile"]["chargingProfileId"] for p in body["profiles"]] == [20]
    assert [(l["connectorId"], l["limit"]) for l in body["limitsInForce"]] == [(0, 25)]
    assert clear(central) == "Accepted"
    assert installed(daemon)["profiles"] == [] and clear(central) == "Unknown"


def test_profiles_survive_a_restart(daemon_factory, central, tmp_path):
    daemon = started(daemon_factory, central, tmp_path)
    assert set_profile(central, 0, profile(30, "ChargePointMaxProfile", periods=((0, 18),))) == "Accepted"
    code, _ = daemon.terminate()
    assert code == 0
    boots = len(central.calls("BootNotification"))
    daemon.start()
    central.wait_for_calls("BootNotification", count=boots + 1)
    body = installed(daemon)
    assert [p["profile"]["chargingProfileId"] for p in body["profiles"]] == [30]
    assert [(l["connectorId"], l["limit"]) for l in body["limitsInForce"]] == [(0, 18)]
    result = composite(central, CHARGER, 60)
    assert [limit for _, limit in periods_of(result)] == [18]


def test_a_tx_profile_applies_to_its_transaction_and_goes_with_it(daemon_factory, central, tmp_path):
    daemon = started(daemon_factory, central, tmp_path)
    start_session(daemon, central, "A1")
    transaction_id = central.next_transaction_id
    assert eventually(lambda: any(t["transactionId"] == transaction_id for t in installed(daemon)["transactions"]))
    assert set_profile(central, 1, profile(40, "TxProfile", transaction_id=transaction_id + 1)) == "Rejected"
    assert set_profile(central, 1, profile(40, "TxProfile", kind="Relative", periods=((0, 1.5),),
                                           transaction_id=transaction_id)) == "Accepted"
    assert [(l["connectorId"], l["limit"], l["purpose"]) for l in installed(daemon)["limitsInForce"]] == [(1, 1.5, "TxProfile")]
    assert [limit for _, limit in periods_of(composite(central, 1, 60))] == [1.5]
    # 1.5 A is less than the socket's nominal draw (500 W): balancing keeps it off, and says why.
    assert eventually(lambda: (lambda c: not c["allowed"] and c["reason"] == "centralLimit")(balancing_consumer(daemon, 1))), \
        balancing_consumer(daemon, 1)
    wait_status(daemon, "A1", "SuspendedEVSE")

    card(daemon, OWNER)
    wait_status(daemon, "A1", "Finishing")
    central.wait_for_calls("StopTransaction")
    assert eventually(lambda: installed(daemon)["profiles"] == [] and installed(daemon)["transactions"] == [])


def test_a_remote_start_with_a_tx_profile_applies_it_to_the_transaction_it_starts(daemon_factory, central, tmp_path):
    daemon = started(daemon_factory, central, tmp_path)
    occupy(daemon, "A1")
    request = call.RemoteStartTransaction(id_tag=OWNER, connector_id=1, charging_profile=profile(
        50, "TxProfile", kind="Relative", periods=((0, 1.2), (600, 2))))
    assert central.call(request).status == "Accepted"
    wait_status(daemon, "A1", "SuspendedEVSE")  # 1.2 A is less than the socket draws: balancing keeps it off
    start = central.wait_for_calls("StartTransaction")[0].payload
    assert start["idTag"] == OWNER and start["connectorId"] == 1
    body = installed(daemon)
    assert [(p["connectorId"], p["profile"]["chargingProfileId"]) for p in body["profiles"]] == [(1, 50)]
    assert [(l["connectorId"], l["limit"], l["purpose"]) for l in body["limitsInForce"]] == [(1, 1.2, "TxProfile")]
    assert body["pendingRemoteStartIdTags"] == []
    # A refused remote start leaves no profile waiting.
    assert central.call(call.RemoteStartTransaction(id_tag=OWNER, connector_id=1, charging_profile=profile(
        51, "TxProfile", periods=((0, 2),)))).status == "Rejected"
    assert installed(daemon)["pendingRemoteStartIdTags"] == []


def test_a_tx_profile_sets_the_chargers_current(daemon_factory, central, tmp_path):
    daemon = daemon_factory(extra_args=["--config", str(charger_site(tmp_path, central))]).start()
    central.wait_for_calls("BootNotification")
    start_charging(daemon, central)  # wallbox-left, 6-16 A
    assert eventually(lambda: simulated(daemon)["setpointAmps"] not in (None, 8))
    transaction_id = central.next_transaction_id
    assert eventually(lambda: any(t["transactionId"] == transaction_id for t in installed(daemon)["transactions"]))
    assert set_profile(central, 13, profile(60, "TxProfile", kind="Relative", periods=((0, 8),),
                                            transaction_id=transaction_id)) == "Accepted"
    # Balancing takes the central limit: the charger is set to 8 A, and says why.
    assert eventually(lambda: simulated(daemon)["setpointAmps"] == 8), simulated(daemon)
    consumer = balancing_consumer(daemon, 13)
    assert consumer["currentAmps"] == 8 and consumer["reason"] == "centralLimit", consumer


def test_a_profile_in_watts_limits_the_chargers_current(daemon_factory, central, tmp_path):
    daemon = daemon_factory(extra_args=["--config", str(charger_site(tmp_path, central))]).start()
    central.wait_for_calls("BootNotification")
    start_charging(daemon, central)  # wallbox-left: 3 phases, 6-16 A
    assert eventually(lambda: simulated(daemon)["setpointAmps"] not in (None, 10))
    # 6900 W on three phases at 230 V is 10 A per phase.
    assert set_profile(central, 13, profile(61, periods=((0, 6900),), unit="W")) == "Accepted"
    assert eventually(lambda: simulated(daemon)["setpointAmps"] == 10), simulated(daemon)
    consumer = balancing_consumer(daemon, 13)
    assert consumer["currentAmps"] == 10 and consumer["reason"] == "centralLimit", consumer
    assert [(l["limit"], l["unit"]) for l in installed(daemon)["limitsInForce"]] == [(6900, "W")]
