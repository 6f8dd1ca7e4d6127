"""Central system for `edge-agent bench ocpp`, built on the `ocpp` package (OCPP 1.6J).

Accepts any identity on ws://127.0.0.1:<port>/ocpp/<identity>, answers every call at once and counts
the CALLs each identity sent, by action. Incoming schema validation is off so the central system stays
fast and the same for both clients (each client validates what it sends; the end-to-end tests check
our frames against the schemas).

Prints `port=<port>` when it listens. When its standard input closes it prints one JSON line
`{"calls": {identity: {action: count}}, "errors": {identity: count}}` (errors = CALLERRORs it sent)
and exits.
Usage: ocpp_central_system.py [PORT]   (0 or nothing: a free port)
"""
import asyncio
import json
import sys
import threading
from collections import Counter, defaultdict
from datetime import datetime, timezone

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action, RegistrationStatus
from websockets.asyncio.server import serve

CALLS = defaultdict(Counter)
ERRORS = Counter()


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Station(ChargePoint):
    async def route_message(self, raw_msg):
        try:
            message = json.loads(raw_msg)
            if isinstance(message, list) and len(message) == 4 and message[0] == 2:
                CALLS[self.id][message[2]] += 1
        except ValueError:
            pass
        return await super().route_message(raw_msg)

    async def _send(self, message):
        if message.startswith("[4,"):
            ERRORS[self.id] += 1
        await super()._send(message)

    @on(Action.boot_notification, skip_schema_validation=True)
    def on_boot(self, **kwargs):
        return call_result.BootNotification(current_time=utc_now(), interval=300, status=RegistrationStatus.accepted)

    @on(Action.heartbeat, skip_schema_validation=True)
    def on_heartbeat(self, **kwargs):
        return call_result.Heartbeat(current_time=utc_now())

    @on(Action.meter_values, skip_schema_validation=True)
    def on_meter_values(self, **kwargs):
        return call_result.MeterValues()


async def serve_station(connection):
    station = Station(connection.request.path.rsplit("/", 1)[-1], connection, response_timeout=10)
    try:
        await station.start()
    except Exception:  # the charge point closed the connection
        pass


async def main(port: int) -> None:
    loop = asyncio.get_running_loop()
    stdin_closed = asyncio.Event()

    def wait_for_eof():
        sys.stdin.read()
        loop.call_soon_threadsafe(stdin_closed.set)

    async with serve(serve_station, "127.0.0.1", port, subprotocols=["ocpp1.6"]) as server:
        print(f"port={server.sockets[0].getsockname()[1]}", flush=True)
        threading.Thread(target=wait_for_eof, daemon=True).start()
        await stdin_closed.wait()
    print(json.dumps({"calls": CALLS, "errors": ERRORS}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
