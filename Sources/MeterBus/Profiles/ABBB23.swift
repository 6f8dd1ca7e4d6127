extension ShippedProfiles {
    /// B23/B24 mark values they do not measure (e.g. L2/L3 on single-phase variants) with
    /// all-ones (unsigned) or the largest positive number (signed).
    static let abbB23 = """
    name: abb-b23
    manufacturer: ABB
    model: B23 / B24 (Modbus RTU)
    description: Three-phase DIN-rail meter; scaled integers in holding registers.
    source: ABB B23/B24 user manual, Modbus mapping tables (energy at 0x5000, instantaneous values at 0x5B00).
    unitId: 1
    maxRegistersPerRequest: 60
    maxGap: 8
    defaults:
      function: holding
      wordOrder: high-first
    values:
      - { name: energy-import, address: 0x5000, type: uint64, scale: 0.01, unit: kWh, measurand: Energy.Active.Import.Register, unavailable: [-1] }
      - { name: energy-export, address: 0x5004, type: uint64, scale: 0.01, unit: kWh, measurand: Energy.Active.Export.Register, unavailable: [-1] }
      - { name: voltage-l1, address: 0x5B00, type: uint32, scale: 0.1, unit: V, measurand: Voltage, phase: L1-N, unavailable: [0xFFFFFFFF] }
      - { name: voltage-l2, address: 0x5B02, type: uint32, scale: 0.1, unit: V, measurand: Voltage, phase: L2-N, unavailable: [0xFFFFFFFF] }
      - { name: voltage-l3, address: 0x5B04, type: uint32, scale: 0.1, unit: V, measurand: Voltage, phase: L3-N, unavailable: [0xFFFFFFFF] }
      - { name: current-l1, address: 0x5B0C, type: uint32, scale: 0.01, unit: A, measurand: Current.Import, phase: L1, unavailable: [0xFFFFFFFF] }
      - { name: current-l2, address: 0x5B0E, type: uint32, scale: 0.01, unit: A, measurand: Current.Import, phase: L2, unavailable: [0xFFFFFFFF] }
      - { name: current-l3, address: 0x5B10, type: uint32, scale: 0.01, unit: A, measurand: Current.Import, phase: L3, unavailable: [0xFFFFFFFF] }
      - { name: power, address: 0x5B14, type: int32, scale: 0.01, unit: W, measurand: Power.Active.Import, unavailable: [0x7FFFFFFF] }
      - { name: power-l1, address: 0x5B16, type: int32, scale: 0.01, unit: W, measurand: Power.Active.Import, phase: L1, unavailable: [0x7FFFFFFF] }
      - { name: power-l2, address: 0x5B18, type: int32, scale: 0.01, unit: W, measurand: Power.Active.Import, phase: L2, unavailable: [0x7FFFFFFF] }
      - { name: power-l3, address: 0x5B1A, type: int32, scale: 0.01, unit: W, measurand: Power.Active.Import, phase: L3, unavailable: [0x7FFFFFFF] }
      - { name: frequency, address: 0x5B2C, type: uint16, scale: 0.01, unit: Hz, measurand: Frequency, unavailable: [0xFFFF] }
    """
}
