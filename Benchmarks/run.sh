#!/bin/sh
# `make bench`: Modbus poll-cycle benchmarks (not part of `make test`).
#  1. TCP loopback: 10 meters x 8 float32 values, our MeterBus client against our ModbusSimulator, next to a
#     plain libmodbus C loop against the same server (ratio = MeterBus / C).
#  2. RTU over a socat pty pair at $BENCH_BAUD (default 19200): MeterBus against a pymodbus RTU server, next to
#     the time the bytes need on the wire at that baud rate.
# Usage: Benchmarks/run.sh EDGE_AGENT_BIN PYTHON C_LOOP
set -eu
BIN=$1
PYTHON=$2
CLOOP=$3
BAUD=${BENCH_BAUD:-19200}
METERS=${BENCH_METERS:-10}
VALUES=${BENCH_VALUES:-8}

"$BIN" bench modbus --meters "$METERS" --values "$VALUES" --cycles "${BENCH_TCP_CYCLES:-500}" --c-client "$CLOOP"

WORK=$(mktemp -d)
cleanup() {
    [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
    [ -n "${SOCAT:-}" ] && kill "$SOCAT" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
socat pty,raw,echo=0,link="$WORK/client" pty,raw,echo=0,link="$WORK/server" 2>/dev/null &
SOCAT=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "$WORK/server" ] && break; sleep 0.2; done
"$PYTHON" "$(dirname "$0")/rtu_server.py" "$WORK/server" "$BAUD" "$METERS" "$((VALUES * 2))" &
SERVER=$!
sleep 1.5
"$BIN" bench modbus --meters "$METERS" --values "$VALUES" --cycles "${BENCH_RTU_CYCLES:-5}" --rtu "$WORK/client" --baud "$BAUD"
echo "(a pty does not pace bytes at the baud rate: the measured cycle is the client's and server's own time;"
echo " on an RS-485 line at $BAUD baud a cycle takes about the wire time plus that)"
