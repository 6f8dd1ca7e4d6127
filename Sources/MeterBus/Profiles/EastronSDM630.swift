extension ShippedProfiles {
    static let eastronSDM630 = """
    name: eastron-sdm630
    manufacturer: Eastron
    model: SDM630 Modbus (V2)
    description: Three-phase DIN-rail meter; IEEE 754 floats in input registers.
    source: Eastron SDM630 Modbus protocol, input register table (also used by evcc/mbmd).
    unitId: 1
    maxRegistersPerRequest: 80
    maxGap: 20
    defaults:
      function: input
      type: float32
      wordOrder: high-first
      byteOrder: big
    values:
      - { name: voltage-l1, address: 0x0000, unit: V, measurand: Voltage, phase: L1-N }
      - { name: voltage-l2, address: 0x0002, unit: V, measurand: Voltage, phase: L2-N }
      - { name: voltage-l3, address: 0x0004, unit: V, measurand: Voltage, phase: L3-N }
      - { name: current-l1, address: 0x0006, unit: A, measurand: Current.Import, phase: L1 }
      - { name: current-l2, address: 0x0008, unit: A, measurand: Current.Import, phase: L2 }
      - { name: current-l3, address: 0x000A, unit: A, measurand: Current.Import, phase: L3 }
      - { name: power-l1, address: 0x000C, unit: W, measurand: Power.Active.Import, phase: L1 }
      - { name: power-l2, address: 0x000E, unit: W, measurand: Power.Active.Import, phase: L2 }
      - { name: power-l3, address: 0x0010, unit: W, measurand: Power.Active.Import, phase: L3 }
      - { name: power, address: 0x0034, unit: W, measurand: Power.Active.Import }
      - { name: frequency, address: 0x0046, unit: Hz, measurand: Frequency }
      - { name: energy-import, address: 0x0048, unit: kWh, measurand: Energy.Active.Import.Register }
      - { name: energy-export, address: 0x004A, unit: kWh, measurand: Energy.Active.Export.Register }
      - { name: energy-total, address: 0x0156, unit: kWh }
    """
}
