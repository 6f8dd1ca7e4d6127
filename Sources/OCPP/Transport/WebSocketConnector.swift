import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// The WebSocket channel once the upgrade succeeded.
typealias OCPPWebSocketChannel = NIOAsyncChannel<WebSocketFrame, WebSocketFrame>

/// One connection attempt: TCP (+ TLS) + HTTP upgrade with subprotocol ocpp1.6.
/// Framing is NIOWebSocket's; this type only builds the pipeline and names the failures.
enum WebSocketConnector {
    static let subprotocol = "ocpp1.6"

    private enum UpgradeOutcome: Sendable {
        case upgraded(OCPPWebSocketChannel)
        case wrongSubprotocol(String?)
        case rejected(HTTPResponseStatus?)
    }

    static func connect(
        configuration: OCPPConnectionConfiguration,
        endpoint: OCPPEndpoint,
        group: any EventLoopGroup,
        logger: Logger
    ) async throws(OCPPConnectionError) -> OCPPWebSocketChannel {
        let sslContext = try makeSSLContext(configuration)
        let head = upgradeRequestHead(configuration: configuration, endpoint: endpoint)
        let maxFrameSize = configuration.maxFrameSize
        let serverHostname = isIPAddress(endpoint.host) ? nil : endpoint.host
        logger.debug("opening WebSocket", metadata: [
            "ocpp.host": "\(endpoint.host)", "ocpp.port": "\(endpoint.port)", "ocpp.tls": "\(sslContext != nil)",
        ])

        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(ReconnectBackoff.seconds(configuration.connectTimeout) * 1e9)))
        let outcome: UpgradeOutcome
        do {
            let (channel, upgrade): (any Channel, EventLoopFuture<UpgradeOutcome>) = try await bootstrap.connect(
                host: endpoint.host, port: endpoint.port
            ) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    let upgrade = try configureUpgrade(channel: channel, head: head, maxFrameSize: maxFrameSize)
                    return (channel, upgrade)
                }
            }
            outcome = try await withUpgradeTimeout(
                configuration.connectTimeout, channel: channel, upgrade: upgrade, endpoint: endpoint)
        } catch let error as OCPPConnectionError {
            throw error
        } catch {
            throw classify(error, endpoint: endpoint, timeout: configuration.connectTimeout)
        }

        switch outcome {
        case .upgraded(let channel):
            return channel
        case .wrongSubprotocol(let answered):
            throw .subprotocolNotAccepted(url: endpoint.urlString, answered: answered)
        case .rejected(let status):
            switch status?.code {
            case 401: throw .unauthorized(url: endpoint.urlString)
            case 404: throw .unknownStationIdentity(url: endpoint.urlString)
            default:
                throw .upgradeRejected(
                    url: endpoint.urlString, status: Int(status?.code ?? 0), reason: status?.reasonPhrase ?? "(no status)")
            }
        }
    }

    static func upgradeRequestHead(configuration: OCPPConnectionConfiguration, endpoint: OCPPEndpoint) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.hostHeader)
        headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol)
        headers.add(name: "Content-Length", value: "0")
        if let authorization = configuration.basicAuthorizationHeader {
            headers.add(name: "Authorization", value: authorization)
        }
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.requestTarget, headers: headers)
    }

    private static func configureUpgrade(
        channel: any Channel, head: HTTPRequestHead, maxFrameSize: Int
    ) throws -> EventLoopFuture<UpgradeOutcome> {
        let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeOutcome>(maxFrameSize: maxFrameSize) { channel, response in
            channel.eventLoop.makeCompletedFuture {
                let answered = response.headers["Sec-WebSocket-Protocol"].first?.trimmingCharacters(in: .whitespaces)
                guard answered == subprotocol else {
                    channel.close(promise: nil)
                    return .wrongSubprotocol(answered)
                }
                return .upgraded(try OCPPWebSocketChannel(wrappingChannelSynchronously: channel))
            }
        }
        let responseStatus = NIOLoopBoundBox<HTTPResponseStatus?>(nil, eventLoop: channel.eventLoop)
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<UpgradeOutcome>(
            upgradeRequestHead: head,
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.close(promise: nil)
                return channel.eventLoop.makeSucceededFuture(.rejected(responseStatus.value))
            }
        )
        let sync = channel.pipeline.syncOperations
        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
        // A central system often sends its first frame in the same packet as the 101 response;
        // the default (.dropBytes) would silently lose it.
        pipeline.leftOverBytesStrategy = .forwardBytes
        let upgrade = try sync.configureUpgradableHTTPClientPipeline(configuration: pipeline)
        // The upgrade handler does not tell why it did not upgrade; this handler, placed in front
        // of it, notes the response status for the 401/404 errors and then steps out of the way.
        let upgradeHandler = try sync.handler(type: NIOTypedHTTPClientUpgradeHandler<UpgradeOutcome>.self)
        try sync.addHandler(ResponseStatusRecorder(status: responseStatus), position: .before(upgradeHandler))
        return upgrade
    }

    private static func withUpgradeTimeout(
        _ timeout: Duration, channel: any Channel, upgrade: EventLoopFuture<UpgradeOutcome>, endpoint: OCPPEndpoint
    ) async throws -> UpgradeOutcome {
        // The bootstrap's connect timeout covers TCP only; a server that accepts and then says
        // nothing (or a stuck TLS handshake) is caught here.
        try await withThrowingTaskGroup(of: UpgradeOutcome.self) { group in
            group.addTask { try await upgrade.get() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw OCPPConnectionError.timedOut(host: endpoint.host, port: endpoint.port, after: timeout)
            }
            do {
                let outcome = try await group.next()!
                group.cancelAll()
                return outcome
            } catch {
                // Closing fails the pending upgrade, so the group can finish.
                channel.close(promise: nil)
                throw error
            }
        }
    }

    private static func makeSSLContext(_ configuration: OCPPConnectionConfiguration) throws(OCPPConnectionError) -> NIOSSLContext? {
        guard configuration.securityProfile.usesTLS else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12  // the security whitepaper requires TLS 1.2 or newer
        tls.certificateVerification = .fullVerification
        if let caBundlePath = configuration.caBundlePath {
            tls.trustRoots = .file(caBundlePath)
        }
        if configuration.securityProfile == .tlsClientCertificate,
           let certificatePath = configuration.clientCertificatePath, let keyPath = configuration.clientKeyPath {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
            } catch {
                throw .tlsSetupFailed("cannot load the client certificate '\(certificatePath)': \(error)")
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
            } catch {
                throw .tlsSetupFailed("cannot load the client key '\(keyPath)': \(error)")
            }
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw .tlsSetupFailed("\(error) (CA bundle '\(configuration.caBundlePath ?? "system default")')")
        }
    }

    static func classify(_ error: any Error, endpoint: OCPPEndpoint, timeout: Duration) -> OCPPConnectionError {
        if let error = error as? OCPPConnectionError { return error }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return .dnsFailure(host: endpoint.host)
            }
            if error.connectionErrors.contains(where: { isRefused($0.error) }) {
                return .connectionRefused(host: endpoint.host, port: endpoint.port)
            }
            if let first = error.connectionErrors.first {
                return classify(first.error, endpoint: endpoint, timeout: timeout)
            }
        }
        if isRefused(error) { return .connectionRefused(host: endpoint.host, port: endpoint.port) }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return .timedOut(host: endpoint.host, port: endpoint.port, after: timeout)
        }
        if error is SocketAddressError { return .dnsFailure(host: endpoint.host) }
        // Typical for a server that wants a client certificate: with TLS 1.3 it hangs up after the handshake
        // instead of sending an alert, seen as an unclean shutdown or, depending on timing, a reset.
        let hungUp = (error as? NIOSSLError).map { if case .uncleanShutdown = $0 { true } else { false } } ?? false
        let reset = (error as? IOError).map { $0.errnoCode == ECONNRESET || $0.errnoCode == EPIPE } ?? false
        if hungUp || (endpoint.usesTLS && reset) {
            return .tlsHandshakeFailed(
                host: endpoint.host, failure: .other,
                detail: "the server closed the connection during the TLS handshake; it may require a client "
                    + "certificate (security profile 3) or a TLS version this station does not offer")
        }
        if let failure = tlsFailure(error) {
            return .tlsHandshakeFailed(host: endpoint.host, failure: failure, detail: "\(error)")
        }
        return .network(host: endpoint.host, port: endpoint.port, detail: "\(error)")
    }

    private static func isRefused(_ error: any Error) -> Bool {
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        return false
    }

    private static func tlsFailure(_ error: any Error) -> OCPPConnectionError.TLSFailure? {
        let text = String(describing: error).uppercased()
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname || extra == .serverHostnameImpossibleToMatch {
            return .hostnameMismatch
        }
        guard error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError else { return nil }
        if text.contains("HOSTNAME") || text.contains("HOST NAME") { return .hostnameMismatch }
        if text.contains("CERTIFICATE_VERIFY_FAILED") { return .untrustedCertificate }
        if text.contains("CERTIFICATE_REQUIRED") || text.contains("ALERT_HANDSHAKE_FAILURE")
            || text.contains("BAD_CERTIFICATE") || text.contains("UNKNOWN_CA") {
            return .clientCertificateRejected
        }
        return .other
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

/// Notes the status of the first HTTP response head, then removes itself.
private final class ResponseStatusRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    private let status: NIOLoopBoundBox<HTTPResponseStatus?>

    init(status: NIOLoopBoundBox<HTTPResponseStatus?>) {
        self.status = status
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            status.value = head.status
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } else {
            context.fireChannelRead(data)
        }
    }
}
