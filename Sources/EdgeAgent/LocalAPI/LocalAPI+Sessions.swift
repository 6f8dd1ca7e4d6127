import Foundation
import Hummingbird

extension LocalAPI {
    struct SessionList: ResponseEncodable {
        var sessions: [SessionSummary]
    }

    /// `GET /v1/sessions[?active=true][&limit=N]`: sessions newest first, owners' idTags masked.
    static func addSessionRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        v1.get("sessions") { request, _ -> SessionList in
            let limit = try limitParameter(request, default: 100)
            let active: Bool
            switch request.uri.queryParameters.get("active") {
            case nil, "false": active = false
            case "true": active = true
            case let other?: throw APIError(status: .badRequest, message: "active '\(other)' is not true or false")
            }
            do {
                return SessionList(sessions: try await site.sessions(activeOnly: active, limit: limit))
            } catch {
                throw APIError(status: .internalServerError, message: "the sessions cannot be read from the store: \(error)")
            }
        }
    }
}
