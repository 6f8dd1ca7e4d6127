import Foundation
import LoadBalancing
import MeterBus
import Testing
@testable import EdgeAgent

/// The simulated site's file with some text replaced, loaded and validated like any site file.
private func site(replacing replacements: [(String, String)] = []) throws -> EdgeAgent.SiteConfiguration {
    var yaml = EmbeddedSimulatorSite.siteYAML
    for (old, new) in replacements {
        #expect(yaml.contains(old), "the simulated site no longer contains \(old)")
        yaml = yaml.replacingOccurrences(of: old, with: new)
    }
    return try SiteConfigurationLoader.load(
        yaml: yaml, source: "test.yaml", baseFolder: nil, overrides: .none,
        knownProfiles: ConfigurationFixtures.knownProfiles)
}

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

private func status(
    _ role: MeteredDevice.Role, _ name: String, connectorId: Int? = nil, at time: Date = t0, stale: Bool = false,
    _ values: [(String, Double, String, MeterBus.Measurand, MeterBus.Phase?)]
) -> MeterStatus {
    MeterStatus(
        device: MeteredDevice(role: role, name: name, connectorId: connectorId, bus: "sim-modbus", unit: 1, profile: "p"),
        values: values.map { MeterValue(name: $0.0, value: $0.1, unit: $0.2, measurand: $0.3, phase: $0.4) },
        time: time, ageSeconds: 0, stale: stale, lastError: stale ? "timeout" : nil)
}

private func grid(l1: Double, l2: Double = 0, l3: Double = 0, powerL1: Double? = nil, at time: Date = t0, stale: Bool = false) -> MeterStatus {
    status(.grid, "grid", at: time, stale: stale, [
        ("current-l1", l1, "A", .currentImport, .l1), ("current-l2", l2, "A", .currentImport, .l2),
        ("current-l3", l3, "A", .currentImport, .l3), ("power-l1", powerL1 ?? l1 * 230, "W", .powerActiveImport, .l1),
        ("power", powerL1 ?? (l1 + l2 + l3) * 230, "W", .powerActiveImport, nil),
    ])
}

private func compartment(_ connectorId: Int, amps: Double, at time: Date = t0) -> MeterStatus {
    status(.compartment, "C\(connectorId)", connectorId: connectorId, at: time, [
        ("current", amps, "A", .currentImport, nil), ("power", amps * 230, "W", .powerActiveImport, nil),
        ("energy-import", 1.5, "kWh", .energyActiveImportRegister, nil),
    ])
}

@Suite("Balancing: site file and meters to the engine")
struct BalancingMappingTests {
    @Test func theSimulatedSiteBecomesOneGridCircuitWithEveryCompartmentAndCharger() throws {
        let engine = BalancingSiteMapping.engineSite(try site())
        let grid = try #require(engine.circuits.first)
        #expect(engine.circuits.count == 1)
        #expect(grid.id == "grid" && grid.parent == nil && grid.metered)
        #expect(grid.maxCurrent == 32 && grid.safeCurrent == 10 && grid.staleAfter == 15)
        #expect(engine.settings.mode == .dynamic && engine.settings.strategy == .equalShare)
        #expect(engine.settings.meterStaleAfter == 15)
        #expect(engine.consumers.count == 14)
        let a1 = try #require(engine.consumers.first { $0.id == "connector-1" })
        #expect(a1.kind == .socket && a1.phaseCount == 1 && a1.firstPhase == .l1)
        #expect(abs(a1.minCurrent - 500.0 / 230) < 1e-9 && a1.maxCurrent == a1.minCurrent)
        let b1 = try #require(engine.consumers.first { $0.id == "connector-7" })
        #expect(abs(b1.minCurrent - 1000.0 / 230) < 1e-9)
        let right = try #require(engine.consumers.first { $0.id == "connector-14" })
        #expect(right.kind == .charger && right.phaseCount == 3 && right.minCurrent == 6 && right.maxCurrent == 32)
        #expect(throws: Never.self) { try LoadBalancer(site: engine) }
    }

    @Test func aCompartmentsPhaseAndTheModeAndStrategyComeFromTheFile() throws {
        let configuration = try site(replacing: [
            ("    maxPowerWatts: 500\n  - name: A2", "    maxPowerWatts: 500\n    phase: L3\n  - name: A2"),
            ("  mode: dynamic", "  mode: static"), ("strategy: equal-share", "strategy: first-come-first-served"),
        ])
        #expect(configuration.compartments[0].phase == .l3)
        #expect(configuration.compartments[1].phase == nil)
        let engine = BalancingSiteMapping.engineSite(configuration)
        #expect(engine.consumers[0].firstPhase == .l3 && engine.consumers[1].firstPhase == .l1)
        #expect(engine.settings.mode == .staticLimit && engine.settings.strategy == .firstComeFirstServed)
    }

    static let lunchtime = """
          meterStaleAfterSeconds: 15
          schedules:
            - days: [weekdays]
              from: "11:30"
              to: "14:00"
              maxCurrentAmpsPerPhase: 10
            - days: [sat, sun]
              from: "22:00"
              to: "06:00"
              maxPowerWatts: 5000
        """

    @Test func schedulesBecomeEnginePeriodsThatLowerTheLimitWhileTheyRun() throws {
        let engine = BalancingSiteMapping.engineSite(try site(replacing: [("  meterStaleAfterSeconds: 15\n", Self.lunchtime)]))
        #expect(engine.schedule == [
            SchedulePeriod(weekdays: [1, 2, 3, 4, 5], start: TimeOfDay(hour: 11, minute: 30), end: TimeOfDay(hour: 14),
                           circuit: "grid", maxCurrent: 10),
            SchedulePeriod(weekdays: [6, 7], start: TimeOfDay(hour: 22), end: TimeOfDay(hour: 6), circuit: "grid",
                           maxPower: 5000),
        ])
        // Monday 2026-11-23 12:00 local time: the lunchtime limit holds; at 15:00 it does not.
        let offset = engine.settings.utcOffset
        let monday = Instant(secondsSinceEpoch: 1_795_392_000 - offset)  // 2026-11-23T00:00 local
        #expect(engine.schedule[0].isActive(at: monday.adding(seconds: 12 * 3600), utcOffset: offset))
        #expect(!engine.schedule[0].isActive(at: monday.adding(seconds: 15 * 3600), utcOffset: offset))
    }

    @Test func aScheduleWithoutALimitOrWithABadTimeIsAProblemAtItsPath() {
        #expect {
            try site(replacing: [("  meterStaleAfterSeconds: 15\n", """
                  meterStaleAfterSeconds: 15
                  schedules:
                    - days: [someday]
                      from: "25:00"
                      to: "14:00"
                      circuit: kitchen

                """)])
        } throws: { error in
            guard let problems = (error as? ConfigurationError)?.problems.map(\.path) else { return false }
            return problems.contains("balancing.schedules[0].days[0]") && problems.contains("balancing.schedules[0].from")
                && problems.contains("balancing.schedules[0].circuit")
        }
        #expect {
            try site(replacing: [("  meterStaleAfterSeconds: 15\n", """
                  meterStaleAfterSeconds: 15
                  schedules:
                    - days: [daily]
                      from: "11:30"
                      to: "12:30"
                    - days: [daily]
                      from: "11:30"
                      to: "11:30"
                      maxPowerWatts: 4000

                """)])
        } throws: { error in
            guard let problems = (error as? ConfigurationError)?.problems.map(\.path) else { return false }
            return problems.contains("balancing.schedules[0]") && problems.contains("balancing.schedules[1].to")
        }
    }

    @Test func rotationWhenPowerIsShortComesFromTheFileAndIsCheckedForRange() throws {
        let defaults = BalancingSiteMapping.engineSite(try site())
        #expect(defaults.settings.shortage == .firstIn && defaults.settings.rotationPeriod == 900)
        let rotating = BalancingSiteMapping.engineSite(try site(replacing: [
            ("  meterStaleAfterSeconds: 15\n", "  meterStaleAfterSeconds: 15\n  whenShort: rotate\n  rotationPeriodSeconds: 600\n"),
        ]))
        #expect(rotating.settings.shortage == .rotate && rotating.settings.rotationPeriod == 600)
        #expect {
            try site(replacing: [("  meterStaleAfterSeconds: 15\n", "  meterStaleAfterSeconds: 15\n  rotationPeriodSeconds: 5\n")])
        } throws: { error in
            (error as? ConfigurationError)?.problems.contains { $0.path == "balancing.rotationPeriodSeconds" } ?? false
        }
        #expect {
            try site(replacing: [("  meterStaleAfterSeconds: 15\n", "  meterStaleAfterSeconds: 15\n  whenShort: random\n")])
        } throws: { error in
            (error as? ConfigurationError)?.problems.contains { $0.path == "balancing.whenShort" } ?? false
        }
    }

    @Test func aWrongPhaseIsAProblemAtItsPath() {
        #expect {
            try site(replacing: [("    maxPowerWatts: 500\n  - name: A2", "    maxPowerWatts: 500\n    phase: L4\n  - name: A2")])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.problems.contains { $0.path == "compartments[0].phase" && $0.message.contains("L1, L2, L3") }
        }
    }

    static let lockersCircuit = """
          meterStaleAfterSeconds: 15
          circuits:
            - name: lockers
              maxCurrentAmps: 6
              members: [A1, A2, A3, A4]
            - name: carport
              maxPowerWatts: 11000
              members: [wallbox-left, wallbox-right]
        """

    @Test func subCircuitsHoldTheirMembersWithinTheirLimits() throws {
        let configuration = try site(replacing: [("  meterStaleAfterSeconds: 15\n", Self.lockersCircuit)])
        #expect(configuration.balancing.circuits.map(\.name) == ["lockers", "carport"])
        let engine = BalancingSiteMapping.engineSite(configuration)
        #expect(engine.circuits.map(\.id) == ["grid", "lockers", "carport"])
        let lockers = try #require(engine.circuits.first { $0.id == "lockers" })
        #expect(lockers.parent == "grid" && lockers.maxCurrent == 6 && !lockers.metered)
        #expect(engine.circuits.first { $0.id == "carport" }?.maxPower == 11000)
        #expect(engine.consumers.filter { $0.circuit == "lockers" }.map(\.id) == (1...4).map { "connector-\($0)" })
        #expect(engine.consumers.first { $0.id == "connector-5" }?.circuit == "grid")
        #expect(engine.consumers.first { $0.id == "connector-14" }?.circuit == "carport")

        // Four sessions of 2.17 A on a 6 A circuit: two charge, the circuit is named as the limit.
        let balancer = try LoadBalancer(site: engine)
        let sessions = (1...4).map { LoadBalancing.Session(consumer: "connector-\($0)", startedAt: Instant(secondsSinceEpoch: Double($0))) }
        let (outcome, _) = balancer.allocate(
            BalancingInput(measurements: BalancingSiteMapping.measurements([grid(l1: 1)], configuration: configuration),
                           sessions: sessions),
            previous: BalancingState(), now: Instant(secondsSinceEpoch: t0.timeIntervalSince1970 + 1))
        #expect(outcome.setpoints.filter(\.on).map(\.consumer) == ["connector-1", "connector-2"])
        #expect(outcome.setpoint(for: "connector-3")?.limitedBy == "lockers")
    }

    static func circuits(_ entries: String) -> String {
        "  meterStaleAfterSeconds: 15\n  circuits:\n" + entries
    }

    @Test(arguments: [
        ("    - {name: grid, maxCurrentAmps: 6, members: [A1]}\n", "balancing.circuits[0].name", "grid connection"),
        ("    - {name: a, maxCurrentAmps: 6, members: [A1]}\n    - {name: b, maxCurrentAmps: 6, members: [A1]}\n",
         "balancing.circuits[1].members[0]", "already on circuit 'a'"),
        ("    - {name: a, members: [A1]}\n", "balancing.circuits[0]", "needs a limit"),
        ("    - {name: a, parent: garage, maxCurrentAmps: 6, members: [A1]}\n", "balancing.circuits[0].parent", "not a circuit"),
        ("    - {name: a, parent: b, maxCurrentAmps: 6, members: [A1]}\n    - {name: b, parent: a, maxCurrentAmps: 6, members: [A2]}\n",
         "balancing.circuits[0].parent", "fed from itself"),
        ("    - {name: a, maxCurrentAmps: 6, members: [C9]}\n", "balancing.circuits[0].members[0]", "neither a compartment"),
        ("    - {name: a, maxCurrentAmps: 0.5, members: [A1]}\n", "balancing.circuits[0].maxCurrentAmps", "out of range"),
        ("    - {name: a, maxCurrentAmps: 6}\n", "balancing.circuits[0].members", "missing required value"),
    ])
    func wrongSubCircuitsAreProblemsAtTheirPath(entries: String, path: String, message: String) {
        #expect {
            try site(replacing: [("  meterStaleAfterSeconds: 15\n", Self.circuits(entries))])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.problems.contains { $0.path == path && $0.message.contains(message) }
        }
    }

    @Test func gridCurrentsKeepTheirPhaseAndExportIsNegative() throws {
        let measurements = BalancingSiteMapping.measurements(
            [grid(l1: 8, l2: 3, l3: 1, powerL1: -1840)], configuration: try site())
        let reading = try #require(measurements.circuits["grid"])
        #expect(reading.currents == PhaseCurrents(l1: -8, l2: 3, l3: 1))
        #expect(reading.at == Instant(secondsSinceEpoch: t0.timeIntervalSince1970))
        #expect(reading.power == -1840)
    }

    @Test func aGridMeterWithoutPhaseCurrentsPutsItsTotalOnEveryPhase() throws {
        let total = status(.grid, "grid", [("current", 12, "A", .currentImport, nil), ("power", 2.76, "kW", .powerActiveImport, nil)])
        let reading = try #require(BalancingSiteMapping.measurements([total], configuration: try site()).circuits["grid"])
        #expect(reading.currents == PhaseCurrents(uniform: 12))
        #expect(reading.power == 2760)
    }

    @Test func consumersPVAndStaleness() throws {
        let pv = status(.pv, "pv", [("power", 2500, "W", .powerActiveExport, nil)])
        let charger = status(.charger, "wallbox-left", connectorId: 13, [
            ("current-l1", 10, "A", .currentImport, .l1), ("current-l2", 9, "A", .currentImport, .l2),
            ("current-l3", 8, "A", .currentImport, .l3),
        ])
        let staleA2 = status(.compartment, "A2", connectorId: 2, stale: true, [("current", 2, "A", .currentImport, nil)])
        let m = BalancingSiteMapping.measurements(
            [grid(l1: 5, stale: true), pv, charger, compartment(1, amps: 2.1), staleA2], configuration: try site())
        #expect(m.circuits.isEmpty)  // a stale grid meter is left out: the engine applies the safe limit
        #expect(m.pvProduction?.power == 2500)
        #expect(m.consumers["connector-13"]?.currents == PhaseCurrents(l1: 10, l2: 9, l3: 8))
        #expect(m.consumers["connector-1"]?.currents == PhaseCurrents(l1: 2.1, l2: 0, l3: 0))
        #expect(m.consumers["connector-2"] == nil)
    }

    @Test func readingsAroundASocketSwitchAreNotConsistent() throws {
        let configuration = try site()
        let m = BalancingSiteMapping.measurements([grid(l1: 10, at: t0), compartment(1, amps: 2.2, at: t0 + 3)],
                                                  configuration: configuration)
        func consistent(_ switchedAt: Date) -> Bool {
            BalancingSiteMapping.isConsistent(m, changes: ["connector-1": [switchedAt]], settleSeconds: 2.5)
        }
        #expect(!consistent(t0 + 1))  // between the two readings: the grid has not seen it, its own meter has
        #expect(!consistent(t0 - 1))  // just before: the grid reading may not show it yet
        #expect(consistent(t0 - 10))  // long before both
        #expect(consistent(t0 + 4))  // after both
        #expect(BalancingSiteMapping.isConsistent(m, changes: ["connector-2": [t0 + 1]], settleSeconds: 2.5))
    }

    @Test func withTheMappedSiteABuildingLoadLeavesRoomForOnlySomeCompartments() throws {
        let configuration = try site()
        let balancer = try LoadBalancer(site: BalancingSiteMapping.engineSite(configuration))
        let now = Instant(secondsSinceEpoch: t0.timeIntervalSince1970 + 1)
        // 6000 W building on L1 (26.1 A) and A1, A2 on: 32 A leave room for two of A1-A3 (2.17 A each).
        let building = 6000.0 / 230
        let meters = [grid(l1: building + 2 * 500 / 230), compartment(1, amps: 500.0 / 230), compartment(2, amps: 500.0 / 230)]
        let sessions = (1...3).map { LoadBalancing.Session(consumer: "connector-\($0)", startedAt: Instant(secondsSinceEpoch: Double($0))) }
        let input = BalancingInput(
            measurements: BalancingSiteMapping.measurements(meters, configuration: configuration), sessions: sessions)
        let (outcome, _) = balancer.allocate(input, previous: BalancingState(), now: now)
        #expect(outcome.setpoint(for: "connector-1")?.on == true)
        #expect(outcome.setpoint(for: "connector-2")?.on == true)
        let third = try #require(outcome.setpoint(for: "connector-3"))
        #expect(!third.on && third.reason == .minimumNotReachable && third.limitedBy == "grid")
        let gridReport = try #require(outcome.circuit("grid"))
        #expect(abs(gridReport.baseLoad.l1 - building) < 0.01)
        #expect(gridReport.allocated.l1 + gridReport.baseLoad.l1 <= 32)

        // The grid meter goes stale: the safe limit (10 A) applies to our consumers, and says so.
        let later = now.adding(seconds: 15)
        let (stale, _) = balancer.allocate(input, previous: BalancingState(), now: later)
        #expect(stale.circuit("grid")?.onSafeLimit == true)
        #expect(stale.setpoints.filter(\.on).count == 3)  // 6.5 A fit in 10 A
        #expect((stale.circuit("grid")?.allocated.l1 ?? 99) <= 10)
    }
}
