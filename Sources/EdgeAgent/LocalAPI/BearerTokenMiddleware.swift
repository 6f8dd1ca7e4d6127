import Hummingbird

/// Lets a request through only with `Authorization: Bearer <token>`; anything else gets 401 and touches nothing.
/// It also enforces the token's scope, in this one place for every route: a read-only token may only read
/// (GET, HEAD); every other method changes state and needs the operator token, else 403 before any handler runs.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: APITokens

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // The commissioning page's static files hold no data; the page asks for the token and sends it itself.
        if request.method == .get || request.method == .head, CommissioningPage.isPagePath(request.uri.path) {
            return try await next(request, context)
        }
        // The SMS gateway's webhook is signed instead; its handler refuses a missing or wrong signature (SMS/).
        if request.method == .post, request.uri.path == LocalAPI.smsWebhookPath {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing Authorization header; send 'Authorization: Bearer <token>'")
        }
        let scheme = "bearer "
        guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme else {
            throw APIError.unauthorized("Authorization header is not a bearer token; send 'Authorization: Bearer <token>'")
        }
        guard let scope = tokens.scope(of: header.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)) else {
            throw APIError.unauthorized("bearer token not accepted; use the token from the API token file (make run prints it)")
        }
        let required = APIScope.required(for: request.method)
        guard scope.grants(required) else {
            throw APIError(status: .forbidden, message: "\(request.method) \(request.uri.path) changes state and needs "
                + "operator scope; this is the read-only token. Use the operator token (edge-agent token)")
        }
        return try await next(request, context)
    }
}

extension APIScope {
    /// Reading (GET, HEAD) needs read-only scope; every other method changes state and needs operator scope.
    static func required(for method: HTTPRequest.Method) -> APIScope {
        method == .get || method == .head ? .readOnly : .operator
    }

    /// Operator scope includes read-only scope.
    func grants(_ required: APIScope) -> Bool {
        self == .operator || required == .readOnly
    }
}
