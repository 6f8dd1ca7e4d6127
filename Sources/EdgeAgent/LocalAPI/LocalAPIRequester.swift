import AsyncHTTPClient
import Foundation
import HummingbirdTLS
import NIOCore

/// How the command line reaches the running daemon's local API: the address from the site file (a wildcard
/// listen address is reached on loopback), HTTPS when `api.tls` is set, trusting exactly the certificate the
/// daemon serves (a self-signed one works; the host name is not checked, the pinned certificate is the check).
public struct LocalAPIRequester: Sendable {
    public struct Answer: Sendable {
        public var status: Int
        public var body: Data
    }

    /// The request never got an HTTP answer; `reason` says what happened.
    public struct Unreachable: Error, Sendable {
        public var reason: String
    }

    public let host: String
    public let port: Int
    public let certificate: String?

    public init(configuration: LocalAPIConfiguration) {
        host = Self.connectHost(configuration.host)
        port = configuration.port
        certificate = configuration.tls?.certificate
    }

    /// `0.0.0.0` and `::` mean "every address" to a server; a client reaches them on loopback.
    static func connectHost(_ listenHost: String) -> String {
        switch listenHost {
        case "0.0.0.0": "127.0.0.1"
        case "::", "[::]": "::1"
        default: listenHost
        }
    }

    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    public var baseURL: String { "\(certificate == nil ? "http" : "https")://\(address)" }

    public func send(method: String, path: String, bearer token: String, json body: Data?) async throws(Unreachable) -> Answer {
        var tls: TLSConfiguration?
        if let certificate {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .file(certificate)
            configuration.certificateVerification = .noHostnameVerification
            tls = configuration
        }
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                tlsConfiguration: tls, timeout: .init(connect: .seconds(5), read: .seconds(60))))
        let result: Result<Answer, Unreachable>
        do {
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = .init(rawValue: method)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let response = try await client.execute(request, timeout: .seconds(60))
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            result = .success(Answer(status: Int(response.status.code), body: Data(bytes.readableBytesView)))
        } catch {
            result = .failure(Unreachable(reason: Self.describe(error)))
        }
        try? await client.shutdown()
        return try result.get()
    }

    /// The connection failure in a few words (the transport's own descriptions are long and repeat themselves).
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("Connection refused") { return "connection refused" }
        if text.lowercased().contains("timeout") || text.contains("timedOut") { return "no answer within the timeout" }
        if text.contains("SSL") || text.contains("TLS") || text.contains("handshake") {
            return "TLS handshake failed (\(text)); the daemon's certificate must be the file api.tls.certificate names"
        }
        return text
    }
}
