import Foundation
import Testing
@testable import MeterBus

@Suite("Site simulation")
struct SiteSimulationTests {
    /// Midnight UTC.
    let midnight = Date(timeIntervalSince1970: 1_700_006_400)

    @Test("compartment meters count energy only while their relay is on")
    func compartmentEnergy() {
        var site = SiteSimulation(start: midnight, gridUnit: 1)
        site.setLoad(unit: 10, watts: 1000)
        site.setLoad(unit: 11, watts: 500)
        site.setRelay(unit: 11, on: false)
        site.advance(to: midnight + 1800)
        #expect(site.consumers[10]?.importedWh == 500)
        #expect(site.consumers[11]?.importedWh == 0)
        site.setRelay(unit: 11, on: true)
        site.advance(to: midnight + 3600)
        #expect(site.consumers[10]?.importedWh == 1000)
        #expect(site.consumers[11]?.importedWh == 250)
        #expect(site.grid.importedWh == 500 + 750)
    }

    @Test("PV follows a day curve: zero at night, peak at midday")
    func pvCurve() {
        let site = SiteSimulation(start: midnight, pvUnit: 2, pvPeakWatts: 5000, daylight: 6...20)
        #expect(site.pvWatts(at: midnight + 3 * 3600) == 0)
        #expect(abs(site.pvWatts(at: midnight + 13 * 3600) - 5000) < 1e-6)
        let morning = site.pvWatts(at: midnight + 9 * 3600)
        #expect(morning > 0 && morning < 5000)
        #expect(site.pvWatts(at: midnight + 21 * 3600) == 0)
    }

    @Test("grid power is loads minus PV, and exports when PV exceeds the loads")
    func gridFollowsLoads() {
        var site = SiteSimulation(start: midnight + 13 * 3600, gridUnit: 1, pvUnit: 2, pvPeakWatts: 3000)
        site.setLoad(unit: 10, watts: 1000)
        #expect(abs(site.grid.loadWatts - -2000) < 1e-6)
        site.advance(to: midnight + 13 * 3600 + 36)  // 0.01 h
        #expect(abs(site.grid.exportedWh - 20) < 0.01)
        let grid = site.measurements(for: 1)
        #expect(grid.first { $0.measurand == .powerActiveImport && $0.phase == nil }.map { abs($0.value - -2000) < 1 } == true)
        let pv = site.measurements(for: 2)
        #expect(pv.contains { $0.measurand == .powerActiveExport && $0.value > 2999 })
        #expect(site.measurements(for: 99).isEmpty)
    }

    @Test("measurements convert into profile units when applied to the simulator")
    func applyToSimulator() throws {
        var site = SiteSimulation(start: midnight)
        site.setLoad(unit: 4, watts: 2000)
        site.advance(to: midnight + 3600)
        let simulator = ModbusSimulator()
        try simulator.addDevice(unit: 4, profile: ProfileCatalog.shipped().profile(named: "eastron-sdm120"))
        try simulator.apply(site.measurements(for: 4), unit: 4)
        #expect(try simulator.value(unit: 4, "energy-import") == 2)  // kWh
        #expect(try simulator.value(unit: 4, "power") == 2000)
        #expect(try simulator.value(unit: 4, "voltage") == 230)
        #expect(SimulatedMeasurement(measurand: .voltage, value: 1, unit: "V").value(in: "kWh") == nil)
    }
}
