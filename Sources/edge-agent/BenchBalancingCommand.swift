import ArgumentParser
import Foundation
import LoadBalancing
import SeededRandom

extension EdgeAgentCommand {
    struct BenchBalancing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "balancing",
            abstract: "Times one load-balancing allocation on random sites of 10, 100 and 1,000 consumers "
                + "(median and p99).")

        @Option(help: "Allocation steps per size, for 10, 100 and 1,000 consumers (default 2000,500,100).")
        var steps = "2000,500,100"

        @Option(help: "Seed of the random sites and measurements.")
        var seed: UInt64 = 1

        func run() async throws {
            let counts = steps.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard counts.count == 3, counts.allSatisfy({ $0 > 0 }) else {
                fail("--steps must be three positive numbers separated by commas, e.g. 2000,500,100; got '\(steps)'")
            }
            print("consumers  steps   median      p99")
            for (consumers, stepCount) in zip([10, 100, 1_000], counts) {
                var random = SplitMix64(seed: seed &+ UInt64(consumers))
                let site = BalancingBenchSite(consumers: consumers, random: &random)
                let balancer: LoadBalancer
                do {
                    balancer = try LoadBalancer(site: site.configuration)
                } catch {
                    fail("the generated site is invalid: \(error)")
                }
                let times = site.timeAllocations(balancer, steps: stepCount, random: &random)
                print(String(format: "%9d  %5d  %7.1f us  %7.1f us", consumers, stepCount,
                             Self.quantile(times, 0.5) * 1e6, Self.quantile(times, 0.99) * 1e6))
            }
        }

        static func quantile(_ values: [Double], _ q: Double) -> Double {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
        }

        private func fail(_ message: String) -> Never {
            printToStandardError("edge-agent bench balancing: \(message)")
            Foundation.exit(1)
        }
    }
}

/// A random site: a metered grid connection, sub-circuits of about ten consumers each (some of
/// them metered), single-phase compartment sockets and three-phase chargers on assorted phases.
struct BalancingBenchSite {
    let configuration: SiteConfiguration
    let voltage = 230.0

    init(consumers count: Int, random: inout SplitMix64) {
        let circuitCount = max(1, count / 10)
        var circuits = [Circuit(id: "grid", maxCurrent: Double(count) * 4, metered: true, safeCurrent: Double(count))]
        for c in 0..<circuitCount {
            circuits.append(Circuit(
                id: "circuit-\(c)", parent: "grid", maxCurrent: random.double(25...63), metered: random.chance(0.5),
                safeCurrent: 10))
        }
        let phases: [Phase] = [.l1, .l2, .l3]
        let consumers = (0..<count).map { i -> Consumer in
            let circuit = "circuit-\(i % circuitCount)"
            if random.chance(0.7) {
                return .socket(id: "socket-\(i)", circuit: circuit, phase: random.pick(phases),
                               nominalCurrent: random.double(0.5...2.2), minOnTime: 60, minOffTime: 30)
            }
            return .charger(id: "charger-\(i)", circuit: circuit, minCurrent: 6, maxCurrent: random.pick([16, 32]),
                            rotation: random.pick(phases), minOnTime: 120, minOffTime: 60)
        }
        configuration = SiteConfiguration(
            circuits: circuits, consumers: consumers, settings: BalancingSettings(shortage: .rotate))
    }

    /// Runs `steps` allocations 10 s apart with sessions coming and going and fresh meter readings
    /// (consumers draw what they were given); returns the seconds each allocation took.
    func timeAllocations(_ balancer: LoadBalancer, steps: Int, random: inout SplitMix64) -> [Double] {
        let site = configuration
        var sessions: [ConsumerID: Session] = [:]
        var state = BalancingState()
        var given: [ConsumerID: Double] = [:]
        var times: [Double] = []
        times.reserveCapacity(steps)
        let clock = ContinuousClock()
        for k in 0..<steps {
            let now = Instant(secondsSinceEpoch: 1_782_000_000 + Double(k) * 10)
            for consumer in site.consumers {
                if sessions[consumer.id] == nil, random.chance(0.02) {
                    sessions[consumer.id] = Session(consumer: consumer.id, startedAt: now)
                } else if sessions[consumer.id] != nil, random.chance(0.005) {
                    sessions[consumer.id] = nil
                }
            }
            var measurements = Measurements()
            var drawn: [CircuitID: [Double]] = [:]
            for consumer in site.consumers {
                let amps = given[consumer.id] ?? 0
                let own = (0..<3).map { $0 < consumer.phaseCount ? amps : 0 }
                measurements.consumers[consumer.id] = MeterReading(
                    at: now, currents: PhaseCurrents(l1: own[0], l2: own[1], l3: own[2]))
                var d = drawn[consumer.circuit] ?? [0, 0, 0]
                for p in 0..<consumer.phaseCount { d[(consumer.firstPhase.rawValue - 1 + p) % 3] += amps }
                drawn[consumer.circuit] = d
            }
            var total = [0.0, 0.0, 0.0]
            for circuit in site.circuits where circuit.parent != nil {
                let d = drawn[circuit.id] ?? [0, 0, 0]
                let base = (0..<3).map { _ in random.double(0...5) }
                for p in 0..<3 { total[p] += d[p] + base[p] }
                guard circuit.metered else { continue }
                measurements.circuits[circuit.id] = MeterReading(
                    at: now, currents: PhaseCurrents(l1: d[0] + base[0], l2: d[1] + base[1], l3: d[2] + base[2]))
            }
            measurements.circuits["grid"] = MeterReading(
                at: now, currents: PhaseCurrents(l1: total[0], l2: total[1], l3: total[2]))
            let input = BalancingInput(measurements: measurements, sessions: Array(sessions.values))

            let started = clock.now
            let (outcome, next) = balancer.allocate(input, previous: state, now: now)
            let elapsed = clock.now - started
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)

            state = next
            for setpoint in outcome.setpoints { given[setpoint.consumer] = setpoint.current }
        }
        return times
    }
}

