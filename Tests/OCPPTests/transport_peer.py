"""A real OCPP-J WebSocket peer for the OCPP transport tests (Tests/OCPPTests/Transport*Tests.swift).

Built on the `websockets` package, so the Swift client is checked against an independent
implementation of RFC 6455, HTTP Basic auth and TLS (Python's ssl module).

Prints "LISTENING <port>" once it accepts connections. Modes:
  ocpp            accepts subprotocol ocpp1.6 (default)
  no-subprotocol  completes the upgrade but selects no subprotocol
  silent          accepts TCP connections and never answers (connect timeout)
  central-system  a central system built on the `ocpp` package: validates every frame against
                  the OCPP 1.6 JSON schemas and accepts BootNotification (no welcome frame)

In ocpp modes the server first sends a JSON text frame describing the upgrade request it saw,
then answers each text frame with "echo:<frame>". Control messages from the client:
  "close"  -> the server closes the WebSocket with code 1000, reason "bye"
  "deaf"   -> the server stops reading the socket (no pongs, nothing): a dead link
"""

import argparse
import asyncio
import base64
import http
import json
import ssl
import sys
import urllib.parse

import websockets
from websockets.asyncio.server import serve


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", default="ocpp", choices=["ocpp", "no-subprotocol", "silent", "central-system"])
    parser.add_argument("--base-path", default="/ocpp")
    parser.add_argument("--identity", required=True)
    parser.add_argument("--password")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--client-ca", help="require a client certificate signed by this CA")
    return parser.parse_args()


def tls_context(args):
    if not args.cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    return context


def make_process_request(args):
    def process_request(connection, request):
        base, _, segment = request.path.partition("?")[0].rpartition("/")
        if base != args.base_path.rstrip("/") or urllib.parse.unquote(segment) != args.identity:
            return connection.respond(http.HTTPStatus.NOT_FOUND, "unknown charge point\n")
        if args.password is not None:
            expected = "Basic " + base64.b64encode(f"{args.identity}:{args.password}".encode()).decode()
            if request.headers.get("Authorization") != expected:
                return connection.respond(http.HTTPStatus.UNAUTHORIZED, "bad credentials\n")
        return None

    return process_request


async def handler(connection):
    request = connection.request
    await connection.send(json.dumps({
        "path": request.path,
        "subprotocol": connection.subprotocol,
        "authorization": request.headers.get("Authorization"),
        "host": request.headers.get("Host"),
    }))
    async for message in connection:
        if message == "close":
            await connection.close(1000, "bye")
            return
        if message == "deaf":
            connection.transport.pause_reading()
            await asyncio.Event().wait()
        await connection.send("echo:" + message)


async def central_system(connection):
    # Imported here so the other modes need only `websockets`.
    from datetime import datetime, timezone

    from ocpp.routing import on
    from ocpp.v16 import ChargePoint, call_result
    from ocpp.v16.enums import Action, RegistrationStatus

    class Station(ChargePoint):
        @on(Action.boot_notification)
        def on_boot_notification(self, charge_point_vendor, charge_point_model, **kwargs):
            return call_result.BootNotification(
                current_time=datetime.now(timezone.utc).isoformat(),
                interval=300,
                status=RegistrationStatus.accepted,
            )

    identity = urllib.parse.unquote(connection.request.path.rpartition("/")[2])
    await Station(identity, connection).start()


async def silent(reader, writer):
    await asyncio.Event().wait()


async def main():
    args = parse_args()
    context = tls_context(args)
    if args.mode == "silent":
        server = await asyncio.start_server(silent, "127.0.0.1", args.port)
    else:
        server = await serve(
            central_system if args.mode == "central-system" else handler, "127.0.0.1", args.port,
            subprotocols=None if args.mode == "no-subprotocol" else ["ocpp1.6"],
            process_request=make_process_request(args),
            ssl=context,
            ping_interval=None,
            compression=None,
        )
    port = server.sockets[0].getsockname()[1]
    print(f"LISTENING {port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
