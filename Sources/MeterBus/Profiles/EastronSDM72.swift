extension ShippedProfiles {
    /// SDM72D-M (V1) only has totals; SDM72D-M-2 adds per-phase values, so those are optional
    /// and marked unavailable on a V1 that answers them with an exception.
    static let eastronSDM72 = """
    name: eastron-sdm72
    manufacturer: Eastron
    model: SDM72D-M / SDM72D-M-2
    description: Three-phase compact meter; per-phase values only on the -2 variant.
    source: Eastron SDM72D-M and SDM72D-M-2 Modbus protocol, input register tables (also used by evcc/mbmd).
    unitId: 1
    maxRegistersPerRequest: 80
    maxGap: 20
    defaults:
      function: input
      type: float32
    values:
      - { name: voltage-l1, address: 0x0000, unit: V, measurand: Voltage, phase: L1-N, optional: true }
      - { name: voltage-l2, address: 0x0002, unit: V, measurand: Voltage, phase: L2-N, optional: true }
      - { name: voltage-l3, address: 0x0004, unit: V, measurand: Voltage, phase: L3-N, optional: true }
      - { name: current-l1, address: 0x0006, unit: A, measurand: Current.Import, phase: L1, optional: true }
      - { name: current-l2, address: 0x0008, unit: A, measurand: Current.Import, phase: L2, optional: true }
      - { name: current-l3, address: 0x000A, unit: A, measurand: Current.Import, phase: L3, optional: true }
      - { name: power, address: 0x0034, unit: W, measurand: Power.Active.Import }
      - { name: frequency, address: 0x0046, unit: Hz, measurand: Frequency, optional: true }
      - { name: energy-import, address: 0x0048, unit: kWh, measurand: Energy.Active.Import.Register }
      - { name: energy-export, address: 0x004A, unit: kWh, measurand: Energy.Active.Export.Register }
      - { name: energy-total, address: 0x0156, unit: kWh }
    """
}
