import Foundation
import Testing

@testable import OCPP

/// Security profiles 2 and 3 against a TLS WebSocket peer, with a PKI made by the openssl CLI.
@Suite("Transport: TLS security profiles 2 and 3")
struct TransportTLSTests {
    let password = "tls-profile-password-1"

    func pki() throws -> TestPKI { try TestPKI.shared.get() }

    func configuration(
        port: Int, identity: String, profile: OCPPSecurityProfile, caBundle: String, host: String = "localhost",
        clientCertificate: String? = nil, clientKey: String? = nil
    ) -> OCPPConnectionConfiguration {
        OCPPConnectionConfiguration(
            centralSystemURL: "wss://\(host):\(port)/ocpp", stationIdentity: identity, securityProfile: profile,
            password: profile.usesBasicAuth ? password : nil, caBundlePath: caBundle,
            clientCertificatePath: clientCertificate, clientKeyPath: clientKey,
            pingInterval: .zero, backoff: TransportConnectionTests.fastBackoff, connectTimeout: .seconds(5))
    }

    func tlsFailure(_ reason: OCPPDisconnectReason) -> OCPPConnectionError.TLSFailure? {
        if case .connectFailed(.tlsHandshakeFailed(_, let failure, _)) = reason { return failure }
        return nil
    }

    @Test func profile2WithTrustedServerConnectsAndSendsBasicAuth() async throws {
        let pki = try pki()
        let peer = try await PythonPeer.start(
            identity: "CP-TLS-2", ["--cert", pki.serverCertificate, "--key", pki.serverKey, "--password", password])
        defer { peer.kill() }
        let harness = ConnectionHarness(configuration(
            port: peer.port, identity: "CP-TLS-2", profile: .tlsBasicAuth, caBundle: pki.caCertificate))
        try await harness.waitConnected()
        let welcome = try await harness.nextFrame()
        #expect(welcome.contains(#""subprotocol": "ocpp1.6""#))
        #expect(welcome.contains("Basic " + Data("CP-TLS-2:\(password)".utf8).base64EncodedString()))
        try await harness.connection.send("over tls")
        #expect(try await harness.nextFrame() == "echo:over tls")
        await harness.stop()
    }

    @Test func serverSignedByAnotherCAIsNotTrusted() async throws {
        let pki = try pki()
        let peer = try await PythonPeer.start(
            identity: "CP-TLS-2", ["--cert", pki.serverCertificate, "--key", pki.serverKey, "--password", password])
        defer { peer.kill() }
        let harness = ConnectionHarness(configuration(
            port: peer.port, identity: "CP-TLS-2", profile: .tlsBasicAuth, caBundle: pki.otherCACertificate))
        let reason = try await harness.nextDisconnect()
        #expect(tlsFailure(reason) == .untrustedCertificate, "got \(reason)")
        #expect(reason.description.contains("not trusted"))
        await harness.stop()
    }

    @Test func certificateForAnotherHostNameIsRejected() async throws {
        let pki = try pki()
        let peer = try await PythonPeer.start(
            identity: "CP-TLS-2", ["--cert", pki.wrongNameCertificate, "--key", pki.wrongNameKey, "--password", password])
        defer { peer.kill() }
        let harness = ConnectionHarness(configuration(
            port: peer.port, identity: "CP-TLS-2", profile: .tlsBasicAuth, caBundle: pki.caCertificate))
        let reason = try await harness.nextDisconnect()
        #expect(tlsFailure(reason) == .hostnameMismatch, "got \(reason)")
        await harness.stop()
    }

    @Test func profile3PresentsTheClientCertificateTheServerRequires() async throws {
        let pki = try pki()
        let peer = try await PythonPeer.start(
            identity: "CP-TLS-3",
            ["--cert", pki.serverCertificate, "--key", pki.serverKey, "--client-ca", pki.caCertificate])
        defer { peer.kill() }
        let harness = ConnectionHarness(configuration(
            port: peer.port, identity: "CP-TLS-3", profile: .tlsClientCertificate, caBundle: pki.caCertificate,
            clientCertificate: pki.clientCertificate, clientKey: pki.clientKey))
        try await harness.waitConnected()
        let welcome = try await harness.nextFrame()
        #expect(welcome.contains(#""authorization": null"#))
        await harness.stop()
    }

    @Test func withoutClientCertificateAServerRequiringOneRefusesTheLink() async throws {
        let pki = try pki()
        let peer = try await PythonPeer.start(
            identity: "CP-TLS-3",
            ["--cert", pki.serverCertificate, "--key", pki.serverKey, "--client-ca", pki.caCertificate])
        defer { peer.kill() }
        let harness = ConnectionHarness(configuration(
            port: peer.port, identity: "CP-TLS-3", profile: .tlsBasicAuth, caBundle: pki.caCertificate))
        let reason = try await harness.nextDisconnect()
        #expect(tlsFailure(reason) != nil, "expected a TLS handshake failure, got \(reason)")
        #expect(reason.description.contains("client certificate"))
        await harness.stop()
    }
}
