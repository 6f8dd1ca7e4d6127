import ArgumentParser
import EdgeAgent
import Foundation
import Logging
import MeterBus

extension EdgeAgentCommand {
    /// Benchmarks (`make bench`); not part of `make test`.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmarks of the agent's I/O paths (run by `make bench`).",
            subcommands: [BenchModbus.self, BenchOCPP.self, BenchAuthorization.self, BenchBalancing.self])
    }

    struct BenchModbus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "modbus",
            abstract: "Poll-cycle time of the MeterBus client: TCP against our simulator (next to a plain libmodbus "
                + "C loop), or RTU against a server on a serial line (next to the time the bytes need on the wire).")

        @Option(help: "Meters per poll cycle (unit ids 1...N).")
        var meters = 10

        @Option(help: "float32 values per meter (contiguous input registers from 0).")
        var values = 8

        @Option(help: "Measured poll cycles (after one warm-up cycle).")
        var cycles = 200

        @Option(name: .customLong("c-client"), help: "The plain libmodbus C loop to compare with (TCP only).")
        var cClient: String?

        @Option(help: "Serial device of an RTU server with the same layout (e.g. one end of a socat pty pair).")
        var rtu: String?

        @Option(help: "RTU baud rate.")
        var baud = 19200

        func run() async throws {
            LogSetup.bootstrap(level: .error)
            let profile: DeviceProfile
            do {
                profile = try ProfileParser.parse(yaml: Self.profileYAML(values: values), origin: "bench")
            } catch {
                fail("\(error)")
            }
            let registers = 2 * values
            if let rtu {
                let configuration = BusConfiguration(
                    link: .rtu(SerialSettings(device: rtu, baud: baud)), responseTimeout: .milliseconds(1000))
                let cycle = try await measure(configuration, profile: profile)
                // Per device: request (8 bytes) + response (5 + 2 per register), 10 bits a byte at 8N1,
                // plus the 3.5-character silence RTU requires before each of the two frames.
                let bytes = Double(meters * (8 + 5 + 2 * registers))
                let wire = bytes * 10 / Double(baud)
                let wireWithGaps = (bytes + Double(meters) * 7) * 10 / Double(baud)
                // A pty does not pace bytes at the baud rate, so the measured cycle is the software's own time;
                // on a real line the cycle is about the wire time plus this.
                print(String(format: "RTU %d baud: %d meters x %d values (%d registers): measured cycle %.1f ms; bytes on "
                    + "the wire %.1f ms (%.1f ms with inter-frame gaps); measured / wire %.3f", baud, meters, values,
                    registers, cycle * 1000, wire * 1000, wireWithGaps * 1000, cycle / wireWithGaps))
                return
            }
            let simulator = ModbusSimulator(host: "127.0.0.1", port: 0)
            for unit in 1...meters {
                try simulator.addDevice(unit: unit, profile: profile)
                for index in 0..<values { try simulator.set(unit: unit, "v\(index)", to: Double(unit * 100 + index)) }
            }
            let port = try simulator.start()
            defer { simulator.stop() }
            let configuration = BusConfiguration(link: .tcp(host: "127.0.0.1", port: port), responseTimeout: .milliseconds(1000))
            let cycle = try await measure(configuration, profile: profile)
            var line = String(format: "TCP loopback: %d meters x %d values: MeterBus cycle %.1f us", meters, values, cycle * 1e6)
            if let cClient {
                let plain = try runCClient(cClient, port: port, registers: registers)
                line += String(format: "; plain libmodbus C loop %.1f us; ratio %.2f", plain * 1e6, cycle / plain)
            }
            print(line)
        }

        /// Mean seconds per cycle of reading every meter once through MeterDevice (probe done in the warm-up).
        private func measure(_ configuration: BusConfiguration, profile: DeviceProfile) async throws -> Double {
            let bus = ModbusBus(configuration: configuration)
            let devices = (1...meters).map { MeterDevice(id: "bench \($0)", bus: bus, unit: $0, profile: profile) }
            do {
                for device in devices { _ = try await device.read() }
                let clock = ContinuousClock()
                let started = clock.now
                for _ in 0..<cycles {
                    for device in devices { _ = try await device.read() }
                }
                let elapsed = clock.now - started
                await bus.close()
                return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) / Double(cycles)
            } catch {
                await bus.close()
                fail("\(error)")
            }
        }

        /// Runs the C loop (`HOST PORT METERS REGISTERS CYCLES`; prints `cycle_us=<mean>`); returns seconds.
        private func runCClient(_ path: String, port: Int, registers: Int) throws -> Double {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["127.0.0.1", "\(port)", "\(meters)", "\(registers)", "\(cycles)"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            guard process.terminationStatus == 0,
                  let field = text.split(whereSeparator: \.isWhitespace).first(where: { $0.hasPrefix("cycle_us=") }),
                  let micros = Double(field.dropFirst("cycle_us=".count))
            else { fail("the C client \(path) failed (status \(process.terminationStatus)): \(text)") }
            return micros / 1e6
        }

        static func profileYAML(values: Int) -> String {
            var lines = [
                "name: bench-meter", "manufacturer: edge-agent", "model: benchmark",
                "maxRegistersPerRequest: 120", "defaults: {function: input, type: float32}", "values:",
            ]
            for index in 0..<values { lines.append("  - {name: v\(index), address: \(2 * index), unit: W}") }
            return lines.joined(separator: "\n") + "\n"
        }

        private func fail(_ message: String) -> Never {
            printToStandardError("edge-agent bench modbus: \(message)")
            Foundation.exit(1)
        }
    }
}
