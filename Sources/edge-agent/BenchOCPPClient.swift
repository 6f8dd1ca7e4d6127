import EdgeAgent
import Foundation
import Logging
import OCPP

/// Our side of `edge-agent bench ocpp`: the pieces OCPPUplink runs in the daemon — OCPPConnection (the
/// WebSocket transport), CallTracker (one outstanding call, answers matched by id), RPCFrame and the typed
/// messages, validated against their schemas both ways — without the daemon's timers and durable queue, which
/// pace messages by the clock and the store rather than by the protocol stack.
enum BenchOCPPClient {
    enum Failure: Error, CustomStringConvertible {
        case linkClosed(String)
        case callFailed(OCPPAction, String)
        case unexpectedFrame(String)

        var description: String {
            switch self {
            case .linkClosed(let reason): "the link to the central system closed: \(reason)"
            case .callFailed(let action, let reason): "\(action.rawValue) failed: \(reason)"
            case .unexpectedFrame(let what): "unexpected frame from the central system: \(what)"
            }
        }
    }

    /// Connects as `identity`, boots, then times `count` x (MeterValues, Heartbeat).
    static func measure(url: String, identity: String, count: Int) async throws -> BenchMeasurement {
        let connection = OCPPConnection(
            configuration: OCPPConnectionConfiguration(
                centralSystemURL: url, stationIdentity: identity, securityProfile: .unsecured, pingInterval: .zero,
                connectTimeout: .seconds(10)),
            logger: Logger(label: "edge-agent.bench.ocpp"))
        var session = Session(connection: connection, events: connection.events.makeAsyncIterator())
        let link = Task { await connection.run() }
        do {
            try await session.waitUntilConnected()
            let boot = try await session.call(BootNotificationRequest(
                chargePointVendor: "edge-agent", chargePointModel: "bench", firmwareVersion: "edge-agent \(Daemon.version)"))
            guard boot.status == .accepted else {
                throw Failure.callFailed(.bootNotification, "answered \(boot.status.rawValue), expected Accepted")
            }
            let clock = ContinuousClock()
            let cpuStart = BenchCPU.processSeconds()
            let start = clock.now
            for index in 0..<count {
                _ = try await session.call(meterValues(index: index, at: Date()))
                _ = try await session.call(HeartbeatRequest())
            }
            let wall = clock.now - start
            let cpu = BenchCPU.processSeconds() - cpuStart
            link.cancel()
            await link.value
            return BenchMeasurement(
                client: "edge-agent OCPP module (Swift)", calls: 2 * count,
                wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18, cpuSeconds: cpu)
        } catch {
            link.cancel()
            await link.value
            throw error
        }
    }

    /// The same sample as `meter_values()` in Benchmarks/ocpp_charge_point.py: the energy register, power,
    /// and current and voltage of three phases, as a meter on a 22 kW wallbox would report them.
    static func meterValues(index: Int, at timestamp: Date) -> MeterValuesRequest {
        func sample(_ value: String, _ measurand: Measurand, _ unit: UnitOfMeasure, _ phase: Phase? = nil) -> SampledValue {
            SampledValue(value: value, context: .samplePeriodic, measurand: measurand, phase: phase, location: .outlet, unit: unit)
        }
        let current = String(format: "%.2f", 10.4 + Double(index % 7) * 0.1)
        let voltage = String(format: "%.1f", 230.0 + Double(index % 11) * 0.1)
        let values = [
            sample(String(1_250_000 + 23 * index), .energyActiveImportRegister, .wh),
            sample(String(format: "%.1f", Double(7200 + (index % 50) * 3)), .powerActiveImport, .w),
        ] + [Phase.l1, .l2, .l3].map { sample(current, .currentImport, .a, $0) }
            + [Phase.l1N, .l2N, .l3N].map { sample(voltage, .voltage, .v, $0) }
        return MeterValuesRequest(connectorId: 1, transactionId: 4711, meterValue: [MeterValue(timestamp: timestamp, sampledValue: values)])
    }

    /// One connected charge point: sends a call, then reads frames until the tracker completes it.
    struct Session {
        let connection: OCPPConnection
        var events: AsyncStream<OCPPTransportEvent>.Iterator
        var tracker = CallTracker<ContinuousClock.Instant>(responseTimeout: .seconds(10))

        mutating func waitUntilConnected() async throws(Failure) {
            while let event = await events.next() {
                if case .connected = event { return }
            }
            throw .linkClosed("the connection stopped before it was established")
        }

        mutating func call<R: OCPPRequest>(_ request: R) async throws -> R.Confirmation {
            let call = try OutgoingCall(request)
            for case .send(let next) in tracker.submit(call, now: .now) { try await connection.send(next.frame) }
            while let event = await events.next() {
                guard case .frame(let text) = event else {
                    if case .disconnected(let reason) = event { throw Failure.linkClosed(reason) }
                    continue
                }
                let message: IncomingMessage
                switch RPCFrame.decode(text) {
                case .success(let decoded): message = decoded
                case .failure(let rejection): throw Failure.unexpectedFrame("\(rejection)")
                }
                for effect in tracker.receive(message, now: .now) {
                    switch effect {
                    case .completed(let done, .success(let payload)) where done.id == call.id:
                        guard let confirmation = payload as? R.Confirmation else {
                            throw Failure.callFailed(R.action, "the answer is not a \(R.Confirmation.self)")
                        }
                        return confirmation
                    case .completed(let done, .failure(let failure)) where done.id == call.id:
                        throw Failure.callFailed(R.action, failure.description)
                    case .completed:
                        continue
                    case .send(let next):
                        try await connection.send(next.frame)
                    case .answer(let incoming):
                        throw Failure.unexpectedFrame("a \(incoming.request.action.rawValue) call")
                    case .unmatched(let id):
                        throw Failure.unexpectedFrame("an answer with unknown id \(id)")
                    }
                }
            }
            throw Failure.linkClosed("the connection stopped")
        }
    }
}
