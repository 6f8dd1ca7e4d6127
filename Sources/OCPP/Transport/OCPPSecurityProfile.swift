/// Security profiles of the OCPP 1.6 security whitepaper (edition 3).
public enum OCPPSecurityProfile: Int, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// Plain ws:// without authentication. Only for tests and lab benches.
    case unsecured = 0
    /// ws:// with HTTP Basic authentication (identity + AuthorizationKey).
    case basicAuth = 1
    /// wss:// (server verified against the CA bundle) with HTTP Basic authentication.
    case tlsBasicAuth = 2
    /// wss:// with a client certificate; the server is verified as in profile 2.
    case tlsClientCertificate = 3

    public var usesTLS: Bool { self == .tlsBasicAuth || self == .tlsClientCertificate }
    public var usesBasicAuth: Bool { self == .basicAuth || self == .tlsBasicAuth }
    public var requiredScheme: String { usesTLS ? "wss" : "ws" }

    public var description: String {
        switch self {
        case .unsecured: return "security profile 0 (unsecured ws://)"
        case .basicAuth: return "security profile 1 (Basic auth over ws://)"
        case .tlsBasicAuth: return "security profile 2 (TLS + Basic auth, wss://)"
        case .tlsClientCertificate: return "security profile 3 (TLS with client certificate, wss://)"
        }
    }
}
