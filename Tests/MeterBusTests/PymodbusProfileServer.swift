extension PeerScripts {
    /// A pymodbus server holding every shipped profile at its own unit id. Its registers are
    /// encoded by Python's struct module from register maps written in the script (from the
    /// vendors' manuals and the SunSpec model reference), independently of our profiles and
    /// codec; only the engineering values come from the test (`PeerFixture`).
    static let pymodbusProfiles = #"""
    """A pymodbus server holding every shipped profile at its own unit id, with registers encoded
    here by Python's struct module from the register maps below (written from the vendors' manuals
    and the SunSpec model reference), never by edge-agent's codec. argv: tcp PORT | rtu DEVICE, then
    a JSON object {profile: {"unit": N, "values": {name: number or null}}}; null means "not available"
    and is encoded as the device's sentinel (NaN for floats)."""
    import json, struct, sys, logging
    from pymodbus.datastore import ModbusDeviceContext, ModbusServerContext, ModbusSparseDataBlock
    logging.disable(logging.CRITICAL)

    # Integer formats and their "not available" patterns as raw register bytes.
    FORMATS = {"u16": ">H", "i16": ">h", "u32": ">I", "i32": ">i", "u64": ">Q", "f32": ">f"}

    def words(fmt, value, scale=1.0, low_word_first=False, sentinel=None):
        """Registers for one value: big-endian bytes, 16-bit words, optionally low word first."""
        if value is None:
            raw = struct.pack(FORMATS[fmt], float("nan")) if fmt == "f32" else struct.pack(">Q", sentinel)[-struct.calcsize(FORMATS[fmt]):]
        elif fmt == "f32":
            raw = struct.pack(">f", value)
        else:
            raw = struct.pack(FORMATS[fmt], round(value / scale))
        regs = list(struct.unpack(">%dH" % (len(raw) // 2), raw))
        return regs[::-1] if low_word_first else regs

    # name: (table, address, format, scale, low word first, sentinel)
    def eastron(addresses):
        return {name: ("ir", address, "f32", 1, False, None) for name, address in addresses.items()}

    MAPS = {
        "eastron-sdm630": eastron({
            "voltage-l1": 0x00, "voltage-l2": 0x02, "voltage-l3": 0x04, "current-l1": 0x06, "current-l2": 0x08,
            "current-l3": 0x0A, "power-l1": 0x0C, "power-l2": 0x0E, "power-l3": 0x10, "power": 0x34,
            "frequency": 0x46, "energy-import": 0x48, "energy-export": 0x4A, "energy-total": 0x156}),
        "eastron-sdm120": eastron({
            "voltage": 0x00, "current": 0x06, "power": 0x0C, "frequency": 0x46, "energy-import": 0x48,
            "energy-export": 0x4A}),
        "eastron-sdm72": eastron({
            "voltage-l1": 0x00, "voltage-l2": 0x02, "voltage-l3": 0x04, "current-l1": 0x06, "current-l2": 0x08,
            "current-l3": 0x0A, "power": 0x34, "frequency": 0x46, "energy-import": 0x48, "energy-export": 0x4A,
            "energy-total": 0x156}),
        # ABB B23: holding registers, high word first; all ones (unsigned) / largest positive (signed) = n/a.
        "abb-b23": {
            "energy-import": ("hr", 0x5000, "u64", 0.01, False, 0xFFFFFFFFFFFFFFFF),
            "energy-export": ("hr", 0x5004, "u64", 0.01, False, 0xFFFFFFFFFFFFFFFF),
            "voltage-l1": ("hr", 0x5B00, "u32", 0.1, False, 0xFFFFFFFF),
            "voltage-l2": ("hr", 0x5B02, "u32", 0.1, False, 0xFFFFFFFF),
            "voltage-l3": ("hr", 0x5B04, "u32", 0.1, False, 0xFFFFFFFF),
            "current-l1": ("hr", 0x5B0C, "u32", 0.01, False, 0xFFFFFFFF),
            "current-l2": ("hr", 0x5B0E, "u32", 0.01, False, 0xFFFFFFFF),
            "current-l3": ("hr", 0x5B10, "u32", 0.01, False, 0xFFFFFFFF),
            "power": ("hr", 0x5B14, "i32", 0.01, False, 0x7FFFFFFF),
            "power-l1": ("hr", 0x5B16, "i32", 0.01, False, 0x7FFFFFFF),
            "power-l2": ("hr", 0x5B18, "i32", 0.01, False, 0x7FFFFFFF),
            "power-l3": ("hr", 0x5B1A, "i32", 0.01, False, 0x7FFFFFFF),
            "frequency": ("hr", 0x5B2C, "u16", 0.01, False, 0xFFFF)},
        # Carlo Gavazzi EM24: input registers, INT32 with the least significant word first.
        "carlo-gavazzi-em24": {
            "voltage-l1": ("ir", 0x00, "i32", 0.1, True, None), "voltage-l2": ("ir", 0x02, "i32", 0.1, True, None),
            "voltage-l3": ("ir", 0x04, "i32", 0.1, True, None), "current-l1": ("ir", 0x0C, "i32", 0.001, True, None),
            "current-l2": ("ir", 0x0E, "i32", 0.001, True, None), "current-l3": ("ir", 0x10, "i32", 0.001, True, None),
            "power-l1": ("ir", 0x12, "i32", 0.1, True, None), "power-l2": ("ir", 0x14, "i32", 0.1, True, None),
            "power-l3": ("ir", 0x16, "i32", 0.1, True, None), "power": ("ir", 0x28, "i32", 0.1, True, None),
            "frequency": ("ir", 0x33, "i16", 0.1, False, None),
            "energy-import": ("ir", 0x34, "i32", 0.1, True, None), "energy-export": ("ir", 0x4E, "i32", 0.1, True, None)},
        # Phoenix Contact EV Charge Control: 32-bit values low word first; enable coil; setpoint in A.
        "phoenix-ev-charge-control": {
            "charging-state": ("ir", 100, "u16", 1, False, None), "charging-time": ("ir", 102, "u32", 1, True, None),
            "voltage-l1": ("ir", 108, "i32", 1, True, None), "voltage-l2": ("ir", 110, "i32", 1, True, None),
            "voltage-l3": ("ir", 112, "i32", 1, True, None), "current-l1": ("ir", 114, "i32", 1, True, None),
            "current-l2": ("ir", 116, "i32", 1, True, None), "current-l3": ("ir", 118, "i32", 1, True, None),
            "power": ("ir", 120, "i32", 1, True, None), "energy": ("hr", 904, "u32", 1, True, None),
            "charging-enabled": ("co", 400, "bit", 1, False, None),
            "current-setpoint": ("hr", 528, "u16", 1, False, None)},
    }

    # SunSpec: (model, offset in the model's data, format, scale-factor register name or None).
    SUNSPEC = {
        "current": (103, 0, "u16", "current-sf"), "current-l1": (103, 1, "u16", "current-sf"),
        "current-l2": (103, 2, "u16", "current-sf"), "current-l3": (103, 3, "u16", "current-sf"),
        "current-sf": (103, 4, "i16", None),
        "voltage-l1": (103, 8, "u16", "voltage-sf"), "voltage-l2": (103, 9, "u16", "voltage-sf"),
        "voltage-l3": (103, 10, "u16", "voltage-sf"), "voltage-sf": (103, 11, "i16", None),
        "power": (103, 12, "i16", "power-sf"), "power-sf": (103, 13, "i16", None),
        "frequency": (103, 14, "u16", "frequency-sf"), "frequency-sf": (103, 15, "i16", None),
        "energy": (103, 22, "u32", "energy-sf"), "energy-sf": (103, 24, "i16", None),
        "dc-power": (103, 29, "i16", "dc-power-sf"), "dc-power-sf": (103, 30, "i16", None),
        "operating-state": (103, 36, "u16", None),
        "mppt-current-sf": (160, 0, "i16", None), "mppt-voltage-sf": (160, 1, "i16", None),
        "mppt-power-sf": (160, 2, "i16", None),
        "mppt1-current": (160, 8 + 9, "u16", "mppt-current-sf"), "mppt1-voltage": (160, 8 + 10, "u16", "mppt-voltage-sf"),
        "mppt1-power": (160, 8 + 11, "u16", "mppt-power-sf"),
        "mppt2-current": (160, 28 + 9, "u16", "mppt-current-sf"), "mppt2-voltage": (160, 28 + 10, "u16", "mppt-voltage-sf"),
        "mppt2-power": (160, 28 + 11, "u16", "mppt-power-sf"),
    }
    # "Not implemented" per SunSpec type; acc32 energy counters use 0.
    SUNSPEC_NA = {"u16": 0xFFFF, "i16": 0x8000, "u32": 0}

    def sunspec_registers(values, base=40000):
        """'SunS', common model 1, inverter model 103, MPPT model 160 with two modules, end model."""
        regs = {}
        def put(address, ws):
            for i, w in enumerate(ws): regs[address + i] = w
        put(base, [0x5375, 0x6E53])
        starts, address = {}, base + 2
        for model, length in ((1, 66), (103, 50), (160, 48)):
            put(address, [model, length] + [0] * length)
            starts[model] = address + 2
            address += 2 + length
        put(address, [0xFFFF, 0])
        regs[starts[160] + 6] = 2  # N: two modules
        for name, value in values.items():
            model, offset, fmt, sf = SUNSPEC[name]
            scale = 10.0 ** values[sf] if sf else 1.0
            put(starts[model] + offset, words(fmt, value, scale, sentinel=SUNSPEC_NA[fmt]))
        return {"hr": regs}

    def plain_registers(profile, values):
        tables = {}
        for name, value in values.items():
            table, address, fmt, scale, low_first, sentinel = MAPS[profile][name]
            regs = tables.setdefault(table, {})
            if fmt == "bit":
                regs[address] = bool(value)
            else:
                for i, w in enumerate(words(fmt, value, scale, low_first, sentinel)):
                    regs[address + i] = w
        # Like the meters, answer reads across the holes between values (with zeros).
        for regs in tables.values():
            for address in range(min(regs), max(regs) + 1):
                regs.setdefault(address, 0)
        return tables

    def main():
        transport, where, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
        devices = {}
        for profile, device in spec.items():
            values = device["values"]
            names = set(SUNSPEC) if profile == "sunspec-inverter" else set(MAPS[profile])
            if set(values) != names:
                sys.exit(f"{profile}: values {sorted(set(values) ^ names)} do not match the register map")
            tables = sunspec_registers(values) if profile == "sunspec-inverter" else plain_registers(profile, values)
            devices[device["unit"]] = ModbusDeviceContext(**{t: ModbusSparseDataBlock(r) for t, r in tables.items()})
        context = ModbusServerContext(devices=devices, single=False)
        if transport == "tcp":
            from pymodbus.server import StartTcpServer
            StartTcpServer(context=context, address=("127.0.0.1", int(where)))
        else:
            from pymodbus.server import StartSerialServer
            from pymodbus import FramerType
            StartSerialServer(context=context, framer=FramerType.RTU, port=where, baudrate=19200, bytesize=8, parity="N", stopbits=1)

    main()
    """#
}
