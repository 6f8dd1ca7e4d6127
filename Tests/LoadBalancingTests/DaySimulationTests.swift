// A simulated 24-hour day (see DaySimulation.swift): the fuse holds at every step, and the report
// of energy per session and solar share is sane.

import Testing
@testable import LoadBalancing

@Suite("Simulated day")
struct DaySimulationTests {
    @Test("a sunny day with random arrivals never exceeds the grid fuse and reports energy and solar share",
          arguments: [UInt64(20_260_621), 42])
    func sunnyDay(seed: UInt64) throws {
        var invariantProblems: [String] = []
        let report = try DaySimulation.run(seed: seed) { site, input, outcome, now in
            if invariantProblems.count < 5 {
                invariantProblems += invariantViolations(site: site, input: input, outcome: outcome, now: now)
                    .map { "\(DaySimulation.clock(now.secondsSinceEpoch)): \($0)" }
            }
        }
        print("seed \(seed):\n" + report.text)

        #expect(report.steps == 8_640)
        #expect(invariantProblems.isEmpty, "\(invariantProblems)")
        #expect(report.overLimitSteps.isEmpty, "\(report.overLimitSteps.prefix(5))")
        #expect(report.peakGridCurrent <= DaySimulation.fuse + 1e-9)
        // The fuse was the binding limit at some point: otherwise the check would prove nothing.
        #expect(report.peakGridCurrent > DaySimulation.fuse - 1)

        #expect(report.sessions.count >= 10)
        let charged = report.sessions.filter(\.everOn)
        #expect(charged.count >= report.sessions.count * 3 / 4)
        for session in charged {
            #expect(session.energy > 0, "\(session.consumer) from \(DaySimulation.clock(session.arrival)) was on but got no energy")
            #expect(session.solarEnergy <= session.energy + 1e-9)
        }
        for session in report.sessions where !session.everOn { #expect(session.energy == 0) }
        #expect(report.sessions.contains { $0.consumer.hasPrefix("charger") && $0.energy > 1_000 })
        #expect(report.sessions.contains { $0.consumer.hasPrefix("compartment") && $0.energy > 0 })
        #expect(report.solarShare > 0 && report.solarShare <= 1)
        #expect(report.solarCovered <= report.pvEnergy)
    }

    @Test("the simulation is reproducible by seed")
    func reproducible() throws {
        // The first ten hours: the morning arrivals and the PV ramp are in them.
        let a = try DaySimulation.run(seed: 99, steps: 3_600)
        let b = try DaySimulation.run(seed: 99, steps: 3_600)
        #expect(a.text == b.text)
        #expect(a.text != (try DaySimulation.run(seed: 100, steps: 3_600)).text)
    }
}
