import Foundation
import Hummingbird

/// `POST /v1/connectors/{connectorId}/availability` (docs/local-api.md, "Availability"): the operator's
/// ChangeAvailability. Operator scope (every POST needs it); the reason goes into the audit log.
extension LocalAPI {
    struct AvailabilityBody: Decodable {
        var operative: Bool?
        var reason: String?
    }

    struct AvailabilityAnswer: ResponseEncodable {
        var connectorId: Int
        /// Accepted, or Scheduled while a session holds the connector (it becomes unavailable when the session ends).
        var status: String
        var availability: ConnectorAvailabilityStatus?
    }

    static func addAvailabilityRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        v1.post("connectors/:connectorId/availability") { request, context -> AvailabilityAnswer in
            let written = context.parameters.get("connectorId") ?? ""
            guard let connectorId = Int(written) else {
                throw APIError(status: .badRequest, message: "'\(written)' is not a connector id; use a whole number (0: the whole site)")
            }
            let example = #"{"operative": false, "reason": "door repair, ticket 4711"}"#
            let body = try await decodeBody(AvailabilityBody.self, from: request, example: example)
            guard let operative = body.operative else {
                throw APIError(status: .badRequest, message: "the body needs \"operative\": true or false, e.g. \(example)")
            }
            do throws(AvailabilityError) {
                let status = try await site.changeAvailability(
                    connectorId: connectorId, operative: operative, actor: operatorActor, reason: body.reason ?? "")
                let state = await site.status().availability?.first { $0.connectorId == connectorId }
                return AvailabilityAnswer(connectorId: connectorId, status: status.rawValue, availability: state)
            } catch {
                switch error {
                case .unknownConnector: throw APIError(status: .notFound, message: error.description)
                case .missingReason: throw APIError(status: .badRequest, message: error.description)
                case .store: throw APIError(status: .internalServerError, message: error.description)
                }
            }
        }
    }
}
