import Foundation
import OCPP

/// The vendor-specific DataTransfer messages the operations part answers (docs/ocpp.md, "DataTransfer").
public enum VendorMessages {
    /// `SiteStatus`: the site's status as JSON, the same document `GET /v1/status` returns. No request data.
    public static let siteStatus = "SiteStatus"

    /// Registers the operations part's message ids on the uplink's router.
    public static func register(on router: DataTransferRouter, site: SiteController) async {
        await router.register(messageId: siteStatus) { [site] data in
            if let data, !data.isEmpty {
                // The message takes no data; refusing it tells the sender the request was not understood.
                return DataTransferConfirmation(status: .rejected, data: "SiteStatus takes no data")
            }
            let status = await site.status()
            do {
                return DataTransferConfirmation(status: .accepted, data: try siteStatusJSON(status))
            } catch {
                return DataTransferConfirmation(status: .rejected, data: "site status could not be encoded: \(error)")
            }
        }
    }

    static func siteStatusJSON(_ status: SiteStatus) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(status), as: UTF8.self)
    }
}
