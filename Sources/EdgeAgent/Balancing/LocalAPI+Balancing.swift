import Foundation
import Hummingbird

/// `GET /v1/balancing` (read scope) and, on the simulated board, `GET/POST /v1/simulation/site` to set the
/// building's load and PV behind the simulated grid meter (docs/local-api.md, docs/simulation.md).
extension LocalAPI {
    struct BuildingBody: Decodable {
        var buildingLoadWatts: Double?
        var pvPeakWatts: Double?
    }

    static func addBalancingRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        v1.get("balancing") { _, _ -> BalancingReport in
            await site.balancingReport()
        }
        let building = v1.group("simulation").group("site")
        building.get { _, _ -> SimulatedMeterSite.BuildingState in
            try await simulatedMeters(site).building()
        }
        building.post { request, _ -> SimulatedMeterSite.BuildingState in
            let simulation = try simulatedMeters(site)
            let body = try await decodeBody(
                BuildingBody.self, from: request, example: #"{"buildingLoadWatts": 6000, "pvPeakWatts": 0}"#)
            for (name, value) in [("buildingLoadWatts", body.buildingLoadWatts), ("pvPeakWatts", body.pvPeakWatts)] {
                if let value, !(0...1_000_000).contains(value) {
                    throw APIError(status: .badRequest, message: "\(name) \(value) is out of range 0-1000000 (W)")
                }
            }
            return await simulation.setBuilding(loadWatts: body.buildingLoadWatts, pvPeakWatts: body.pvPeakWatts)
        }
    }
}

extension BalancingReport: ResponseEncodable {}
extension SimulatedMeterSite.BuildingState: ResponseEncodable {}
