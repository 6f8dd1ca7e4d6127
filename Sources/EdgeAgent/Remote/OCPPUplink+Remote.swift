import Foundation
import Logging
import Metrics
import OCPP

/// What the uplink needs from the site to carry out the central system's session calls: remote start and stop,
/// reservations (Remote/SiteController+RemoteStart.swift, Remote/SiteController+Reservations.swift).
public protocol RemoteSessionControlling: Sendable {
    /// `authorizeFirst`: AuthorizeRemoteTxRequests; the idTag goes through the same authorization as a card.
    func remoteStart(connectorId: Int?, idTag: String, authorizeFirst: Bool) async -> RemoteStartStopStatus
    func remoteStop(transactionId: Int) async -> RemoteStartStopStatus
    func reserveNow(_ request: ReserveNowRequest, connectorZeroSupported: Bool) async -> ReservationStatus
    func cancelReservation(_ reservationId: Int) async -> CancelReservationStatus
}

extension OCPPUplink {
    /// Answers RemoteStartTransaction, RemoteStopTransaction, ReserveNow and CancelReservation; false for any other
    /// call, and without a site that can carry them out (then they answer NotSupported like any unsupported
    /// call). The answer is worked out off the event loop and sent when ready: with AuthorizeRemoteTxRequests the
    /// site asks the central system (Authorize) first, and that answer arrives through this same loop.
    func answerRemoteSessionCall(_ call: IncomingCall) -> Bool {
        guard let site = connectors as? any RemoteSessionControlling else { return false }
        switch call.request {
        case .remoteStartTransaction(let request):
            let authorizeFirst = registry.bool(.authorizeRemoteTxRequests, in: keys) ?? false
            // A chargingProfile is smart charging's to apply (SmartCharging/: installRemoteStartProfile before the
            // site starts, dropRemoteStartProfile when it answers Rejected); it is never a reason to refuse the start.
            let smartCharging = smartCharging
            respond(to: call) {
                if let profile = request.chargingProfile {
                    _ = await smartCharging?.installRemoteStartProfile(profile, connectorId: request.connectorId, idTag: request.idTag)
                }
                let status = await site.remoteStart(
                    connectorId: request.connectorId, idTag: request.idTag, authorizeFirst: authorizeFirst)
                if status != .accepted, request.chargingProfile != nil {
                    await smartCharging?.dropRemoteStartProfile(idTag: request.idTag)
                }
                return RemoteStartTransactionConfirmation(status: status)
            }
        case .remoteStopTransaction(let request):
            respond(to: call) {
                RemoteStopTransactionConfirmation(status: await site.remoteStop(transactionId: request.transactionId))
            }
        case .reserveNow(let request):
            let connectorZero = registry.bool(.reserveConnectorZeroSupported, in: keys) ?? false
            respond(to: call) {
                ReserveNowConfirmation(status: await site.reserveNow(request, connectorZeroSupported: connectorZero))
            }
        case .cancelReservation(let request):
            respond(to: call) {
                CancelReservationConfirmation(status: await site.cancelReservation(request.reservationId))
            }
        default:
            return false
        }
        return true
    }

    private nonisolated func respond<P: OCPPPayload & RemoteCallConfirmation>(
        to call: IncomingCall, _ work: @escaping @Sendable () async -> P
    ) {
        let outbox = outbox
        let logger = logger
        Task {
            let confirmation = await work()
            Counter(label: "edge_agent_remote_calls_total", dimensions: [
                ("action", call.request.action.rawValue), ("status", confirmation.statusText),
            ]).increment()
            do {
                outbox.yield(try RPCFrame.callResult(id: call.id, confirmation: confirmation))
            } catch {
                logger.error("our confirmation breaks its schema", metadata: [
                    "action": "\(call.request.action.rawValue)", "problem": "\(error)",
                ])
                outbox.yield(RPCFrame.callError(
                    id: call.id, code: .internalError, description: "confirmation could not be encoded: \(error)"))
            }
        }
    }
}

/// The confirmations answered here, for the `edge_agent_remote_calls_total` counter's `status` dimension.
protocol RemoteCallConfirmation {
    var statusText: String { get }
}

extension RemoteStartTransactionConfirmation: RemoteCallConfirmation {
    var statusText: String { status.rawValue }
}

extension RemoteStopTransactionConfirmation: RemoteCallConfirmation {
    var statusText: String { status.rawValue }
}

extension ReserveNowConfirmation: RemoteCallConfirmation {
    var statusText: String { status.rawValue }
}

extension CancelReservationConfirmation: RemoteCallConfirmation {
    var statusText: String { status.rawValue }
}
