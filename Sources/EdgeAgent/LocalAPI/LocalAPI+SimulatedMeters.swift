import Foundation
import Hummingbird
import MeterBus

/// Driving the simulated meters (docs/simulation.md): pin values and inject faults per unit id.
/// Only where the daemon serves the simulated Modbus bus itself; elsewhere every route answers 404.
extension LocalAPI {
    struct MeterValuesBody: Decodable { var values: [String: Double?] }
    struct MeterFaultBody: Decodable { var fault: String? }
    struct SimulatedMeterList: ResponseEncodable { var meters: [SimulatedMeterSite.DeviceState] }
    struct SimulatedMeterAnswer: ResponseEncodable { var meter: SimulatedMeterSite.DeviceState }

    static func addSimulatedMeterRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        let meters = v1.group("simulation").group("meters")
        meters.get { _, _ -> SimulatedMeterList in
            let simulation = try simulatedMeters(site)
            return SimulatedMeterList(meters: await simulation.states())
        }
        meters.post(":unit") { request, context -> SimulatedMeterAnswer in
            let simulation = try simulatedMeters(site)
            let unit = try meterUnit(context)
            let body = try await decodeBody(
                MeterValuesBody.self, from: request, example: #"{"values": {"power": 1500, "Voltage": 231.5}}"#)
            try await meterCall { () async throws(SimulatorError) in try await simulation.set(unit: unit, values: body.values) }
            return try await answer(simulation, unit: unit)
        }
        meters.post(":unit/fault") { request, context -> SimulatedMeterAnswer in
            let simulation = try simulatedMeters(site)
            let unit = try meterUnit(context)
            let body = try await decodeBody(MeterFaultBody.self, from: request, example: #"{"fault": "silent"}"#)
            if let fault = body.fault, !SimulatedMeterSite.faultNames.contains(fault) {
                throw APIError(status: .badRequest, message: "fault '\(fault)' is not one of "
                    + SimulatedMeterSite.faultNames.joined(separator: ", ") + ", or null to clear it")
            }
            try await meterCall { () async throws(SimulatorError) in try await simulation.setFault(unit: unit, fault: body.fault) }
            return try await answer(simulation, unit: unit)
        }
    }

    static func simulatedMeters(_ site: SiteController) throws -> SimulatedMeterSite {
        guard let simulation = site.metering?.simulation else {
            throw APIError(status: .notFound, message: "the simulated meters are only on the simulated board, when the "
                + "daemon serves the simulated Modbus bus itself (see its log if another program held the port)")
        }
        return simulation
    }

    static func meterUnit(_ context: BasicRequestContext) throws -> Int {
        guard let text = context.parameters.get("unit"), let unit = Int(text) else {
            throw APIError(status: .badRequest, message: "'\(context.parameters.get("unit") ?? "")' is not a unit id; use e.g. /v1/simulation/meters/11")
        }
        return unit
    }

    static func answer(_ simulation: SimulatedMeterSite, unit: Int) async throws -> SimulatedMeterAnswer {
        guard let state = await simulation.states().first(where: { $0.unit == unit }) else {
            throw APIError(status: .notFound, message: "no simulated meter at unit \(unit)")
        }
        return SimulatedMeterAnswer(meter: state)
    }

    static func meterCall(_ body: () async throws(SimulatorError) -> Void) async throws {
        do {
            try await body()
        } catch {
            switch error {
            case .unknownUnit: throw APIError(status: .notFound, message: "\(error); GET /v1/simulation/meters lists the units")
            default: throw APIError(status: .badRequest, message: error.description)
            }
        }
    }
}
