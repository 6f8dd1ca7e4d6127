"""An independent Modbus peer for the metering tests: a pymodbus server whose registers are encoded by
Python's struct module (not by our codec). Unit 1 is an Eastron SDM630 (float32 input registers).
Usage: modbus_peer.py tcp PORT | rtu DEVICE BAUD"""
import logging
import struct
import sys

from pymodbus.datastore import ModbusDeviceContext, ModbusServerContext, ModbusSparseDataBlock

logging.disable(logging.CRITICAL)


def f32(value):
    return list(struct.unpack(">HH", struct.pack(">f", value)))


def put(registers, address, words):
    for index, word in enumerate(words):
        registers[address + index] = word


sdm630 = {address: 0 for address in list(range(0, 0x4C)) + [0x156, 0x157]}
put(sdm630, 0x00, f32(230.5))    # voltage L1-N
put(sdm630, 0x06, f32(12.25))    # current L1
put(sdm630, 0x34, f32(2825.0))   # total power (W)
put(sdm630, 0x46, f32(50.0))     # frequency
put(sdm630, 0x48, f32(1234.5))   # import energy (kWh)

context = ModbusServerContext(devices={1: ModbusDeviceContext(ir=ModbusSparseDataBlock(sdm630))}, single=False)

if sys.argv[1] == "tcp":
    from pymodbus.server import StartTcpServer

    StartTcpServer(context=context, address=("127.0.0.1", int(sys.argv[2])))
else:
    from pymodbus import FramerType
    from pymodbus.server import StartSerialServer

    StartSerialServer(context=context, framer=FramerType.RTU, port=sys.argv[2], baudrate=int(sys.argv[3]),
                      bytesize=8, parity="N", stopbits=1)
