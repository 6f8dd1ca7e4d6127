import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceLifecycle
import Testing
@testable import EdgeAgent

/// `GET /v1/meters` and `/v1/simulation/meters` against a metering service polling the simulated bus over TCP.
@Suite("Metering API")
struct MeteringAPITests {
    struct MeterList: Decodable {
        var staleAfterSeconds: Double
        var meters: [MeterStatus]
    }

    static let auth: HTTPFields = [.authorization: "Bearer test-token", .contentType: "application/json"]

    static func decode(_ buffer: ByteBuffer) throws -> MeterList {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(MeterList.self, from: Data(buffer: buffer))
    }

    @Test("meters are listed fresh; a fault set through the API makes one stale, clearing it recovers")
    func metersAndFaults() async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let draft = try MeteringServiceTests.site(port: 1, stateFolder: folder)
        let simulation = try SimulatedMeterSite(
            devices: SimulatedMeterSite.devices(of: draft, bus: "sim-modbus", catalog: SiteProfiles.catalog(for: draft)),
            host: "127.0.0.1", port: 0, start: Date(), logger: quietLogger)
        let port = try await simulation.start(at: Date())
        defer { simulation.simulator.stop() }
        let configuration = try MeteringServiceTests.site(port: port, stateFolder: folder)
        let metering = MeteringService(
            configuration: configuration, catalog: SiteProfiles.catalog(for: configuration),
            pollInterval: .milliseconds(200), staleAfter: .seconds(1), simulation: simulation, logger: quietLogger)
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        let now = Date()
        let site = SiteController(configuration: configuration, store: store, runStart: try store.beginRun(at: now, version: "test"),
                                  startedAt: now, logger: quietLogger, metering: metering)
        let router = LocalAPI.router(site: site, token: APIToken(value: "test-token", origin: .configuration),
                                     version: "test", startedAt: now)
        let group = ServiceGroup(configuration: .init(services: [metering], logger: quietLogger))
        let running = Task { try await group.run() }
        defer { running.cancel() }

        try await Application(router: router).test(.router) { client in
            func meters() async throws -> [String: MeterStatus] {
                try await client.execute(uri: "/v1/meters", method: .get, headers: Self.auth) { response in
                    #expect(response.status == .ok)
                    let list = try Self.decode(response.body)
                    #expect(list.staleAfterSeconds == 1)
                    return Dictionary(uniqueKeysWithValues: list.meters.map { ($0.device.name, $0) })
                }
            }
            #expect(await MeteringServiceTests.eventually {
                (try? await meters())?.values.allSatisfy { $0.time != nil && !$0.stale } == true
            })
            #expect(try await meters().count == 16)

            try await client.execute(uri: "/v1/simulation/meters/100/fault", method: .post, headers: Self.auth,
                                     body: ByteBuffer(string: #"{"fault": "silent"}"#)) { response in
                #expect(response.status == .ok)
            }
            #expect(await MeteringServiceTests.eventually { (try? await meters())?["grid"]?.stale == true })
            #expect(try await meters()["A1"]?.stale == false)
            try await client.execute(uri: "/v1/simulation/meters/100/fault", method: .post, headers: Self.auth,
                                     body: ByteBuffer(string: #"{"fault": null}"#)) { response in
                #expect(response.status == .ok)
            }
            #expect(await MeteringServiceTests.eventually { (try? await meters())?["grid"]?.stale == false })

            try await client.execute(uri: "/v1/simulation/meters/100/fault", method: .post, headers: Self.auth,
                                     body: ByteBuffer(string: #"{"fault": "fire"}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v1/simulation/meters/42", method: .post, headers: Self.auth,
                                     body: ByteBuffer(string: #"{"values": {"power": 1}}"#)) { response in
                #expect(response.status == .notFound)
            }
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test("without metering (a controller run alone) the routes answer 404 with a reason")
    func withoutMetering() async throws {
        try await LocalAPITests.withRouter { router, _ in
            try await Application(router: router).test(.router) { client in
                for (uri, method) in [("/v1/meters", HTTPRequest.Method.get), ("/v1/simulation/meters/11/fault", .post)] {
                    try await client.execute(uri: uri, method: method, headers: Self.auth,
                                             body: ByteBuffer(string: #"{"fault": null}"#)) { response in
                        #expect(response.status == .notFound)
                        let body = try JSONDecoder().decode(APIErrorBody.self, from: Data(buffer: response.body))
                        #expect(!body.error.isEmpty)
                    }
                }
            }
        }
    }
}
