/// Why the station could not connect to (or talk over) the central system link.
/// Every message says what went wrong, where, and what to do about it.
public enum OCPPConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum TLSFailure: Sendable, Equatable {
        /// The server's certificate does not chain to the configured CA bundle (or is expired).
        case untrustedCertificate
        /// The certificate is valid but not issued for the host name in the URL.
        case hostnameMismatch
        /// The server demanded a client certificate we did not present, or refused ours.
        case clientCertificateRejected
        case other
    }

    case invalidURL(String, String)
    case invalidConfiguration(String)
    case securityProfileMismatch(profile: OCPPSecurityProfile, url: String)
    case unreadableFile(role: String, path: String)
    case tlsSetupFailed(String)
    case notConnected
    case subprotocolNotAccepted(url: String, answered: String?)
    case unauthorized(url: String)
    case unknownStationIdentity(url: String)
    case upgradeRejected(url: String, status: Int, reason: String)
    case tlsHandshakeFailed(host: String, failure: TLSFailure, detail: String)
    case connectionRefused(host: String, port: Int)
    case dnsFailure(host: String)
    case timedOut(host: String, port: Int, after: Duration)
    case network(host: String, port: Int, detail: String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let why):
            return "central system URL '\(url)' is invalid: \(why)"
        case .invalidConfiguration(let what):
            return "OCPP connection configuration: \(what)"
        case .securityProfileMismatch(let profile, let url):
            return "\(profile) requires a \(profile.requiredScheme):// URL, but the central system URL is '\(url)'; "
                + "change the URL scheme or the security profile"
        case .unreadableFile(let role, let path):
            return "cannot read the \(role) file '\(path)'; check that it exists and the daemon may read it"
        case .tlsSetupFailed(let detail):
            return "TLS setup failed: \(detail); check the CA bundle, client certificate and key files (PEM)"
        case .notConnected:
            return "not connected to the central system; the message was not sent"
        case .subprotocolNotAccepted(let url, let answered):
            return "central system at \(url) did not accept the WebSocket subprotocol ocpp1.6 (it answered "
                + (answered.map { "'\($0)'" } ?? "with none") + "); check that the URL points to an OCPP 1.6J endpoint"
        case .unauthorized(let url):
            return "central system at \(url) rejected the credentials (HTTP 401); check the station identity "
                + "and the password (AuthorizationKey) registered for it"
        case .unknownStationIdentity(let url):
            return "central system at \(url) does not know this station identity (HTTP 404); check the identity and the URL path"
        case .upgradeRejected(let url, let status, let reason):
            return "central system at \(url) refused the WebSocket upgrade with HTTP \(status) \(reason)"
        case .tlsHandshakeFailed(let host, let failure, let detail):
            switch failure {
            case .untrustedCertificate:
                return "TLS handshake with \(host) failed: the server certificate is not trusted by the configured CA bundle (\(detail)); "
                    + "install the central system's CA in the bundle"
            case .hostnameMismatch:
                return "TLS handshake with \(host) failed: the server certificate is not valid for host name '\(host)' (\(detail)); "
                    + "use the host name the certificate was issued for"
            case .clientCertificateRejected:
                return "TLS handshake with \(host) failed: the server did not accept the client certificate (\(detail)); "
                    + "check security profile 3 client certificate and key"
            case .other:
                return "TLS handshake with \(host) failed: \(detail)"
            }
        case .connectionRefused(let host, let port):
            return "connection to \(host):\(port) refused; is the central system running and the port right?"
        case .dnsFailure(let host):
            return "cannot resolve host name '\(host)'; check the central system URL and the board's DNS settings"
        case .timedOut(let host, let port, let after):
            return "no answer from \(host):\(port) within \(after); check the network path and firewall"
        case .network(let host, let port, let detail):
            return "network error on the link to \(host):\(port): \(detail)"
        }
    }
}
