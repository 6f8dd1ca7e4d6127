"""The reference charge point for `edge-agent bench ocpp`: ocpp.v16.ChargePoint over websockets.

Connects to URL/IDENTITY, sends one BootNotification, then N x (MeterValues, Heartbeat) one call at a
time (OCPP-J allows one outstanding call), exactly the messages `edge-agent bench ocpp` sends with our
client. Only the 2N calls after the boot are timed: wall time, and this process's CPU time (user + system,
all threads) from getrusage. Prints one JSON line {"client", "messages", "wall_s", "cpu_s"}.
Usage: ocpp_charge_point.py URL IDENTITY N
"""
import asyncio
import importlib.metadata
import json
import resource
import sys
import time
from datetime import datetime, timezone

from ocpp.v16 import ChargePoint, call
from websockets.asyncio.client import connect


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def meter_values(index: int) -> call.MeterValues:
    """The same sample as BenchOCPPCommand.meterValues(index:): energy register, power, 3 currents, 3 voltages."""
    def sample(value, measurand, unit, phase=None):
        sampled = {"value": value, "context": "Sample.Periodic", "measurand": measurand, "location": "Outlet",
                   "unit": unit}
        if phase:
            sampled["phase"] = phase
        return sampled

    current = 10.4 + (index % 7) * 0.1
    voltage = 230.0 + (index % 11) * 0.1
    values = [
        sample(str(1_250_000 + 23 * index), "Energy.Active.Import.Register", "Wh"),
        sample(f"{7200 + (index % 50) * 3:.1f}", "Power.Active.Import", "W"),
        *(sample(f"{current:.2f}", "Current.Import", "A", phase) for phase in ("L1", "L2", "L3")),
        *(sample(f"{voltage:.1f}", "Voltage", "V", phase) for phase in ("L1-N", "L2-N", "L3-N")),
    ]
    return call.MeterValues(connector_id=1, transaction_id=4711,
                            meter_value=[{"timestamp": utc_now(), "sampled_value": values}])


async def main(url: str, identity: str, count: int) -> None:
    async with connect(f"{url}/{identity}", subprotocols=["ocpp1.6"]) as connection:
        station = ChargePoint(identity, connection, response_timeout=10)
        reader = asyncio.create_task(station.start())
        boot = await station.call(call.BootNotification(
            charge_point_vendor="edge-agent", charge_point_model="bench", firmware_version="ocpp-python"), suppress=False)
        if boot.status != "Accepted":
            raise SystemExit(f"BootNotification answered {boot.status}, expected Accepted")
        cpu_start, wall_start = cpu_seconds(), time.perf_counter()
        for index in range(count):
            await station.call(meter_values(index), suppress=False)
            await station.call(call.Heartbeat(), suppress=False)
        wall, cpu = time.perf_counter() - wall_start, cpu_seconds() - cpu_start
        reader.cancel()
    client = f"Python ocpp {importlib.metadata.version('ocpp')} ChargePoint"
    print(json.dumps({"client": client, "messages": 2 * count, "wall_s": wall, "cpu_s": cpu}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: ocpp_charge_point.py URL IDENTITY N")
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
