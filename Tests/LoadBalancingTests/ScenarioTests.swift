// Replays the scenario files under Scenarios/: data describing a site, then steps with
// inputs and the allocations expected at each step.

import Foundation
import Testing
@testable import LoadBalancing

/// One scenario file. Consumers "follow" their setpoints: unless a step gives explicit
/// readings, each consumer's meter reads what it was told at the previous step, and each
/// circuit meter in `baseLoadKW` reads that base load plus our consumers' draw below it.
struct Scenario: Decodable {
    var name: String
    var site: SiteConfiguration
    /// Tolerance for expected kW values.
    var toleranceKW: Double?
    var steps: [ScenarioStep]
}

struct ScenarioStep: Decodable {
    /// Seconds since the scenario's start.
    var at: Double
    var note: String?
    var sessions: [Session]?
    var centralLimits: [CentralLimit]?
    /// Base load (not our consumers) per metered circuit, symmetric over the phases, in kW.
    /// Negative at the grid connection means export (for example PV surplus).
    var baseLoadKW: [String: Double]?
    var pvKW: Double?
    /// Meters that stopped reporting: circuit id -> scenario second of their last reading.
    var silentSince: [String: Double]?
    var expect: [String: ExpectedSetpoint]?
    /// Exactly these consumers are on (the others off).
    var expectOn: [String]?
    /// This many consumers are on.
    var expectOnCount: Int?
    var expectOnSafeLimit: [String]?
    var expectSolarActive: Bool?
    var expectNextDecisionAt: Double?
}

struct ExpectedSetpoint: Decodable {
    var kW: Double?
    var amps: Double?
    var on: Bool?
    var reason: AllocationReason?
}

enum ScenarioFiles {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios")
    }

    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
    }
}

@Suite("Scenario replays")
struct ScenarioTests {
    @Test("the scenario directory holds the expected scenarios")
    func scenariosPresent() throws {
        #expect(try ScenarioFiles.names().count >= 6)
    }

    @Test("replay", arguments: try ScenarioFiles.names())
    func replay(file: String) throws {
        let data = try Data(contentsOf: ScenarioFiles.directory.appendingPathComponent(file))
        let scenario = try JSONDecoder().decode(Scenario.self, from: data)
        let balancer = try LoadBalancer(site: scenario.site)
        let origin = 1_763_884_800.0  // 2025-11-23 08:00 UTC, a Sunday
        let tolerance = (scenario.toleranceKW ?? 0.1) * 1000
        let voltage = scenario.site.settings.nominalVoltage
        var state = BalancingState()
        var sessions: [Session] = []
        var centralLimits: [CentralLimit] = []
        var baseLoad: [String: Double] = [:]
        var pvKW: Double?
        var last: BalancingOutcome?
        for (n, s) in scenario.steps.enumerated() {
            let where_ = "\(file) step \(n) (t=\(s.at))\(s.note.map { ": " + $0 } ?? "")"
            let now = origin + s.at
            if let given = s.sessions {
                sessions = given.map { Session(consumer: $0.consumer, startedAt: at(origin + $0.startedAt.secondsSinceEpoch), priority: $0.priority) }
            }
            if let given = s.centralLimits { centralLimits = given }
            if let given = s.baseLoadKW { baseLoad = given }
            if let given = s.pvKW { pvKW = given }
            var m = Measurements()
            for consumer in scenario.site.consumers {
                let told = last?.setpoint(for: consumer.id)
                m.consumers[consumer.id] = MeterReading(
                    at: at(now), currents: PhaseCurrents(uniform: told?.current ?? 0), power: told?.power ?? 0)
            }
            for (circuit, kW) in baseLoad {
                var watts = kW * 1000
                if let pv = pvKW, scenario.site.circuits.first(where: { $0.id == circuit })?.parent == nil { watts -= pv * 1000 }
                for consumer in scenario.site.consumers where isBelow(consumer, circuit, scenario.site) {
                    watts += last?.setpoint(for: consumer.id)?.power ?? 0
                }
                let readAt = s.silentSince?[circuit].map { origin + $0 } ?? now
                m.circuits[circuit] = symmetric(watts / (3 * voltage), at: at(readAt), power: watts)
            }
            if let pv = pvKW { m.pvProduction = PowerReading(at: at(now), power: pv * 1000) }
            let input = BalancingInput(measurements: m, sessions: sessions, centralLimits: centralLimits)
            let (outcome, next) = balancer.allocate(input, previous: state, now: at(now))
            state = next
            last = outcome

            let problems = invariantViolations(site: scenario.site, input: input, outcome: outcome, now: at(now))
            #expect(problems.isEmpty, "\(where_): \(problems)")
            for (id, expected) in s.expect ?? [:] {
                let sp = try #require(outcome.setpoint(for: id), "\(where_): no setpoint for \(id)")
                if let kW = expected.kW { #expect(abs(sp.power - kW * 1000) <= tolerance, "\(where_): \(id) \(sp.power) W, expected \(kW) kW") }
                if let amps = expected.amps { #expect(abs(sp.current - amps) <= 0.05, "\(where_): \(id) \(sp.current) A, expected \(amps) A") }
                if let on = expected.on { #expect(sp.on == on, "\(where_): \(id) on=\(sp.on)") }
                if let reason = expected.reason { #expect(sp.reason == reason, "\(where_): \(id) reason \(sp.reason)") }
            }
            let on = Set(outcome.setpoints.filter(\.on).map(\.consumer))
            if let expected = s.expectOn { #expect(on == Set(expected), "\(where_): on \(on.sorted())") }
            if let count = s.expectOnCount { #expect(on.count == count, "\(where_): on \(on.sorted())") }
            if let safe = s.expectOnSafeLimit {
                #expect(Set(outcome.circuits.filter(\.onSafeLimit).map(\.circuit)) == Set(safe), "\(where_)")
            }
            if let active = s.expectSolarActive { #expect(outcome.solar?.active == active, "\(where_): solar \(String(describing: outcome.solar))") }
            if let due = s.expectNextDecisionAt {
                #expect(outcome.nextDecisionAt == at(origin + due), "\(where_): next decision \(String(describing: outcome.nextDecisionAt))")
            }
        }
    }

    private func isBelow(_ consumer: Consumer, _ circuit: String, _ site: SiteConfiguration) -> Bool {
        var node: String? = consumer.circuit
        while let id = node {
            if id == circuit { return true }
            node = site.circuits.first { $0.id == id }?.parent
        }
        return false
    }
}
