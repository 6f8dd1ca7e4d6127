import Hummingbird

/// Lets a request through only with `Authorization: Bearer <token>`; anything else gets 401 and touches nothing.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: APIToken

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing Authorization header; send 'Authorization: Bearer <token>'")
        }
        let scheme = "bearer "
        guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme else {
            throw APIError.unauthorized("Authorization header is not a bearer token; send 'Authorization: Bearer <token>'")
        }
        guard token.matches(header.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)) else {
            throw APIError.unauthorized("bearer token not accepted; use the token from the API token file (make run prints it)")
        }
        return try await next(request, context)
    }
}
