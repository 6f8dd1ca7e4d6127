import Foundation
import Hummingbird

extension LocalAPI {
    struct SessionList: ResponseEncodable {
        var sessions: [SessionSummary]
    }

    /// `GET /v1/sessions[?active=true][&from=][&to=][&compartment=][&idTag=][&limit=N]`: sessions newest first,
    /// owners' idTags masked (filters: LocalAPI+SessionExport.swift).
    static func addSessionRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        addSessionExportRoute(to: v1, site: site)
        v1.get("sessions") { request, _ -> SessionList in
            let query = try sessionQuery(request, site: site)
            do {
                return SessionList(sessions: try await site.sessions(matching: query))
            } catch {
                throw APIError(status: .internalServerError, message: "the sessions cannot be read from the store: \(error)")
            }
        }
    }
}
