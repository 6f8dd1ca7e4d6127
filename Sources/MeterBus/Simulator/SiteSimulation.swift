import Foundation

/// Simple site dynamics for the simulated site: compartment meters count energy while their
/// relay is on, PV follows a day curve, and the grid meter sees loads minus PV. Pure: the
/// daemon feeds inputs and time, then copies `measurements(for:)` into the simulator.
public struct SiteSimulation: Sendable, Hashable {
    public struct MeterState: Sendable, Hashable {
        public var loadWatts: Double = 0
        public var relayOn = true
        public var importedWh: Double = 0
        public var exportedWh: Double = 0
        /// Power actually flowing: the load while the relay is on.
        public var powerWatts: Double { relayOn ? loadWatts : 0 }
    }

    public var gridUnit: Int?
    public var pvUnit: Int?
    /// PV peak at solar noon.
    public var pvPeakWatts: Double
    /// Sunrise and sunset in hours after midnight UTC (a plain sine between them).
    public var daylight: ClosedRange<Double>
    public var nominalVoltage: Double
    public private(set) var consumers: [Int: MeterState] = [:]
    public private(set) var grid = MeterState()
    public private(set) var pv = MeterState()
    public private(set) var time: Date

    public init(start: Date, gridUnit: Int? = nil, pvUnit: Int? = nil, pvPeakWatts: Double = 0,
                daylight: ClosedRange<Double> = 6...20, nominalVoltage: Double = 230) {
        self.time = start
        self.gridUnit = gridUnit
        self.pvUnit = pvUnit
        self.pvPeakWatts = pvPeakWatts
        self.daylight = daylight
        self.nominalVoltage = nominalVoltage
        updateDerived()
    }

    /// The load behind a consumer meter (e.g. a compartment's charger).
    public mutating func setLoad(unit: Int, watts: Double) {
        consumers[unit, default: MeterState()].loadWatts = max(0, watts)
        updateDerived()
    }

    /// The relay feeding a consumer meter.
    public mutating func setRelay(unit: Int, on: Bool) {
        consumers[unit, default: MeterState()].relayOn = on
        updateDerived()
    }

    /// PV output at a time of day.
    public func pvWatts(at date: Date) -> Double {
        let seconds = date.timeIntervalSince1970.truncatingRemainder(dividingBy: 86400)
        let hour = (seconds < 0 ? seconds + 86400 : seconds) / 3600
        guard daylight.contains(hour), daylight.upperBound > daylight.lowerBound else { return 0 }
        let phase = (hour - daylight.lowerBound) / (daylight.upperBound - daylight.lowerBound)
        return pvPeakWatts * sin(Double.pi * phase)
    }

    /// Integrates energy from the current time to `date` with the powers in effect now
    /// (inputs are piecewise constant between calls). Going backwards is ignored.
    public mutating func advance(to date: Date) {
        let hours = date.timeIntervalSince(time) / 3600
        guard hours > 0 else { return }
        for unit in consumers.keys { consumers[unit]!.importedWh += consumers[unit]!.powerWatts * hours }
        pv.exportedWh += pv.loadWatts * hours
        if grid.loadWatts >= 0 { grid.importedWh += grid.loadWatts * hours } else { grid.exportedWh += -grid.loadWatts * hours }
        time = date
        updateDerived()
    }

    private mutating func updateDerived() {
        pv.loadWatts = pvWatts(at: time)
        grid.loadWatts = consumers.values.reduce(0) { $0 + $1.powerWatts } - pv.loadWatts
    }

    /// Measurand values for one meter, ready for `ModbusSimulator.apply(_:unit:)`.
    /// Single-phase model: power and current are totals, also reported on L1; energy in Wh.
    public func measurements(for unit: Int) -> [SimulatedMeasurement] {
        let state: MeterState
        var exportSide = false
        if unit == gridUnit {
            state = grid
        } else if unit == pvUnit {
            state = pv
            exportSide = true
        } else if let consumer = consumers[unit] {
            state = consumer
        } else {
            return []
        }
        let power = exportSide ? state.loadWatts : state.powerWatts
        let current = abs(power) / nominalVoltage
        return [
            .init(measurand: exportSide ? .powerActiveExport : .powerActiveImport, value: power, unit: "W"),
            .init(measurand: .powerActiveImport, phase: .l1, value: power, unit: "W"),
            .init(measurand: exportSide ? .currentExport : .currentImport, value: current, unit: "A"),
            .init(measurand: exportSide ? .currentExport : .currentImport, phase: .l1, value: current, unit: "A"),
            .init(measurand: .voltage, value: nominalVoltage, unit: "V"),
            .init(measurand: .voltage, phase: .l1N, value: nominalVoltage, unit: "V"),
            .init(measurand: .energyActiveImportRegister, value: state.importedWh, unit: "Wh"),
            .init(measurand: .energyActiveExportRegister, value: state.exportedWh, unit: "Wh"),
        ]
    }
}


/// One value the site model produces for a meter.
public struct SimulatedMeasurement: Sendable, Hashable {
    public var measurand: Measurand
    public var phase: Phase?
    public var value: Double
    public var unit: String

    public init(measurand: Measurand, phase: Phase? = nil, value: Double, unit: String) {
        self.measurand = measurand
        self.phase = phase
        self.value = value
        self.unit = unit
    }

    /// The value in `target` units (W/kW, Wh/kWh); nil if they are unrelated.
    public func value(in target: String) -> Double? {
        if target == unit || target.isEmpty { return value }
        switch (unit, target) {
        case ("Wh", "kWh"), ("W", "kW"): return value / 1000
        case ("kWh", "Wh"), ("kW", "W"): return value * 1000
        default: return nil
        }
    }
}
