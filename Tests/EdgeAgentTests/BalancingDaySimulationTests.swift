import Foundation
import SeededRandom
import Testing
@testable import EdgeAgent

@Suite("Balancing: a simulated day of the simulated site's own file")
struct BalancingDaySimulationTests {
    static let midsummer = Date(timeIntervalSince1970: 1_781_913_600)  // 2026-06-20 00:00 UTC

    @Test func theGridLimitHoldsAtEveryStepAndTheReportAddsUp() throws {
        let site = try simulatedSite(stateFolder: "/tmp/unused")
        var random = SplitMix64(seed: 7)
        let report = try SiteDaySimulation(configuration: site).run(day: Self.midsummer, random: &random)
        #expect(report.steps == 8_640)
        #expect(report.gridLimitAmps == 32)
        #expect(report.stepsOverLimit == 0)
        let peak = try #require(report.peakGridAmps.values.max())
        #expect(peak <= 32 + 1e-9)
        #expect(peak > 32 - 4, "the limit never came close: the check would prove little")
        #expect(report.sessions.count >= 10)
        #expect(report.sessions.contains { $0.pausedSeconds > 0 }, "nobody ever waited: no shortage was simulated")
        for session in report.sessions {
            #expect(session.solarWh <= session.energyWh + 1e-9)
            if session.chargingSeconds == 0 { #expect(session.energyWh == 0) }
        }
        #expect(report.sessions.contains { $0.consumer == "connector-13" || $0.consumer == "connector-14" })
        #expect(abs(report.deliveredWh - report.sessions.reduce(0) { $0 + $1.energyWh }) < 1e-6)
        #expect(report.solarShare >= 0 && report.solarShare <= 1 && report.solarWh <= report.pvWh)
        #expect(report.text.contains("steps over the limit: 0"))
    }

    @Test func theSameSeedGivesTheSameDay() throws {
        let site = try simulatedSite(stateFolder: "/tmp/unused")
        var settings = SiteDaySimulation.Settings()
        settings.stepSeconds = 60
        func day(_ seed: UInt64) throws -> String {
            var random = SplitMix64(seed: seed)
            return try SiteDaySimulation(configuration: site, settings: settings).run(day: Self.midsummer, random: &random).text
        }
        #expect(try day(3) == day(3))
        #expect(try day(3) != day(4))
    }
}
