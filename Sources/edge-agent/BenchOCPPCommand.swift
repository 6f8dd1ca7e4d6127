import ArgumentParser
import EdgeAgent
import Foundation
import OCPP
#if canImport(Glibc)
import Glibc
#endif

extension EdgeAgentCommand {
    /// Calls per second and CPU time per call of our OCPP client next to a charge point built on the Python
    /// `ocpp` package, both talking to the same central system in the same run (docs/ocpp.md, "Benchmark").
    struct BenchOCPP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ocpp",
            abstract: "OCPP client throughput and CPU per call: our OCPP module next to a Python `ocpp` charge point, "
                + "against one Python `ocpp` central system on loopback.")

        @Option(help: "MeterValues and Heartbeats each client sends (2 x N timed calls after one BootNotification).")
        var messages = 2000

        @Option(help: "Python with the `ocpp` and `websockets` packages (make deps-python installs them).")
        var python = ".venv/bin/python"

        @Option(help: "Folder holding ocpp_central_system.py and ocpp_charge_point.py.")
        var benchmarks = "Benchmarks"

        static let ourIdentity = "edge-agent-bench"
        static let pythonIdentity = "python-ocpp-bench"

        func run() async throws {
            guard messages > 0 else { fail("--messages must be at least 1, got \(messages)") }
            LogSetup.bootstrap(level: .error)
            let central = try BenchCentralSystem(python: python, script: "\(benchmarks)/ocpp_central_system.py")
            let url = "ws://127.0.0.1:\(central.port)/ocpp"
            // Nothing here may hang `make bench`: a central system that stops answering ends the run.
            let limit = Duration.seconds(60 + messages / 50)
            let watchdog = Task {
                try await Task.sleep(for: limit)
                fail("no result after \(limit); is the central system on port \(central.port) answering?")
            }
            let ours: BenchMeasurement
            do {
                ours = try await BenchOCPPClient.measure(url: url, identity: Self.ourIdentity, count: messages)
            } catch {
                fail("our client against \(url): \(error)")
            }
            let theirs = runPythonClient(url: url)
            watchdog.cancel()
            let report = central.finish()
            print(String(format: "OCPP 1.6J over ws://127.0.0.1 (loopback): each client sends BootNotification, then "
                + "%d x (MeterValues with 8 sampled values, Heartbeat), one call at a time; only the %d calls after the "
                + "boot are timed.", messages, 2 * messages))
            print("central system: Python `ocpp` on port \(central.port), the same process for both clients")
            verify(report, identity: Self.ourIdentity)
            verify(report, identity: Self.pythonIdentity)
            print("")
            print(Self.row("client", "calls", "wall s", "calls/s", "CPU s", "CPU us/call"))
            print(Self.row(ours))
            print(Self.row(theirs.measurement))
            print(String(format: "ours / Python: calls per second x%.2f (higher is better), CPU per call x%.2f (lower is better)",
                ours.callsPerSecond / theirs.measurement.callsPerSecond,
                ours.cpuMicrosPerCall / theirs.measurement.cpuMicrosPerCall))
            print(String(format: "(CPU = getrusage user + system of the client's process over the timed calls; the Python "
                + "process took %.2f s CPU in all, interpreter start and imports included)", theirs.processCPU))
        }

        /// Runs the Python charge point as a child process; its own getrusage covers the timed calls only.
        private func runPythonClient(url: String) -> (measurement: BenchMeasurement, processCPU: Double) {
            let script = "\(benchmarks)/ocpp_charge_point.py"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [script, url, Self.pythonIdentity, "\(messages)"]
            let output = Pipe()
            process.standardOutput = output
            let childrenBefore = BenchCPU.childrenSeconds()
            do {
                try process.run()
            } catch {
                fail("cannot start \(python) \(script): \(error); run `make deps-python` or pass --python")
            }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            guard process.terminationStatus == 0,
                  let line = text.split(separator: "\n").last,
                  let fields = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let count = fields["messages"] as? Int, let wall = fields["wall_s"] as? Double,
                  let cpu = fields["cpu_s"] as? Double, let client = fields["client"] as? String
            else { fail("the Python charge point \(script) failed (status \(process.terminationStatus)): \(text)") }
            return (BenchMeasurement(client: client, calls: count, wallSeconds: wall, cpuSeconds: cpu),
                    BenchCPU.childrenSeconds() - childrenBefore)
        }

        /// Fails the run unless the central system got exactly one boot and N of each timed call, with no CALLERROR.
        private func verify(_ report: [String: Any], identity: String) {
            let calls = (report["calls"] as? [String: [String: Int]])?[identity] ?? [:]
            let errors = (report["errors"] as? [String: Int])?[identity] ?? 0
            let expected = ["BootNotification": 1, "MeterValues": messages, "Heartbeat": messages]
            let received = calls.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            guard calls == expected, errors == 0 else {
                fail("the central system received from \(identity): \(received.isEmpty ? "nothing" : received), "
                    + "\(errors) CALLERROR(s) sent; expected BootNotification 1, Heartbeat \(messages), MeterValues "
                    + "\(messages) and no CALLERROR")
            }
            print("central system received from \(identity): \(received); no CALLERROR")
        }

        private static func row(_ measurement: BenchMeasurement) -> String {
            row(measurement.client, "\(measurement.calls)", String(format: "%.3f", measurement.wallSeconds),
                String(format: "%.0f", measurement.callsPerSecond), String(format: "%.3f", measurement.cpuSeconds),
                String(format: "%.1f", measurement.cpuMicrosPerCall))
        }

        private static func row(_ client: String, _ columns: String...) -> String {
            client.padding(toLength: 34, withPad: " ", startingAt: 0)
                + columns.map { String(repeating: " ", count: max(0, 12 - $0.count)) + $0 }.joined()
        }
    }
}

/// One client's timed calls.
struct BenchMeasurement {
    var client: String
    var calls: Int
    var wallSeconds: Double
    var cpuSeconds: Double

    var callsPerSecond: Double { Double(calls) / wallSeconds }
    var cpuMicrosPerCall: Double { cpuSeconds * 1e6 / Double(calls) }
}

enum BenchCPU {
    /// User + system CPU of this process, all threads (NIO's event loops included).
    static func processSeconds() -> Double { seconds(RUSAGE_SELF) }

    /// User + system CPU of the children this process has waited for.
    static func childrenSeconds() -> Double { seconds(RUSAGE_CHILDREN) }

    #if canImport(Glibc)
    private typealias Who = __rusage_who
    private static func call(_ who: Who, _ usage: inout rusage) { getrusage(__rusage_who_t(who.rawValue), &usage) }
    #else
    private typealias Who = Int32
    private static func call(_ who: Who, _ usage: inout rusage) { getrusage(who, &usage) }
    #endif

    private static func seconds(_ who: Who) -> Double {
        var usage = rusage()
        call(who, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}

/// `Benchmarks/ocpp_central_system.py` as a child process: prints `port=N` once it listens, and its call
/// counts as one JSON line when its standard input closes.
struct BenchCentralSystem {
    let port: Int
    private let process: Process
    private let input: Pipe
    private let output: Pipe

    init(python: String, script: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script]
        input = Pipe()
        output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            fail("cannot start the central system \(python) \(script): \(error); run `make deps-python` or pass "
                + "--python and --benchmarks")
        }
        var received = Data()
        while !received.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        let line = String(decoding: received, as: UTF8.self).split(separator: "\n").first ?? ""
        guard line.hasPrefix("port="), let port = Int(line.dropFirst("port=".count)) else {
            fail("the central system \(script) did not report its port (it said: \(line.isEmpty ? "nothing" : line))")
        }
        self.port = port
    }

    /// Stops the central system and returns its report (`calls` and `errors` by identity).
    func finish() -> [String: Any] {
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").last,
              let report = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { fail("the central system exited (status \(process.terminationStatus)) without its call counts: \(text)") }
        return report
    }
}

private func fail(_ message: String) -> Never {
    printToStandardError("edge-agent bench ocpp: \(message)")
    Foundation.exit(1)
}
