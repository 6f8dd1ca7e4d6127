import Foundation
import Hummingbird
import MeterBus

/// Driving the cars at the simulated chargers (docs/simulation.md): plug a car in or out and make it draw up to
/// the setpoint the daemon wrote. Only where the daemon serves the simulated Modbus bus itself; else 404.
extension LocalAPI {
    struct SimulatedCarBody: Decodable {
        var plugged: Bool?
        var drawing: Bool?
        /// The car's own limit per phase (A); null: none.
        var maxCurrentAmps: Double??

        enum CodingKeys: String, CodingKey { case plugged, drawing, maxCurrentAmps }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            plugged = try container.decodeIfPresent(Bool.self, forKey: .plugged)
            drawing = try container.decodeIfPresent(Bool.self, forKey: .drawing)
            maxCurrentAmps = container.contains(.maxCurrentAmps)
                ? .some(try container.decodeIfPresent(Double.self, forKey: .maxCurrentAmps)) : nil
        }
    }
    struct SimulatedChargerList: ResponseEncodable { var chargers: [SimulatedChargerState] }
    struct SimulatedChargerAnswer: ResponseEncodable { var charger: SimulatedChargerState }

    static func addSimulatedChargerRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        let chargers = v1.group("simulation").group("chargers")
        chargers.get { _, _ -> SimulatedChargerList in
            SimulatedChargerList(chargers: await (try simulatedMeters(site)).chargerStates())
        }
        chargers.post(":connectorId") { request, context -> SimulatedChargerAnswer in
            let simulation = try simulatedMeters(site)
            let text = context.parameters.get("connectorId") ?? ""
            guard let connectorId = Int(text),
                  let charger = site.configuration.chargers.first(where: { $0.connectorId == connectorId })
            else {
                let known = site.configuration.chargers.map { "\($0.connectorId) (\($0.name))" }.joined(separator: ", ")
                throw APIError(status: .notFound, message: "'\(text)' is not a charger's connector id; the chargers are: "
                    + (known.isEmpty ? "none" : known))
            }
            let body = try await decodeBody(
                SimulatedCarBody.self, from: request, example: #"{"plugged": true, "drawing": true}"#)
            guard body.plugged != nil || body.drawing != nil || body.maxCurrentAmps != nil else {
                throw APIError(status: .badRequest, message: #"give `plugged`, `drawing` and/or `maxCurrentAmps`, e.g. {"plugged": true, "drawing": true}"#)
            }
            if let limit = body.maxCurrentAmps ?? nil, !(limit >= 0 && limit <= 80) {
                throw APIError(status: .badRequest, message: "maxCurrentAmps \(limit) is out of range; use 0 to 80 A, or null for no limit")
            }
            do {
                let state = try await simulation.setCar(
                    connectorId: connectorId, plugged: body.plugged, drawing: body.drawing,
                    maxCurrentAmps: body.maxCurrentAmps, phases: charger.phases)
                return SimulatedChargerAnswer(charger: state)
            } catch {
                throw APIError(status: .notFound, message: "charger \(connectorId) is not on the simulated bus: \(error)")
            }
        }
    }
}
