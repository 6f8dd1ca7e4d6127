extension ShippedProfiles {
    static let carloGavazziEM24 = """
    name: carlo-gavazzi-em24
    manufacturer: Carlo Gavazzi
    model: EM24 (DIN, Modbus)
    description: Three-phase meter; 32-bit integers with the least significant word first.
    source: Carlo Gavazzi EM24 communication protocol (instantaneous variables from 0x0000, kWh totals at 0x0034/0x004E).
    unitId: 1
    maxRegistersPerRequest: 80
    maxGap: 16
    defaults:
      function: input
      type: int32
      wordOrder: low-first
    values:
      - { name: voltage-l1, address: 0x0000, scale: 0.1, unit: V, measurand: Voltage, phase: L1-N }
      - { name: voltage-l2, address: 0x0002, scale: 0.1, unit: V, measurand: Voltage, phase: L2-N }
      - { name: voltage-l3, address: 0x0004, scale: 0.1, unit: V, measurand: Voltage, phase: L3-N }
      - { name: current-l1, address: 0x000C, scale: 0.001, unit: A, measurand: Current.Import, phase: L1 }
      - { name: current-l2, address: 0x000E, scale: 0.001, unit: A, measurand: Current.Import, phase: L2 }
      - { name: current-l3, address: 0x0010, scale: 0.001, unit: A, measurand: Current.Import, phase: L3 }
      - { name: power-l1, address: 0x0012, scale: 0.1, unit: W, measurand: Power.Active.Import, phase: L1 }
      - { name: power-l2, address: 0x0014, scale: 0.1, unit: W, measurand: Power.Active.Import, phase: L2 }
      - { name: power-l3, address: 0x0016, scale: 0.1, unit: W, measurand: Power.Active.Import, phase: L3 }
      - { name: power, address: 0x0028, scale: 0.1, unit: W, measurand: Power.Active.Import }
      - { name: frequency, address: 0x0033, type: int16, scale: 0.1, unit: Hz, measurand: Frequency }
      - { name: energy-import, address: 0x0034, scale: 0.1, unit: kWh, measurand: Energy.Active.Import.Register }
      - { name: energy-export, address: 0x004E, scale: 0.1, unit: kWh, measurand: Energy.Active.Export.Register }
    """
}
