import ArgumentParser
import EdgeAgent
import Foundation

extension EdgeAgentCommand {
    struct BenchAuthorization: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "authorization",
            abstract: "Applies a full SendLocalList of many idTags to a store in a temporary folder and times "
                + "authorization decisions against it (median and p99).")

        @Option(help: "idTags in the full SendLocalList.")
        var ids = 50_000

        @Option(help: "Measured authorization decisions (about 10 % of them for ids not on the list).")
        var lookups = 10_000

        func run() async throws {
            LogSetup.bootstrap(level: .error)
            guard ids > 0, lookups > 0 else { fail("--ids and --lookups must be positive") }
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("edge-agent-bench-authorization-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let report: AuthorizationBenchmark.Report
            do {
                report = try await AuthorizationBenchmark.run(ids: ids, lookups: lookups, folder: folder)
            } catch {
                fail("\(error)")
            }
            print(String(format: "SendLocalList Full, %d ids (%.1f MB frame): decode + schema check %.0f ms, apply to SQLite %.0f ms",
                         report.ids, Double(report.frameBytes) / 1e6, report.decodeSeconds * 1000, report.applySeconds * 1000))
            print(String(format: "authorization decision against it (%d lookups, %.0f %% accepted): median %.1f us, p99 %.1f us",
                         report.lookups, report.acceptedShare * 100, report.medianSeconds * 1e6, report.p99Seconds * 1e6))
        }

        private func fail(_ message: String) -> Never {
            printToStandardError("edge-agent bench authorization: \(message)")
            Foundation.exit(1)
        }
    }
}
