extension ShippedProfiles {
    /// Located through the SunSpec model chain: inverter model 101/102/103 (same layout),
    /// and MPPT model 160 where present. Integer values with sunssf scale factors; the
    /// SunSpec "not implemented" patterns mean unavailable.
    static let sunSpecInverter = """
    name: sunspec-inverter
    manufacturer: SunSpec
    model: Inverter (models 1, 101/102/103, 160)
    description: Any SunSpec-compliant PV inverter (Fronius, SMA, SolarEdge, Kostal, ...).
    source: SunSpec Information Model Reference (models 1, 101-103, 160); 'SunS' marker at 40000, 0 or 50000.
    unitId: 1
    maxRegistersPerRequest: 100
    maxGap: 10
    sunspec:
      bases: [40000, 0, 50000]
    defaults:
      function: holding
      type: uint16
      unavailable: sunspec
    values:
      - { name: current, model: [101, 102, 103], offset: 0, scaleFactor: current-sf, unit: A }
      - { name: current-l1, model: [101, 102, 103], offset: 1, scaleFactor: current-sf, unit: A, measurand: Current.Export, phase: L1 }
      - { name: current-l2, model: [101, 102, 103], offset: 2, scaleFactor: current-sf, unit: A, measurand: Current.Export, phase: L2 }
      - { name: current-l3, model: [101, 102, 103], offset: 3, scaleFactor: current-sf, unit: A, measurand: Current.Export, phase: L3 }
      - { name: current-sf, model: [101, 102, 103], offset: 4, type: int16 }
      - { name: voltage-l1, model: [101, 102, 103], offset: 8, scaleFactor: voltage-sf, unit: V, measurand: Voltage, phase: L1-N }
      - { name: voltage-l2, model: [101, 102, 103], offset: 9, scaleFactor: voltage-sf, unit: V, measurand: Voltage, phase: L2-N }
      - { name: voltage-l3, model: [101, 102, 103], offset: 10, scaleFactor: voltage-sf, unit: V, measurand: Voltage, phase: L3-N }
      - { name: voltage-sf, model: [101, 102, 103], offset: 11, type: int16 }
      - { name: power, model: [101, 102, 103], offset: 12, type: int16, scaleFactor: power-sf, unit: W, measurand: Power.Active.Export }
      - { name: power-sf, model: [101, 102, 103], offset: 13, type: int16 }
      - { name: frequency, model: [101, 102, 103], offset: 14, scaleFactor: frequency-sf, unit: Hz, measurand: Frequency }
      - { name: frequency-sf, model: [101, 102, 103], offset: 15, type: int16 }
      - { name: energy, model: [101, 102, 103], offset: 22, type: uint32, unavailable: [0], scaleFactor: energy-sf, unit: Wh, measurand: Energy.Active.Export.Register }
      - { name: energy-sf, model: [101, 102, 103], offset: 24, type: int16 }
      - { name: dc-power, model: [101, 102, 103], offset: 29, type: int16, scaleFactor: dc-power-sf, unit: W }
      - { name: dc-power-sf, model: [101, 102, 103], offset: 30, type: int16 }
      - { name: operating-state, model: [101, 102, 103], offset: 36 }
      - { name: mppt-current-sf, model: [160], offset: 0, type: int16, optional: true }
      - { name: mppt-voltage-sf, model: [160], offset: 1, type: int16, optional: true }
      - { name: mppt-power-sf, model: [160], offset: 2, type: int16, optional: true }
      - { name: mppt1-current, model: [160], offset: 17, scaleFactor: mppt-current-sf, unit: A, optional: true }
      - { name: mppt1-voltage, model: [160], offset: 18, scaleFactor: mppt-voltage-sf, unit: V, optional: true }
      - { name: mppt1-power, model: [160], offset: 19, scaleFactor: mppt-power-sf, unit: W, optional: true }
      - { name: mppt2-current, model: [160], offset: 37, scaleFactor: mppt-current-sf, unit: A, optional: true }
      - { name: mppt2-voltage, model: [160], offset: 38, scaleFactor: mppt-voltage-sf, unit: V, optional: true }
      - { name: mppt2-power, model: [160], offset: 39, scaleFactor: mppt-power-sf, unit: W, optional: true }
    """
}
