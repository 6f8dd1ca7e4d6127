import Foundation
import Hummingbird

/// `POST /v1/authorize`: would this card be accepted now, and why (docs/local-api.md). Runs the same
/// decision a session start runs, including Authorize.req when the rules ask the central system.
extension LocalAPI {
    struct AuthorizeBody: Decodable {
        var idTag: String
    }

    struct AuthorizeAnswer: ResponseEncodable {
        var idTag: String
        var accepted: Bool
        /// The OCPP status: Accepted, Blocked, Expired, Invalid, ConcurrentTx.
        var status: String
        /// localList, cache, centralSystem or offlinePolicy.
        var source: String
        var parentIdTag: String?
        var reason: String?
        var askedCentralSystem: Bool?
    }

    static func addAuthorizationRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        v1.post("authorize") { request, _ -> AuthorizeAnswer in
            let body = try await decodeBody(AuthorizeBody.self, from: request, example: #"{"idTag": "04A2B3C4D5"}"#)
            guard let authorizer = site.authorizer else {
                throw APIError(status: .notFound, message: "authorization is not running in this process")
            }
            if let authorizer = authorizer as? Authorizer {
                let explanation = await authorizer.explain(idTag: body.idTag)
                return AuthorizeAnswer(explanation.outcome, idTag: body.idTag, reason: explanation.reason,
                                       asked: explanation.askedCentralSystem)
            }
            return AuthorizeAnswer(await authorizer.authorize(idTag: body.idTag), idTag: body.idTag, reason: nil, asked: nil)
        }
    }
}

extension LocalAPI.AuthorizeAnswer {
    init(_ outcome: AuthorizationOutcome, idTag: String, reason: String?, asked: Bool?) {
        self.init(
            idTag: idTag, accepted: outcome.isAccepted, status: outcome.status.rawValue, source: outcome.source.rawValue,
            parentIdTag: outcome.parentIdTag, reason: reason, askedCentralSystem: asked)
    }
}
