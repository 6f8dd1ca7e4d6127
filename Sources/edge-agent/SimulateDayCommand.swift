import ArgumentParser
import EdgeAgent
import Foundation
import SeededRandom

extension EdgeAgentCommand {
    /// `edge-agent simulate-day`: a 24-hour day of the site file's own load balancing, faster than real time.
    struct SimulateDay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate-day",
            abstract: "Simulate 24 hours of the site's load balancing faster than real time and print the report.",
            discussion: """
                The site (default: the embedded simulated site) goes through the daemon's own mapping: grid limit, \
                safe limit, mode, strategy, compartments on their phases, chargers. A building load with morning, \
                noon and evening peaks, a PV bell with passing clouds and random arrivals drive it every step. The \
                report lists the energy per session, the solar share and the largest grid draw per phase against \
                the limit; the command exits with 1 if any step drew more than the limit. See docs/load-balancing.md.
                """)

        @Option(name: .long, help: "Site file (YAML). Without it, the embedded simulated site is used.")
        var config: String?

        @Option(name: .long, help: "Seed of the random arrivals, clouds and noise (the same seed gives the same day).")
        var seed: UInt64 = 1

        @Option(name: .long, help: "The day to simulate (YYYY-MM-DD, UTC).")
        var day: String = "2026-06-21"

        @Option(name: .customLong("step-seconds"), help: "Control step (s).")
        var stepSeconds: Double = 10

        @Option(name: .customLong("pv-peak-watts"), help: "PV peak at solar noon (W).")
        var pvPeakWatts: Double = 4_000

        @Option(name: .customLong("building-watts"), help: "The building's night load (W); the day's peaks come on top.")
        var buildingWatts: Double = 900

        @Flag(name: .long, help: "Print the report as JSON.")
        var json = false

        func validate() throws {
            guard Self.midnight(day) != nil else { throw ValidationError("--day '\(day)' is not a date; write YYYY-MM-DD") }
            guard (1...3600).contains(stepSeconds) else { throw ValidationError("--step-seconds must be 1-3600") }
            guard pvPeakWatts >= 0, buildingWatts >= 0 else { throw ValidationError("--pv-peak-watts and --building-watts must not be negative") }
        }

        func run() throws {
            let site = try SiteOptions.parse(config.map { ["--config", $0] } ?? []).loadSite()
            var settings = SiteDaySimulation.Settings()
            settings.stepSeconds = stepSeconds
            settings.pvPeakWatts = pvPeakWatts
            settings.buildingBaseWatts = buildingWatts
            var random = SplitMix64(seed: seed)
            let report: SiteDaySimulation.Report
            do {
                report = try SiteDaySimulation(configuration: site, settings: settings)
                    .run(day: Self.midnight(day) ?? Date(timeIntervalSince1970: 0), random: &random)
            } catch {
                printToStandardError("edge-agent: load balancing cannot use this site: \(error)")
                throw ExitCode(exitInvalidConfiguration)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.text)
            }
            if report.stepsOverLimit > 0 { throw ExitCode.failure }
        }

        static func midnight(_ text: String) -> Date? {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            return formatter.date(from: text)
        }
    }
}
