import Foundation
import OCPP

/// Routes the central system's DataTransfer.req for this charge point's vendor id to the part of the daemon that
/// owns the message id (e.g. the SMS relay). Parts register at wiring time; the uplink asks `answer`.
/// OCPP 1.6 §5.6: another vendor id is UnknownVendorId, an unregistered message id UnknownMessageId.
public actor DataTransferRouter {
    /// Handles one message id's data; returns the status and optional data of the DataTransfer.conf.
    public typealias Handler = @Sendable (_ data: String?) async -> DataTransferConfirmation

    /// The vendor id this charge point answers to (from the site file).
    public nonisolated let vendorId: String
    private var handlers: [String: Handler] = [:]

    public init(vendorId: String) {
        self.vendorId = vendorId
    }

    /// Registers the handler of one message id; a second registration for the same id replaces the first.
    public func register(messageId: String, _ handler: @escaping Handler) {
        handlers[messageId] = handler
    }

    public var messageIds: [String] { handlers.keys.sorted() }

    public func answer(_ request: DataTransferRequest) async -> DataTransferConfirmation {
        guard request.vendorId == vendorId else { return DataTransferConfirmation(status: .unknownVendorId) }
        guard let messageId = request.messageId, let handler = handlers[messageId] else {
            return DataTransferConfirmation(status: .unknownMessageId)
        }
        return await handler(request.data)
    }
}
