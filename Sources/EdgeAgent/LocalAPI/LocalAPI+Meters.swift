import Foundation
import Hummingbird

/// `GET /v1/meters`: every configured Modbus device with its latest values, their time and age, and staleness.
extension LocalAPI {
    struct MeterList: ResponseEncodable {
        /// Seconds without a good reading after which a device is stale.
        var staleAfterSeconds: Double
        var meters: [MeterStatus]
    }

    static func addMeterRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        v1.get("meters") { _, _ -> MeterList in
            guard let metering = site.metering else {
                throw APIError(status: .notFound, message: "metering is not running in this process")
            }
            return MeterList(staleAfterSeconds: metering.staleAfter.seconds, meters: await metering.statuses())
        }
    }
}
