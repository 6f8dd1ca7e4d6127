import Foundation
import OCPP

extension SiteController {
    /// A restored session whose StartTransaction the uplink had confirmed (and recorded) just before a crash,
    /// before the session took the central system's transactionId: it takes it now from the uplink's store.
    func adoptConfirmedTransactionIds() {
        let waiting = sessionView.records.values.filter { $0.localTransactionId != nil && $0.centralTransactionId == nil }
        guard !waiting.isEmpty, let map = try? store.transactionIdMap() else { return }
        for record in waiting {
            guard let local = record.localTransactionId, let central = map.centralIDs[LocalTransactionID(local)] else { continue }
            logger.notice("session takes the transactionId the central system confirmed before the restart", metadata: [
                "session": "\(record.id)", "transactionId": "\(central)",
            ])
            updateSession(record.id) { $0.centralTransactionId = central }
        }
    }
}
