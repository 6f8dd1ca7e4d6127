extension ShippedProfiles {
    static let eastronSDM120 = """
    name: eastron-sdm120
    manufacturer: Eastron
    model: SDM120 Modbus
    description: Single-phase DIN-rail meter (typical compartment meter); floats in input registers.
    source: Eastron SDM120 Modbus protocol, input register table (also used by evcc/mbmd).
    unitId: 1
    maxRegistersPerRequest: 80
    maxGap: 20
    defaults:
      function: input
      type: float32
    values:
      - { name: voltage, address: 0x0000, unit: V, measurand: Voltage }
      - { name: current, address: 0x0006, unit: A, measurand: Current.Import }
      - { name: power, address: 0x000C, unit: W, measurand: Power.Active.Import }
      - { name: frequency, address: 0x0046, unit: Hz, measurand: Frequency }
      - { name: energy-import, address: 0x0048, unit: kWh, measurand: Energy.Active.Import.Register }
      - { name: energy-export, address: 0x004A, unit: kWh, measurand: Energy.Active.Export.Register }
    """
}
