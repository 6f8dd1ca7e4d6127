import Foundation
import HummingbirdTLS

/// `api.tls`: the certificate chain and private key (PEM files) the local API serves HTTPS with.
public struct LocalAPITLSConfiguration: Sendable, Equatable, Codable {
    public var certificate: String
    public var privateKey: String

    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

/// Where the local API may listen (docs/local-api.md, "Listening beyond loopback"): on loopback by default;
/// on any other address only with TLS (`api.tls`) or when the site file says a TLS-terminating reverse proxy
/// is in front (`api.behindReverseProxy: true`). The API carries operator tokens and unlocks doors: it must
/// never be plain HTTP on a network by accident.
public enum APIListenPolicy {
    public struct Problem: Sendable, Equatable {
        public var path: String
        public var message: String
    }

    /// True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost.
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// What is wrong with the site file's `api` block for where it listens, each with its path.
    public static func problems(_ api: LocalAPIConfiguration, fileExists: (String) -> Bool = FileManager.default.isReadableFile(atPath:))
        -> [Problem]
    {
        var problems: [Problem] = []
        if let tls = api.tls {
            if api.behindReverseProxy {
                problems.append(Problem(path: "api.behindReverseProxy", message:
                    "give either `tls` (the API serves HTTPS itself) or `behindReverseProxy: true` (a proxy terminates TLS), not both"))
            }
            for (key, path) in [("certificate", tls.certificate), ("privateKey", tls.privateKey)] {
                if path.isEmpty {
                    problems.append(Problem(path: "api.tls.\(key)", message:
                        "missing: name the PEM file, e.g. \(key): /etc/edge-agent/api-\(key == "certificate" ? "cert" : "key").pem"))
                } else if !fileExists(path) {
                    problems.append(Problem(path: "api.tls.\(key)", message:
                        "\(path) does not exist or cannot be read by the edge-agent user"))
                }
            }
        } else if !isLoopback(api.host) && !api.behindReverseProxy {
            problems.append(Problem(path: "api.listen", message:
                "\(api.listen) is reachable from the network, but the local API would serve it as plain HTTP (tokens and "
                + "unlocks in clear text). Add `tls: {certificate: <PEM file>, privateKey: <PEM file>}` under `api`, or "
                + "put a TLS-terminating reverse proxy in front and set `behindReverseProxy: true` (docs/local-api.md), "
                + "or listen on 127.0.0.1"))
        }
        return problems
    }

    /// The server-side TLS configuration from the PEM files.
    static func serverConfiguration(_ tls: LocalAPITLSConfiguration) throws(DaemonError) -> TLSConfiguration {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(tls.certificate)
        } catch {
            throw .apiTLS(path: tls.certificate, reason: "not a PEM certificate chain (\(error))")
        }
        guard !certificates.isEmpty else { throw .apiTLS(path: tls.certificate, reason: "the file holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
        } catch {
            throw .apiTLS(path: tls.privateKey, reason: "not a PEM private key (\(error))")
        }
        return TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
    }
}
