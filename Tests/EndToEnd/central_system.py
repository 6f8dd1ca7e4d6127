"""A real OCPP 1.6J central system for end-to-end tests, built on the `ocpp` package.

The `ocpp` package validates every frame the charge point sends against the official JSON
schemas (a broken one is answered with a CALLERROR, which `errors_sent()` exposes). The server
runs in a background thread with its own asyncio loop so tests stay plain synchronous pytest.
"""
import asyncio
import base64
import json
import ssl
import threading
import time
from datetime import datetime, timezone
from http import HTTPStatus

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action
from websockets.asyncio.server import serve


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _StationHandler(ChargePoint):
    """One connected charge point. Records every frame in both directions."""

    def __init__(self, station_id, connection, system):
        super().__init__(station_id, connection, response_timeout=10)
        self.system = system

    async def route_message(self, raw_msg):
        self.system._record("in", raw_msg)
        return await super().route_message(raw_msg)

    async def _send(self, message):
        self.system._record("out", message)
        await super()._send(message)

    @on(Action.boot_notification)
    def on_boot(self, **kwargs):
        status, interval = self.system._next_boot_answer()
        return call_result.BootNotification(current_time=utc_now(), interval=interval, status=status)

    @on(Action.heartbeat)
    def on_heartbeat(self, **kwargs):
        return call_result.Heartbeat(current_time=utc_now())

    @on(Action.status_notification)
    def on_status(self, **kwargs):
        return call_result.StatusNotification()

    @on(Action.authorize)
    def on_authorize(self, id_tag, **kwargs):
        return call_result.Authorize(id_tag_info=self.system.id_tag_info(id_tag))

    @on(Action.start_transaction)
    def on_start(self, **kwargs):
        self.system.next_transaction_id += 1
        return call_result.StartTransaction(
            transaction_id=self.system.next_transaction_id,
            id_tag_info=dict(self.system.start_id_tags.get(kwargs.get("id_tag"), {"status": "Accepted"})))

    @on(Action.stop_transaction)
    def on_stop(self, **kwargs):
        return call_result.StopTransaction()

    @on(Action.meter_values)
    def on_meter_values(self, **kwargs):
        return call_result.MeterValues()

    @on(Action.firmware_status_notification)
    def on_firmware_status(self, **kwargs):
        return call_result.FirmwareStatusNotification()

    @on(Action.diagnostics_status_notification)
    def on_diagnostics_status(self, **kwargs):
        return call_result.DiagnosticsStatusNotification()


class Frame:
    """One recorded frame: direction ("in" = from the charge point), arrival time, parsed JSON."""

    def __init__(self, direction, text):
        self.direction = direction
        self.text = text
        self.at = time.monotonic()
        try:
            self.message = json.loads(text)
        except ValueError:
            self.message = None

    @property
    def type(self):
        return self.message[0] if isinstance(self.message, list) and self.message else None

    @property
    def id(self):
        return self.message[1] if isinstance(self.message, list) and len(self.message) > 1 else None

    @property
    def action(self):
        return self.message[2] if self.type == 2 else None

    @property
    def payload(self):
        if self.type == 2:
            return self.message[3]
        if self.type == 3:
            return self.message[2]
        return None

    def __repr__(self):
        return f"{self.direction}:{self.text}"


class CentralSystem:
    """Listens on 127.0.0.1:`port`/ocpp/<identity>.

    boot_answers: list of (status, interval) for successive BootNotifications; once used up,
    every boot is Accepted with `heartbeat_interval`. password: require HTTP Basic auth.
    certificate/key: serve wss:// with this PEM pair.
    """

    def __init__(self, port, boot_answers=(), heartbeat_interval=300, password=None, certificate=None, key=None):
        self.port = port
        self.boot_answers = list(boot_answers)
        self.heartbeat_interval = heartbeat_interval
        self.password = password
        self.certificate = certificate
        self.key = key
        self.frames = []
        self.connections = []  # request paths of accepted connections
        self.refused = []  # (path, reason) of refused upgrade requests
        self.next_transaction_id = 1000
        # Authorize answers: idTag -> idTagInfo dict; any other idTag is Invalid.
        self.id_tags = {}
        # StartTransaction answers: idTag -> idTagInfo dict; any other idTag is Accepted.
        self.start_id_tags = {}
        self._lock = threading.Lock()
        self._loop = None
        self._thread = None
        self._server = None
        self._handlers = []
        self._live = []

    # -- life cycle ------------------------------------------------------------------------

    def start(self):
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run():
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._open())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise AssertionError("central system did not start")
        return self

    def stop(self, abort=True):
        """Stops the server. abort=True drops every connection without a close frame (a crash)."""
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._close(abort), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = None

    async def _open(self):
        context = None
        if self.certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.certificate, self.key)
        self._server = await serve(
            self._serve_station, "127.0.0.1", self.port, subprotocols=["ocpp1.6"],
            process_request=self._check_request, ssl=context)

    async def _close(self, abort):
        self._server.close(close_connections=not abort)
        if abort:
            for connection in list(self._live):
                connection.transport.abort()
        await self._server.wait_closed()

    def _check_request(self, connection, request):
        if self.password is None:
            return None
        identity = request.path.rsplit("/", 1)[-1]
        expected = "Basic " + base64.b64encode(f"{identity}:{self.password}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            with self._lock:
                self.refused.append((request.path, "wrong or missing Basic auth"))
            return connection.respond(HTTPStatus.UNAUTHORIZED, "Basic auth required\n")
        return None

    async def _serve_station(self, connection):
        path = connection.request.path
        with self._lock:
            self.connections.append(path)
        self._live.append(connection)
        handler = _StationHandler(path.rsplit("/", 1)[-1], connection, self)
        self._handlers.append(handler)
        try:
            await handler.start()
        except Exception:  # the connection closed
            pass
        finally:
            self._live.remove(connection)
            if handler in self._handlers:
                self._handlers.remove(handler)

    # -- recording -------------------------------------------------------------------------

    def _record(self, direction, text):
        with self._lock:
            self.frames.append(Frame(direction, text))

    def id_tag_info(self, id_tag):
        with self._lock:
            return dict(self.id_tags.get(id_tag, {"status": "Invalid"}))

    def _next_boot_answer(self):
        with self._lock:
            if self.boot_answers:
                return self.boot_answers.pop(0)
        return "Accepted", self.heartbeat_interval

    def calls(self, action=None):
        """CALLs from the charge point, oldest first."""
        with self._lock:
            return [f for f in self.frames if f.direction == "in" and f.type == 2 and (action is None or f.action == action)]

    def errors_sent(self):
        """CALLERRORs this central system sent (e.g. a frame of the charge point broke its schema)."""
        with self._lock:
            return [f for f in self.frames if f.direction == "out" and f.type == 4]

    def wait_for(self, predicate, timeout=15.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; frames: {self.frames[-30:]}")

    def wait_for_calls(self, action, count=1, timeout=15.0):
        return self.wait_for(lambda: (lambda c: c if len(c) >= count else None)(self.calls(action)),
                             timeout, f"{count} x {action}")

    # -- talking to the charge point -------------------------------------------------------

    def _station(self, timeout=15.0):
        return self.wait_for(lambda: self._handlers[-1] if self._handlers else None, timeout, "a connected charge point")

    def call(self, payload, timeout=15.0):
        """Sends a CALL through the `ocpp` package (which validates the answer) and returns the result."""
        station = self._station()
        future = asyncio.run_coroutine_threadsafe(station.call(payload, suppress=False), self._loop)
        return future.result(timeout)

    def send_raw(self, text, reply_id, timeout=10.0):
        """Sends `text` as it is and returns the charge point's answer carrying `reply_id`."""
        station = self._station()
        with self._lock:
            start = len(self.frames)
        asyncio.run_coroutine_threadsafe(station._connection.send(text), self._loop).result(timeout)

        def answer():
            with self._lock:
                return next((f for f in self.frames[start:] if f.direction == "in" and f.type in (3, 4) and f.id == reply_id), None)

        return self.wait_for(answer, timeout, f"an answer with id {reply_id}")
