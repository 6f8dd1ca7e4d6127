import Foundation
import Testing

@testable import OCPP

@Suite("Transport: endpoint URL and configuration checks")
struct TransportEndpointTests {
    @Test func wsURLGetsDefaultPortAndIdentityAppendedToPath() throws {
        let endpoint = try OCPPEndpoint(centralSystemURL: "ws://csms.example.com/ocpp/v16", stationIdentity: "LOCKER-01")
        #expect(endpoint.usesTLS == false)
        #expect(endpoint.host == "csms.example.com")
        #expect(endpoint.port == 80)
        #expect(endpoint.requestTarget == "/ocpp/v16/LOCKER-01")
        #expect(endpoint.hostHeader == "csms.example.com")
        #expect(endpoint.urlString == "ws://csms.example.com/ocpp/v16/LOCKER-01")
    }

    @Test func wssURLGetsPort443AndExplicitPortsAreKept() throws {
        let secure = try OCPPEndpoint(centralSystemURL: "wss://csms.example.com/ocpp/", stationIdentity: "CP1")
        #expect(secure.usesTLS)
        #expect(secure.port == 443)
        #expect(secure.requestTarget == "/ocpp/CP1")
        let explicit = try OCPPEndpoint(centralSystemURL: "WSS://csms.example.com:8443", stationIdentity: "CP1")
        #expect(explicit.port == 8443)
        #expect(explicit.requestTarget == "/CP1")
        #expect(explicit.hostHeader == "csms.example.com:8443")
    }

    @Test func identityIsPercentEncodedAsOneSegmentAndQueryIsKept() throws {
        let endpoint = try OCPPEndpoint(centralSystemURL: "ws://10.0.0.5:9000/ws?tenant=a", stationIdentity: "Locker 7/ü")
        #expect(endpoint.requestTarget == "/ws/Locker%207%2F%C3%BC?tenant=a")
        #expect(OCPPEndpoint.percentEncode("A-z_0.9~") == "A-z_0.9~")
        #expect(OCPPEndpoint.percentEncode("a:b@c") == "a%3Ab%40c")
    }

    @Test func ipv6HostIsBracketedInHostHeader() throws {
        let endpoint = try OCPPEndpoint(centralSystemURL: "ws://[::1]:9000/ocpp", stationIdentity: "CP1")
        #expect(endpoint.host == "::1")
        #expect(endpoint.hostHeader == "[::1]:9000")
    }

    @Test(arguments: ["http://csms.example.com/ocpp", "csms.example.com", "ws:///nohost", "ws://user:pw@host/ocpp"])
    func unsupportedURLsAreRejected(url: String) {
        #expect(throws: OCPPConnectionError.self) {
            try OCPPEndpoint(centralSystemURL: url, stationIdentity: "CP1")
        }
    }

    @Test func emptyIdentityIsRejected() {
        #expect(throws: OCPPConnectionError.self) {
            try OCPPEndpoint(centralSystemURL: "ws://host/ocpp", stationIdentity: "")
        }
    }

    @Test(arguments: [
        (OCPPSecurityProfile.unsecured, "wss://host/ocpp"), (.basicAuth, "wss://host/ocpp"),
        (.tlsBasicAuth, "ws://host/ocpp"), (.tlsClientCertificate, "ws://host/ocpp"),
    ])
    func profileAndSchemeMustMatch(profile: OCPPSecurityProfile, url: String) {
        let configuration = OCPPConnectionConfiguration(
            centralSystemURL: url, stationIdentity: "CP1", securityProfile: profile, password: "0123456789abcdef",
            clientCertificatePath: "/etc/hostname", clientKeyPath: "/etc/hostname")
        #expect(throws: OCPPConnectionError.securityProfileMismatch(profile: profile, url: url)) {
            try configuration.validatedEndpoint()
        }
        let error = OCPPConnectionError.securityProfileMismatch(profile: profile, url: url)
        #expect(error.description.contains("requires a \(profile.requiredScheme):// URL"))
    }

    @Test func basicAuthProfilesNeedAPasswordAndProfile3NeedsCertificateFiles() {
        let noPassword = OCPPConnectionConfiguration(
            centralSystemURL: "ws://host/ocpp", stationIdentity: "CP1", securityProfile: .basicAuth)
        #expect(throws: OCPPConnectionError.self) { try noPassword.validatedEndpoint() }
        let noCertificate = OCPPConnectionConfiguration(
            centralSystemURL: "wss://host/ocpp", stationIdentity: "CP1", securityProfile: .tlsClientCertificate)
        #expect(throws: OCPPConnectionError.self) { try noCertificate.validatedEndpoint() }
        let missingBundle = OCPPConnectionConfiguration(
            centralSystemURL: "wss://host/ocpp", stationIdentity: "CP1", securityProfile: .tlsBasicAuth,
            password: "secret-secret-16", caBundlePath: "/nonexistent/ca.pem")
        #expect(throws: OCPPConnectionError.unreadableFile(role: "CA bundle", path: "/nonexistent/ca.pem")) {
            try missingBundle.validatedEndpoint()
        }
    }

    @Test func basicAuthHeaderIsIdentityColonPasswordInBase64() {
        let configuration = OCPPConnectionConfiguration(
            centralSystemURL: "ws://host/ocpp", stationIdentity: "CP1", securityProfile: .basicAuth,
            password: "s3cret-key-12345")
        #expect(configuration.basicAuthorizationHeader == "Basic " + Data("CP1:s3cret-key-12345".utf8).base64EncodedString())
        var profile3 = configuration
        profile3.securityProfile = .tlsClientCertificate
        #expect(profile3.basicAuthorizationHeader == nil)
    }

    @Test func upgradeRequestAsksForOCPP16AndCarriesCredentials() throws {
        let configuration = OCPPConnectionConfiguration(
            centralSystemURL: "ws://host:8080/ocpp", stationIdentity: "CP 1", securityProfile: .basicAuth,
            password: "s3cret-key-12345")
        let head = WebSocketConnector.upgradeRequestHead(
            configuration: configuration, endpoint: try configuration.validatedEndpoint())
        #expect(head.uri == "/ocpp/CP%201")
        #expect(head.headers["Sec-WebSocket-Protocol"] == ["ocpp1.6"])
        #expect(head.headers["Host"] == ["host:8080"])
        #expect(head.headers["Authorization"] == [configuration.basicAuthorizationHeader!])
    }

    @Test func descriptionNeverShowsThePassword() {
        let configuration = OCPPConnectionConfiguration(
            centralSystemURL: "ws://host/ocpp", stationIdentity: "CP1", securityProfile: .basicAuth,
            password: "very-secret-value")
        #expect(!configuration.description.contains("very-secret-value"))
        #expect(!String(reflecting: configuration).contains("very-secret-value"))
        #expect(configuration.description.contains("password: set"))
    }

    @Test func passwordFileIsTrimmedAndEmptyFileIsAnError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ocpp-pw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("authorization-key").path
        try "  0123456789abcdef0123\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try OCPPConnectionConfiguration.loadPassword(fromFile: file) == "0123456789abcdef0123")
        try "\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: OCPPConnectionError.self) { try OCPPConnectionConfiguration.loadPassword(fromFile: file) }
        #expect(throws: OCPPConnectionError.unreadableFile(role: "password (AuthorizationKey)", path: file + ".missing")) {
            try OCPPConnectionConfiguration.loadPassword(fromFile: file + ".missing")
        }
    }
}
