import Foundation
import Hummingbird

/// Operator routes on the hardware (docs/local-api.md): unlock with a reason, acknowledge faults, the audit
/// log and the recent hardware events.
extension LocalAPI {
    /// Who the audit log names for actions taken through this API.
    static let operatorActor = "operator:local-api"

    struct ReasonBody: Decodable {
        var reason: String?
    }

    struct AuditList: ResponseEncodable {
        var records: [AuditRecord]
    }

    struct EventList: ResponseEncodable {
        var events: [SiteEvent]
    }

    static func addHardwareRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        v1.post("compartments/:name/unlock") { request, context -> UnlockResult in
            let name = try compartmentName(context, site: site)
            let body = try await decodeBody(ReasonBody.self, from: request, example: #"{"reason": "driver locked out, ticket 4711"}"#)
            do throws(OperatorActionError) {
                return try await site.operatorUnlock(compartment: name, reason: body.reason ?? "", actor: operatorActor)
            } catch {
                throw apiError(error)
            }
        }
        v1.post("compartments/:name/clear-faults") { request, context -> SiteStatus.Compartment in
            let name = try compartmentName(context, site: site)
            let body = try await decodeBody(ReasonBody.self, from: request, example: #"{"reason": "door repaired"}"#)
            do throws(OperatorActionError) {
                guard let state = try await site.operatorClearFaults(compartment: name, reason: body.reason ?? "", actor: operatorActor)
                else { throw OperatorActionError.noHardware }
                return state
            } catch {
                throw apiError(error)
            }
        }
        v1.get("audit") { request, _ -> AuditList in
            let query = try auditQuery(request)
            do {
                return AuditList(records: try await site.auditRecords(query))
            } catch {
                throw APIError(status: .internalServerError, message: "the audit log cannot be read: \(error)")
            }
        }
        v1.get("events") { request, _ -> EventList in
            EventList(events: await site.recentEvents(limit: try limitParameter(request, default: 50)))
        }
    }

    /// The compartment named in the path, or 404 naming the ones that exist.
    static func compartmentName(_ context: BasicRequestContext, site: SiteController) throws -> String {
        // Path parameters arrive percent-encoded (`A%201` for "A 1").
        let written = context.parameters.get("name") ?? ""
        let name = written.removingPercentEncoding ?? written
        guard let compartment = site.configuration.compartment(named: name) else {
            throw APIError(status: .notFound, message: OperatorActionError.unknownCompartment(
                name, known: site.configuration.compartments.map(\.name)).description)
        }
        return compartment.name
    }

    static func apiError(_ error: OperatorActionError) -> APIError {
        switch error {
        case .unknownCompartment: APIError(status: .notFound, message: error.description)
        case .missingReason: APIError(status: .badRequest, message: error.description)
        case .noHardware: APIError(status: .serviceUnavailable, message: error.description)
        case .store: APIError(status: .internalServerError, message: error.description)
        }
    }

    /// `?limit=` between 1 and 1000.
    static func limitParameter(_ request: Request, default value: Int) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return value }
        guard let limit = Int(text), (1...1000).contains(limit) else {
            throw APIError(status: .badRequest, message: "limit '\(text)' is not a number from 1 to 1000")
        }
        return limit
    }

    /// Decodes a small JSON body, or answers 400 with what was wrong and an example of what works.
    static func decodeBody<Body: Decodable>(_ type: Body.Type, from request: Request, example: String) async throws -> Body {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: 16 * 1024)
        } catch {
            throw APIError(status: .contentTooLarge, message: "the request body is larger than 16 KiB; send e.g. \(example)")
        }
        let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
        guard !bytes.isEmpty else {
            throw APIError(status: .badRequest, message: "this request needs a JSON body, e.g. \(example)")
        }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw APIError(status: .badRequest, message: "the JSON body was not understood (\(describe(error))); send e.g. \(example)")
        } catch {
            throw APIError(status: .badRequest, message: "the body is not JSON; send e.g. \(example)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case let .keyNotFound(key, context): return "field '\(path(context.codingPath + [key]))' is missing"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "field '\(path(context.codingPath))' has the wrong type"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "not valid JSON" : "field '\(path(context.codingPath))' has an invalid value"
        @unknown default: return "unexpected shape"
        }
    }
}

extension UnlockResult: ResponseEncodable {}
extension SiteStatus.Compartment: ResponseEncodable {}
