import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing
@testable import EdgeAgent

/// The operator surface: live event stream, metrics, commissioning page and audit filters (docs/local-api.md).
@Suite("Local API operator surface")
struct LocalAPIOperatorSurfaceTests {
    static let readOnly = LocalAPIScopeTests.headers("read-only-token")
    static let operatorHeaders = LocalAPIScopeTests.headers("operator-token")

    static func compartment(_ name: String, door: String = "closed", lock: String = "locked",
                            session: SessionSummary? = nil) -> SiteStatus.Compartment {
        var compartment = SiteStatus.Compartment(
            name: name, connectorId: 1, status: session == nil ? "Available" : "Charging", door: door, lock: lock,
            relay: session == nil ? "off" : "on", fault: nil)
        compartment.session = session
        return compartment
    }

    static func session(id: String, state: String) throws -> SessionSummary {
        let json = """
            {"id": "\(id)", "compartment": "A1", "connectorId": 1, "state": "\(state)", "idTag": "****B3C4",
             "authorizationMethod": "rfid", "authorizationSource": "localList", "authorizedAt": "2026-11-23T07:00:00Z",
             "occupiedSeconds": 10, "chargingSeconds": 5}
            """
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(SessionSummary.self, from: Data(json.utf8))
    }

    /// Reads frames until `predicate` accepts one, or fails after `limit` frames.
    static func frame(in frames: AsyncStream<String>, limit: Int = 200, where predicate: (String) -> Bool) async -> String? {
        var seen = 0
        for await frame in frames {
            if predicate(frame) { return frame }
            seen += 1
            if seen >= limit { return nil }
        }
        return nil
    }

    static func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<400 {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    // MARK: Live events

    @Test("a compartment change is one event; a session start, state change and end each add a session event")
    func compartmentChanges() throws {
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let charging = try Self.session(id: "s1", state: "charging")
        let finishing = try Self.session(id: "s1", state: "finishing")
        let free = [1: Self.compartment("A1")]

        #expect(LiveEvent.compartmentChanges(from: free, to: free, at: at).isEmpty)
        let opened = LiveEvent.compartmentChanges(from: free, to: [1: Self.compartment("A1", door: "open")], at: at)
        #expect(opened.map(\.type) == [.compartment])
        #expect(opened.first?.compartment?.door == "open")

        let started = LiveEvent.compartmentChanges(from: free, to: [1: Self.compartment("A1", session: charging)], at: at)
        #expect(started.map(\.type) == [.compartment, .session])
        #expect(started.last?.change == "started")
        let changed = LiveEvent.compartmentChanges(
            from: [1: Self.compartment("A1", session: charging)], to: [1: Self.compartment("A1", session: finishing)], at: at)
        #expect(changed.last?.change == "changed")
        let ended = LiveEvent.compartmentChanges(from: [1: Self.compartment("A1", session: finishing)], to: free, at: at)
        #expect(ended.map(\.type) == [.compartment, .session])
        #expect(ended.last?.change == "ended" && ended.last?.session?.id == "s1")
    }

    @Test("the stream carries the unlock's audit record and compartment change, and lets go when it ends")
    func streamCarriesChangesAndCleansUp() async throws {
        try await LocalAPIScopeTests.withSite { site, _, router in
            let store = await site.store
            let stream = LiveEventStream(site: site, heartbeat: .seconds(60))
            #expect(site.liveEvents.subscriberCount == 1)
            #expect(store.auditFeed.subscriberCount == 1)
            let app = Application(router: router)
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/v1/compartments/A1/unlock", method: .post, headers: Self.operatorHeaders,
                    body: ByteBuffer(string: #"{"reason": "stream test"}"#)) { response in
                    #expect(response.status == .ok)
                }
            }
            let audit = await Self.frame(in: stream.frames) { $0.hasPrefix("event: audit\n") }
            let record = try #require(audit)
            #expect(record.contains(#""reason":"stream test""#) && record.contains(#""action":"unlock""#))
            let change = await Self.frame(in: stream.frames) {
                $0.hasPrefix("event: compartment\n") && $0.contains(#""name":"A1""#) && $0.contains(#""lock":"unlocked""#)
            }
            #expect(change != nil)
            site.connectorStatusBroadcaster.publish(ConnectorStatus(connectorId: 13, status: .charging))
            let connector = await Self.frame(in: stream.frames) { $0.hasPrefix("event: connector\n") }
            #expect(connector?.contains(#""connector":{"connectorId":13,"status":"Charging"}"#) == true)

            stream.finish()
            #expect(await Self.eventually { site.liveEvents.subscriberCount == 0 })
            #expect(await Self.eventually { store.auditFeed.subscriberCount == 0 })
            #expect(await Self.eventually { site.uplinkMonitor.changes.subscriberCount == 0 })
        }
    }

    @Test("an idle stream gets heartbeat comments")
    func heartbeat() async throws {
        try await LocalAPIScopeTests.withSite { site, _, _ in
            let stream = LiveEventStream(site: site, heartbeat: .milliseconds(20))
            let first = await Self.frame(in: stream.frames) { _ in true }
            #expect(first?.hasPrefix(": edge-agent live events") == true)
            let beat = await Self.frame(in: stream.frames) { $0.hasPrefix(": heartbeat ") }
            #expect(beat?.hasSuffix("\n\n") == true)
            stream.finish()
        }
    }

    @Test("each frame is one event line and one data line of JSON that decodes back")
    func frameFormat() throws {
        let event = LiveEvent(type: .uplink, at: Date(timeIntervalSince1970: 1_800_000_000),
                              uplink: .init(state: "offline", queueDepth: 3, detail: "connection refused"))
        let frame = LiveEventStream.frame(event)
        let lines = frame.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines[0] == "event: uplink" && lines[2].isEmpty && lines[3].isEmpty)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(LiveEvent.self, from: Data(lines[1].dropFirst("data: ".count).utf8)) == event)
    }

    @Test("a broadcaster forgets a subscriber whose task was cancelled")
    func broadcasterCleanup() async {
        let broadcaster = Broadcaster<Int>()
        let stream = broadcaster.subscribe()
        let reader = Task { for await _ in stream {} }
        #expect(broadcaster.subscriberCount == 1)
        reader.cancel()
        #expect(await Self.eventually { broadcaster.subscriberCount == 0 })
    }

    // MARK: Metrics

    @Test("a scrape shows each compartment's state, the uplink and the event stream clients as gauges")
    func scrapeGauges() async throws {
        try await LocalAPIScopeTests.withSite { site, _, _ in
            let registry = PrometheusCollectorRegistry()
            let text = await SiteMetrics.render(site: site, registry: registry, eventStreamClients: 2)
            #expect(text.contains(#"edge_agent_compartment_status{compartment="A1",status="Available"} 1"#))
            #expect(text.contains(#"edge_agent_compartment_status{compartment="A1",status="Charging"} 0"#))
            #expect(text.contains(#"edge_agent_compartment_locked{compartment="B6"} 1"#))
            #expect(text.contains(#"edge_agent_compartment_door_open{compartment="A1"} 0"#))
            #expect(text.contains("edge_agent_uplink_connected 0"))
            #expect(text.contains("edge_agent_api_event_stream_clients 2"))
            #expect(text.contains("# HELP edge_agent_compartment_relay_on "))
        }
    }

    @Test("power and energy come from the all-phase values in W and Wh, kW and kWh scaled")
    func meterTotals() {
        let device = MeteredDevice(role: .grid, name: "grid", bus: "b", unit: 1, profile: "p")
        let meter = MeterStatus(device: device, values: [
            .init(name: "power L1", value: 100, unit: "W", measurand: .powerActiveImport, phase: .l1),
            .init(name: "power", value: 1.5, unit: "kW", measurand: .powerActiveImport),
            .init(name: "energy", value: 12040, unit: "Wh", measurand: .energyActiveImportRegister),
        ], time: nil, ageSeconds: 1, stale: false)
        #expect(SiteMetrics.total(meter, .powerActiveImport, kilo: "kW") == 1500)
        #expect(SiteMetrics.total(meter, .energyActiveImportRegister, kilo: "kWh") == 12040)
        #expect(SiteMetrics.total(meter, .voltage, kilo: "kV") == nil)
    }

    @Test("door faults and Modbus errors are swift-metrics counters with their device as labels")
    func counters() {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let forced = SiteEvent(at: Date(), source: .compartment, kind: "forcedOpen", compartment: "A1")
        SiteMetrics.countHardwareEvent(forced, factory: factory)
        SiteMetrics.countHardwareEvent(forced, factory: factory)
        SiteMetrics.countHardwareEvent(SiteEvent(at: Date(), source: .compartment, kind: "doorOpened", compartment: "A1"),
                                       factory: factory)
        SiteMetrics.countModbusError(
            device: MeteredDevice(role: .compartment, name: "A2", bus: "sim-modbus", unit: 12, profile: "p"), factory: factory)
        let text = registry.emitToString()
        #expect(text.contains(#"edge_agent_door_faults_total{compartment="A1",fault="forcedOpen"} 2"#))
        #expect(!text.contains("doorOpened"))
        #expect(text.contains(#"edge_agent_modbus_errors_total{device="A2",role="compartment",bus="sim-modbus"} 1"#))
    }

    @Test("GET /metrics answers the read-only token in the text format and refuses no token")
    func metricsRoute() async throws {
        try await LocalAPIScopeTests.withSite { site, _, _ in
            let router = LocalAPI.router(site: site, tokens: LocalAPIScopeTests.tokens, version: "test", startedAt: Date(),
                                         options: .init(metricsRegistry: PrometheusCollectorRegistry()))
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/metrics", method: .get, headers: Self.readOnly) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                    #expect(String(buffer: response.body).contains("# TYPE edge_agent_compartment_locked gauge"))
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }

    // MARK: Commissioning page

    @Test("the page's files need no token, everything else still does")
    func pageWithoutToken() async throws {
        try await LocalAPIScopeTests.withSite { _, _, router in
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/", method: .get) { response in
                    #expect(response.status == .found)
                    #expect(response.headers[.location] == "/ui/")
                }
                try await client.execute(uri: "/ui/", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                    #expect(String(buffer: response.body).contains(#"<script src="/ui/app.js" defer></script>"#))
                }
                for (file, type) in [("app.js", "text/javascript"), ("app.css", "text/css")] {
                    try await client.execute(uri: "/ui/\(file)", method: .get) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.contentType]?.hasPrefix(type) == true)
                    }
                }
                for path in ["/ui/secrets.txt", "/ui/../v1/status", "/ui/%2e%2e/v1/status"] {
                    try await client.execute(uri: path, method: .get) { response in
                        #expect(response.status == .unauthorized, "\(path) is not a page file")
                    }
                }
                try await client.execute(uri: "/ui/", method: .post) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/v1/status", method: .get) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }

    // MARK: Audit filters

    @Test("the audit log filters by time, action and actor")
    func auditFilters() async throws {
        try await LocalAPIScopeTests.withSite { site, _, router in
            let store = await site.store
            let early = Date(timeIntervalSince1970: 1_800_000_000)
            try store.appendAudit(AuditRecord(recordedAt: early, actor: "central-system", action: "configuration",
                                                   target: "HeartbeatInterval", reason: "ChangeConfiguration 60"))
            try store.appendAudit(AuditRecord(recordedAt: early.addingTimeInterval(60), actor: "operator:local-api",
                                                   action: "unlock", target: "A1", reason: "ticket 1"))
            #expect(try store.auditRecords(AuditQuery(since: early.addingTimeInterval(30))).map(\.action) == ["unlock"])
            #expect(try store.auditRecords(AuditQuery(action: "configuration")).map(\.target) == ["HeartbeatInterval"])
            #expect(try store.auditRecords(AuditQuery(limit: 1, actor: "central-system")).count == 1)
            #expect(try store.auditRecords(AuditQuery()).count == 2)
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/v1/audit?since=2027-01-15T08:00:30Z&action=unlock", method: .get,
                                         headers: Self.readOnly) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains(#""target":"A1""#))
                }
                try await client.execute(uri: "/v1/audit?since=yesterday", method: .get, headers: Self.readOnly) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("since 'yesterday' is not an ISO 8601 time"))
                }
            }
        }
    }

    // MARK: Listen policy

    @Test("loopback is 127.0.0.0/8, ::1 and localhost; nothing else", arguments: [
        ("127.0.0.1", true), ("127.1.2.3", true), ("localhost", true), ("::1", true), ("0.0.0.0", false),
        ("::", false), ("10.8.0.12", false), ("127.0.0.256", false), ("1270.0.0.1", false), ("locker-a", false),
    ])
    func loopback(host: String, loopback: Bool) {
        #expect(APIListenPolicy.isLoopback(host) == loopback)
    }

    @Test("beyond loopback the API needs TLS or a reverse proxy, and TLS needs readable files")
    func listenPolicy() {
        let exists: (String) -> Bool = { $0.hasPrefix("/etc/") }
        var api = LocalAPIConfiguration(host: "0.0.0.0", port: 8080)
        let plain = APIListenPolicy.problems(api, fileExists: exists)
        #expect(plain.map(\.path) == ["api.listen"])
        #expect(plain.first?.message.contains("behindReverseProxy: true") == true)
        api.behindReverseProxy = true
        #expect(APIListenPolicy.problems(api, fileExists: exists).isEmpty)
        api.tls = LocalAPITLSConfiguration(certificate: "/etc/cert.pem", privateKey: "/tmp/key.pem")
        #expect(APIListenPolicy.problems(api, fileExists: exists).map(\.path) == ["api.behindReverseProxy", "api.tls.privateKey"])
        api.behindReverseProxy = false
        api.tls?.privateKey = "/etc/key.pem"
        #expect(APIListenPolicy.problems(api, fileExists: exists).isEmpty)
        #expect(APIListenPolicy.problems(LocalAPIConfiguration(), fileExists: exists).isEmpty)
    }

    @Test("the command line reaches a wildcard listen address on loopback, over HTTPS with api.tls")
    func requesterAddress() {
        var api = LocalAPIConfiguration(host: "0.0.0.0", port: 8443)
        #expect(LocalAPIRequester(configuration: api).baseURL == "http://127.0.0.1:8443")
        api.host = "::"
        api.tls = LocalAPITLSConfiguration(certificate: "/etc/cert.pem", privateKey: "/etc/key.pem")
        #expect(LocalAPIRequester(configuration: api).baseURL == "https://[::1]:8443")
        api.host = "10.8.0.12"
        #expect(LocalAPIRequester(configuration: api).address == "10.8.0.12:8443")
    }

    @Test("every route of the router is listed with {parameters}")
    func routeList() async throws {
        try await LocalAPIScopeTests.withSite { _, _, router in
            let routes = LocalAPI.routeList(router)
            #expect(routes.contains("POST /v1/compartments/{name}/unlock"))
            #expect(routes.contains("GET /v1/events/stream"))
            #expect(routes.contains("GET /metrics"))
            #expect(routes == routes.sorted())
        }
    }
}
