extension ShippedProfiles {
    /// Phoenix Contact EV Charge Control (EV-CC-AC1-M3-...-ETH family, also in Wallbe/Compleo
    /// boxes), Modbus TCP at unit 255. Register map as used by evcc's phoenix-ev-eth driver
    /// (github.com/evcc-io/evcc, charger/phoenix-ev-eth.go), which follows the Phoenix Contact
    /// manual: status letter in input 100, meter values from input 108 (32-bit, low word first,
    /// present only with a connected meter), enable coil 400, current setpoint holding 528 (A).
    static let phoenixEVChargeControl = """
    name: phoenix-ev-charge-control
    manufacturer: Phoenix Contact
    model: EV Charge Control (EV-CC-AC1-M3-*-ETH)
    description: AC charging controller; takes a charging current setpoint over Modbus TCP.
    source: Phoenix Contact EV-CC-AC1-M3 manual register list, cross-checked with evcc charger/phoenix-ev-eth.go.
    unitId: 255
    maxRegistersPerRequest: 60
    maxGap: 8
    defaults:
      function: input
      type: int32
      wordOrder: low-first
    values:
      - { name: charging-state, address: 100, type: uint16 }
      - { name: charging-time, address: 102, type: uint32, unit: s, optional: true }
      - { name: voltage-l1, address: 108, unit: V, measurand: Voltage, phase: L1-N, optional: true }
      - { name: voltage-l2, address: 110, unit: V, measurand: Voltage, phase: L2-N, optional: true }
      - { name: voltage-l3, address: 112, unit: V, measurand: Voltage, phase: L3-N, optional: true }
      - { name: current-l1, address: 114, unit: A, measurand: Current.Import, phase: L1, optional: true }
      - { name: current-l2, address: 116, unit: A, measurand: Current.Import, phase: L2, optional: true }
      - { name: current-l3, address: 118, unit: A, measurand: Current.Import, phase: L3, optional: true }
      - { name: power, address: 120, unit: W, measurand: Power.Active.Import, optional: true }
      - { name: energy, address: 904, function: holding, type: uint32, unit: Wh, measurand: Energy.Active.Import.Register, optional: true }
      - { name: charging-enabled, address: 400, function: coil, writable: true, min: 0, max: 1 }
      - { name: current-setpoint, address: 528, function: holding, type: uint16, unit: A, measurand: Current.Offered, writable: true, min: 6, max: 80 }
    """
}
