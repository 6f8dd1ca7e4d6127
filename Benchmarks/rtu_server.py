"""The RTU side of `make bench`: a pymodbus RTU server on one end of a socat pty pair with the benchmark's
layout (units 1..METERS, REGISTERS input registers from 0 holding float32 values).
Usage: rtu_server.py DEVICE BAUD METERS REGISTERS"""
import logging
import struct
import sys

from pymodbus import FramerType
from pymodbus.datastore import ModbusDeviceContext, ModbusServerContext, ModbusSparseDataBlock
from pymodbus.server import StartSerialServer

logging.disable(logging.CRITICAL)
device, baud, meters, registers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])


def block(unit):
    words = []
    for index in range(registers // 2):
        words += struct.unpack(">HH", struct.pack(">f", unit * 100 + index))
    return ModbusSparseDataBlock(dict(enumerate(words)))


context = ModbusServerContext(devices={unit: ModbusDeviceContext(ir=block(unit)) for unit in range(1, meters + 1)},
                             single=False)
StartSerialServer(context=context, framer=FramerType.RTU, port=device, baudrate=baud, bytesize=8, parity="N",
                  stopbits=1)
