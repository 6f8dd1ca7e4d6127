"""An independent Phoenix Contact EV Charge Control for the charger tests: a small Modbus TCP server written here
(framing and register encoding by Python's struct module, not by our code) at unit 1, with the registers of the
Phoenix map: the IEC 61851 state letter in input register 100, the enable coil 400, the current setpoint in holding
register 528, the energy (Wh, uint32, low word first) in holding registers 904-905. Only these exist (any other
address answers exception 2), so the profile's optional values are probed as absent.
Lines on stdin change what the car and the meter do (`state C`, `energy 1500`); each is answered `ok` on stdout.
Usage: phoenix_peer.py PORT"""
import asyncio
import struct
import sys

inputs = {100: ord("A")}
holding = {528: 6, 904: 0, 905: 0}
coils = {400: 0}


def exception(function, code):
    return struct.pack(">BB", function | 0x80, code)


def answer(pdu):
    function = pdu[0]
    if function in (1, 3, 4):
        address, count = struct.unpack(">HH", pdu[1:5])
        table = {1: coils, 3: holding, 4: inputs}[function]
        span = range(address, address + count)
        if count == 0 or any(a not in table for a in span):
            return exception(function, 2)
        if function == 1:
            bits = [table[a] for a in span]
            data = bytes(sum(bit << i for i, bit in enumerate(bits[n:n + 8])) for n in range(0, len(bits), 8))
            return struct.pack(">BB", function, len(data)) + data
        return struct.pack(">BB", function, 2 * count) + b"".join(struct.pack(">H", table[a]) for a in span)
    if function == 5:
        address, value = struct.unpack(">HH", pdu[1:5])
        if address not in coils:
            return exception(function, 2)
        coils[address] = 1 if value == 0xFF00 else 0
        return pdu[:5]
    if function == 6:
        address, value = struct.unpack(">HH", pdu[1:5])
        if address != 528:
            return exception(function, 2)
        holding[address] = value
        return pdu[:5]
    if function == 16:
        address, count = struct.unpack(">HH", pdu[1:5])
        values = struct.unpack(f">{count}H", pdu[6:6 + 2 * count])
        if any(a != 528 for a in range(address, address + count)):
            return exception(function, 2)
        for offset, value in enumerate(values):
            holding[address + offset] = value
        return pdu[:5]
    return exception(function, 1)


async def serve(reader, writer):
    try:
        while True:
            header = await reader.readexactly(7)
            transaction, protocol, length, unit = struct.unpack(">HHHB", header)
            pdu = await reader.readexactly(length - 1)
            reply = answer(pdu) if unit == 1 else exception(pdu[0], 0x0B)
            writer.write(struct.pack(">HHHB", transaction, protocol, len(reply) + 1, unit) + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        writer.close()


async def commands():
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        name, value = line.split()
        if name == "state":
            inputs[100] = ord(value)
        elif name == "energy":
            holding[904], holding[905] = int(value) & 0xFFFF, (int(value) >> 16) & 0xFFFF
        print(f"ok {name} {value}", flush=True)


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]))
    print("ready", flush=True)
    async with server:
        await commands()


asyncio.run(main())
