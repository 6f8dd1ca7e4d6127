import Foundation

/// Everything the transport needs to reach the central system.
///
/// `description` never contains the password; it says "password: set" at most.
public struct OCPPConnectionConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// ws://host[:port][/path] or wss://…; the station identity is appended as the last path segment.
    public var centralSystemURL: String
    public var stationIdentity: String
    public var securityProfile: OCPPSecurityProfile
    /// AuthorizationKey for Basic auth (profiles 1 and 2).
    public var password: String?
    /// PEM file with the CA certificate(s) that may sign the central system's certificate.
    /// nil = the system trust store (profiles 2 and 3).
    public var caBundlePath: String?
    /// PEM client certificate (chain) and private key (profile 3).
    public var clientCertificatePath: String?
    public var clientKeyPath: String?
    /// OCPP WebSocketPingInterval; zero disables pings and dead-link detection.
    public var pingInterval: Duration
    /// How long past a due ping the link may stay silent before it counts as dead.
    public var pingTimeout: Duration
    public var backoff: ReconnectBackoffSettings
    /// Limit for TCP connect + TLS handshake + HTTP upgrade together.
    public var connectTimeout: Duration
    /// Largest WebSocket frame accepted from the central system.
    public var maxFrameSize: Int

    public init(
        centralSystemURL: String,
        stationIdentity: String,
        securityProfile: OCPPSecurityProfile,
        password: String? = nil,
        caBundlePath: String? = nil,
        clientCertificatePath: String? = nil,
        clientKeyPath: String? = nil,
        pingInterval: Duration = .seconds(60),
        pingTimeout: Duration = .seconds(30),
        backoff: ReconnectBackoffSettings = .init(),
        connectTimeout: Duration = .seconds(20),
        maxFrameSize: Int = 1 << 20
    ) {
        self.centralSystemURL = centralSystemURL
        self.stationIdentity = stationIdentity
        self.securityProfile = securityProfile
        self.password = password
        self.caBundlePath = caBundlePath
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.backoff = backoff
        self.connectTimeout = connectTimeout
        self.maxFrameSize = maxFrameSize
    }

    /// Reads the AuthorizationKey from a file (trailing newline and spaces dropped).
    public static func loadPassword(fromFile path: String) throws(OCPPConnectionError) -> String {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)
        else { throw .unreadableFile(role: "password (AuthorizationKey)", path: path) }
        let password = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !password.isEmpty else {
            throw .invalidConfiguration("the password file '\(path)' is empty; write the AuthorizationKey into it")
        }
        return password
    }

    /// Checks that URL, profile and files fit together; returns the endpoint to connect to.
    public func validatedEndpoint() throws(OCPPConnectionError) -> OCPPEndpoint {
        let endpoint = try OCPPEndpoint(centralSystemURL: centralSystemURL, stationIdentity: stationIdentity)
        guard endpoint.usesTLS == securityProfile.usesTLS else {
            throw .securityProfileMismatch(profile: securityProfile, url: centralSystemURL)
        }
        if securityProfile.usesBasicAuth, (password ?? "").isEmpty {
            throw .invalidConfiguration("\(securityProfile) needs a password (AuthorizationKey); set it or use a password file")
        }
        if securityProfile.usesBasicAuth, stationIdentity.contains(":") {
            throw .invalidConfiguration("the station identity '\(stationIdentity)' contains ':', which Basic auth cannot carry")
        }
        if securityProfile == .tlsClientCertificate, clientCertificatePath == nil || clientKeyPath == nil {
            throw .invalidConfiguration("\(securityProfile) needs clientCertificatePath and clientKeyPath")
        }
        if securityProfile.usesTLS {
            for (role, path) in [("CA bundle", caBundlePath), ("client certificate", clientCertificatePath), ("client key", clientKeyPath)] {
                if let path, !FileManager.default.isReadableFile(atPath: path) {
                    throw .unreadableFile(role: role, path: path)
                }
            }
        }
        guard pingInterval >= .zero, pingTimeout >= .zero, connectTimeout > .zero else {
            throw .invalidConfiguration("ping interval and timeout must not be negative and the connect timeout must be positive")
        }
        return endpoint
    }

    /// The `Authorization` header value for profiles 1 and 2, nil otherwise.
    public var basicAuthorizationHeader: String? {
        guard securityProfile.usesBasicAuth, let password else { return nil }
        return "Basic " + Data("\(stationIdentity):\(password)".utf8).base64EncodedString()
    }

    public var description: String {
        var parts = [
            "url: \(centralSystemURL)", "identity: \(stationIdentity)", "\(securityProfile)",
            "password: \(password == nil ? "not set" : "set")",
        ]
        if let caBundlePath { parts.append("CA bundle: \(caBundlePath)") }
        if let clientCertificatePath { parts.append("client certificate: \(clientCertificatePath)") }
        parts.append("ping interval: \(pingInterval)")
        return parts.joined(separator: ", ")
    }
}
