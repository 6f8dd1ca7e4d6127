import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import EdgeAgent

@Suite("Local API")
struct LocalAPITests {
    /// A site controller over a fresh store, and the router the daemon would serve.
    static func withRouter(_ body: (Router<BasicRequestContext>, SiteStore) async throws -> Void) async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = try simulatedSite(stateFolder: folder)
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        let now = Date()
        let runStart = try store.beginRun(at: now, version: "test")
        let site = SiteController(configuration: configuration, store: store, runStart: runStart, startedAt: now, logger: quietLogger)
        let token = APIToken(value: "test-token", origin: .configuration)
        try await body(LocalAPI.router(site: site, token: token, version: "test", startedAt: now), store)
    }

    @Test("requests without a valid bearer token get 401 with a JSON reason", arguments: [
        nil, "Bearer wrong", "Basic dGVzdC10b2tlbg==", "Bearer", "bearer test-token-and-more",
    ])
    func unauthorized(header: String?) async throws {
        try await Self.withRouter { router, _ in
            let app = Application(router: router)
            try await app.test(.router) { client in
                for path in ["/v1/status", "/v1/health", "/v1/nothing-here"] {
                    var headers = HTTPFields()
                    if let header { headers[.authorization] = header }
                    try await client.execute(uri: path, method: .get, headers: headers) { response in
                        #expect(response.status == .unauthorized)
                        #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"edge-agent\"")
                        let body = try JSONDecoder().decode(APIErrorBody.self, from: Data(buffer: response.body))
                        #expect(body.error.contains("ear"))  // names the bearer scheme or header
                    }
                }
            }
        }
    }

    @Test("status lists the station and every compartment of the simulated site")
    func status() async throws {
        try await Self.withRouter { router, _ in
            let app = Application(router: router)
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/v1/status", method: .get, headers: [.authorization: "Bearer test-token"]
                ) { response in
                    #expect(response.status == .ok)
                    let decoder = JSONDecoder()
                    decoder.dateDecodingStrategy = .iso8601
                    let status = try decoder.decode(SiteStatus.self, from: Data(buffer: response.body))
                    #expect(status.compartments.count == 12)
                    #expect(status.station.simulated)
                    #expect(Set(status.compartments.map(\.connectorId)).count == 12)
                    #expect(status.run.previousRunEndedCleanly)
                }
            }
        }
    }

    @Test("health answers ok with the version")
    func health() async throws {
        try await Self.withRouter { router, _ in
            let app = Application(router: router)
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/v1/health", method: .get, headers: [.authorization: "bearer test-token"]
                ) { response in
                    #expect(response.status == .ok)
                    let health = try JSONDecoder().decode(HealthStatus.self, from: Data(buffer: response.body))
                    #expect(health.status == "ok")
                    #expect(health.version == "test")
                }
            }
        }
    }
}
