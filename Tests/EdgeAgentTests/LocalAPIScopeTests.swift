import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EdgeAgent

@Suite("Local API token scopes")
struct LocalAPIScopeTests {
    static let tokens = APITokens(
        operatorToken: APIToken(value: "operator-token", origin: .configuration),
        readOnlyToken: APIToken(value: "read-only-token", origin: .configuration))

    /// Every state-changing route with a body that would succeed for the operator.
    static let mutatingRoutes: [(path: String, body: String)] = [
        ("/v1/compartments/A1/unlock", #"{"reason": "scope test"}"#),
        ("/v1/compartments/A1/clear-faults", #"{"reason": "scope test"}"#),
        ("/v1/simulation/compartments/A1/door", #"{"state": "open"}"#),
        ("/v1/simulation/compartments/A1/lock", #"{"jammed": true}"#),
        ("/v1/simulation/readers/front/card", #"{"idTag": "123456"}"#),
        ("/v1/simulation/readers/front/keys", #"{"keys": "1#"}"#),
        ("/v1/simulation/emergency", #"{"active": true}"#),
        ("/v1/simulation/meters/11", #"{"values": {"power": 1500}}"#),
        ("/v1/simulation/meters/11/fault", #"{"fault": "silent"}"#),
        ("/v1/authorize", #"{"idTag": "04A2B3C4D5"}"#),
    ]

    static let readRoutes = [
        "/v1/health", "/v1/status", "/v1/sessions", "/v1/sessions?active=true", "/v1/audit", "/v1/events",
        "/v1/meters", "/v1/simulation/lines", "/v1/simulation/meters",
    ]

    static func headers(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }

    /// The simulated site with its hardware running, served with both tokens.
    static func withSite(_ body: (SiteController, SiteHardware, Router<BasicRequestContext>) async throws -> Void) async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = try simulatedSite(stateFolder: folder)
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        let now = Date()
        let runStart = try store.beginRun(at: now, version: "test")
        let hardware = SiteHardware(configuration: configuration, logger: quietLogger)
        try await hardware.start()
        let site = SiteController(
            configuration: configuration, store: store, runStart: runStart, startedAt: now, logger: quietLogger,
            hardware: hardware)
        await site.followHardware()
        let router = LocalAPI.router(site: site, tokens: tokens, version: "test", startedAt: now)
        do {
            try await body(site, hardware, router)
        } catch {
            await hardware.stop()
            throw error
        }
        await hardware.stop()
    }

    @Test("the scope follows the presented token; unknown tokens have none")
    func scopeOfToken() {
        #expect(Self.tokens.scope(of: "operator-token") == .operator)
        #expect(Self.tokens.scope(of: "read-only-token") == .readOnly)
        #expect(Self.tokens.scope(of: "read-only-tokenX") == nil)
        #expect(APITokens(operatorToken: Self.tokens.operatorToken).scope(of: "read-only-token") == nil)
    }

    @Test("reading needs read-only scope, every other method operator scope")
    func requiredScope() {
        #expect(APIScope.required(for: .get) == .readOnly)
        #expect(APIScope.required(for: .head) == .readOnly)
        for method: HTTPRequest.Method in [.post, .put, .patch, .delete] {
            #expect(APIScope.required(for: method) == .operator)
        }
        #expect(APIScope.operator.grants(.operator) && APIScope.operator.grants(.readOnly))
        #expect(APIScope.readOnly.grants(.readOnly) && !APIScope.readOnly.grants(.operator))
    }

    @Test("the read-only token reads every GET route")
    func readOnlyReads() async throws {
        try await Self.withSite { _, _, router in
            try await Application(router: router).test(.router) { client in
                for path in Self.readRoutes {
                    try await client.execute(uri: path, method: .get, headers: Self.headers("read-only-token")) { response in
                        #expect(response.status != .unauthorized && response.status != .forbidden, "\(path)")
                    }
                }
                try await client.execute(uri: "/v1/status", method: .get, headers: Self.headers("read-only-token")) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test("the read-only token gets 403 naming operator scope on every POST route, and nothing changes")
    func readOnlyCannotChange() async throws {
        try await Self.withSite { site, hardware, router in
            let simulation = try #require(hardware.simulation)
            let statusBefore = await site.status()
            let linesBefore = await simulation.lineLevels()
            let auditBefore = try await site.auditRecords(limit: 1000)
            try await Application(router: router).test(.router) { client in
                for route in Self.mutatingRoutes {
                    try await client.execute(
                        uri: route.path, method: .post, headers: Self.headers("read-only-token"),
                        body: ByteBuffer(string: route.body)
                    ) { response in
                        #expect(response.status == .forbidden, "\(route.path)")
                        let error = try JSONDecoder().decode(APIErrorBody.self, from: Data(buffer: response.body)).error
                        #expect(error.contains("operator scope"), "\(route.path): \(error)")
                    }
                }
            }
            #expect(await site.status() == statusBefore)
            #expect(await simulation.lineLevels() == linesBefore)
            #expect(try await site.auditRecords(limit: 1000) == auditBefore)
            #expect(await !site.recentEvents(limit: 50).contains { $0.kind == "cardPresented" })
        }
    }

    @Test("the operator token unlocks and drives the simulation; wrong tokens still get 401")
    func operatorChanges() async throws {
        try await Self.withSite { site, _, router in
            try await Application(router: router).test(.router) { client in
                try await client.execute(
                    uri: "/v1/compartments/A1/unlock", method: .post, headers: Self.headers("operator-token"),
                    body: ByteBuffer(string: #"{"reason": "scope test"}"#)
                ) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(
                    uri: "/v1/simulation/compartments/A2/door", method: .post, headers: Self.headers("operator-token"),
                    body: ByteBuffer(string: #"{"state": "open"}"#)
                ) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(
                    uri: "/v1/compartments/A1/unlock", method: .post, headers: Self.headers("not-a-token"),
                    body: ByteBuffer(string: #"{"reason": "scope test"}"#)
                ) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            let audit = try await site.auditRecords(limit: 10)
            #expect(audit.contains { $0.action == "unlock" && $0.target == "A1" && $0.reason == "scope test" })
        }
    }
}
