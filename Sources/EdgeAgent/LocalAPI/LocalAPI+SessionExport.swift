import Foundation
import Hummingbird

extension LocalAPI {
    /// Most sessions one export holds.
    static let exportLimit = 100_000

    /// `GET /v1/sessions/export?format=csv|xml[&from=][&to=][&compartment=][&idTag=]` (read scope): the sessions
    /// that started in [from, to), oldest first, as CSV (RFC 4180, header row) or XML.
    static func addSessionExportRoute(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        v1.get("sessions/export") { request, _ -> Response in
            let formatText = request.uri.queryParameters.get("format") ?? "csv"
            guard let format = SessionExportFormat(rawValue: formatText.lowercased()) else {
                throw APIError(status: .badRequest, message: "format '\(formatText)' is not csv or xml")
            }
            var query = try sessionQuery(request, site: site)
            query.limit = exportLimit
            let text: String
            do {
                text = try await site.exportSessions(matching: query, format: format)
            } catch {
                throw APIError(status: .internalServerError, message: "the sessions cannot be read from the store: \(error)")
            }
            var headers = HTTPFields()
            headers[.contentType] = format.contentType
            headers[.contentDisposition] = "attachment; filename=\"sessions.\(format.rawValue)\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// The filters `GET /v1/sessions` and the export share: `active`, `from`, `to` (ISO 8601, e.g.
    /// `2026-11-23T00:00:00Z` or `2026-11-23`), `compartment` (as drivers type it), `idTag`, `limit`.
    static func sessionQuery(_ request: Request, site: SiteController) throws -> SessionQuery {
        let parameters = request.uri.queryParameters
        var query = SessionQuery(limit: try limitParameter(request, default: 100))
        switch parameters.get("active") {
        case nil, "false": query.activeOnly = false
        case "true": query.activeOnly = true
        case let other?: throw APIError(status: .badRequest, message: "active '\(other)' is not true or false")
        }
        query.from = try parameters.get("from").map { try time($0, "from") }
        query.to = try parameters.get("to").map { try time($0, "to") }
        if let from = query.from, let to = query.to, from >= to {
            throw APIError(status: .badRequest, message: "from must be before to (sessions are selected by their start, from inclusive, to exclusive)")
        }
        if let name = parameters.get("compartment") {
            // A charger's sessions carry the charger's name as their compartment (Chargers/).
            guard let compartment = site.configuration.compartment(named: name)?.name
                ?? site.configuration.chargers.first(where: { $0.name.lowercased() == name.lowercased() })?.name
            else {
                let known = (site.configuration.compartments.map(\.name) + site.configuration.chargers.map(\.name))
                    .joined(separator: ", ")
                throw APIError(status: .notFound, message: "compartment '\(name)' does not exist; known compartments and chargers: \(known)")
            }
            query.compartment = compartment
        }
        if let idTag = parameters.get("idTag") {
            guard !idTag.isEmpty, idTag.count <= 20 else {
                throw APIError(status: .badRequest, message: "idTag must be 1 to 20 characters (an OCPP idToken)")
            }
            query.idTag = idTag
        }
        return query
    }

    /// An ISO 8601 time with a zone (`2026-11-23T08:00:00Z`, `...+01:00`, fractions allowed) or a date (midnight UTC).
    static func time(_ text: String, _ name: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        throw APIError(status: .badRequest, message: "\(name) '\(text)' is not an ISO 8601 time; write e.g. 2026-11-23T08:00:00Z or 2026-11-23")
    }
}
