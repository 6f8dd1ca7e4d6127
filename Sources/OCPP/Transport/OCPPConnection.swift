import Logging
import NIOCore
import NIOPosix
import NIOWebSocket

/// The station's WebSocket link to the central system (OCPP-J 1.6).
///
/// `run()` connects, keeps the link alive with pings, and reconnects with backoff until cancelled.
/// Text frames come out of `incomingFrames`; `send(_:)` puts one on the wire or throws
/// `.notConnected` at once when offline, so callers can queue instead of waiting.
/// `states` reports every change the moment it happens; `events` (the `OCPPFrameTransport` seam)
/// carries connected / frame / disconnected in one ordered stream. Each stream has one consumer,
/// is created on first access (access it before `run()`), and finishes when `run()` returns.
public actor OCPPConnection: OCPPFrameTransport {
    public nonisolated var incomingFrames: AsyncStream<String> { streams.frameStream }
    public nonisolated var states: AsyncStream<OCPPConnectionState> { streams.stateStream }
    public nonisolated var events: AsyncStream<OCPPTransportEvent> { streams.eventStream }
    /// `.disconnected(.stopped)` until `run()` starts.
    public private(set) var currentState: OCPPConnectionState = .disconnected(.stopped)

    private let streams = TransportStreams()
    private var configuration: OCPPConnectionConfiguration
    private var logger: Logger
    private let group: any EventLoopGroup
    private var random: AnyRandomSource

    private typealias Writer = NIOAsyncChannelOutboundWriter<WebSocketFrame>
    private var writer: Writer?
    private var activeChannel: (any Channel)?
    private var watchdog: LinkWatchdog<ContinuousClock.Instant>?
    /// Why the current link ended, set by whoever noticed first.
    private var linkEnd: OCPPDisconnectReason?

    public init(
        configuration: OCPPConnectionConfiguration,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "ocpp.identity"] = "\(configuration.stationIdentity)"
        self.logger = logger
        self.group = eventLoopGroup
        self.random = AnyRandomSource(base: random)
    }

    /// Connects and reconnects until the calling task is cancelled. Call once.
    public func run() async {
        var backoff = ReconnectBackoff(settings: configuration.backoff)
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            publish(.connecting(attempt: attempt))
            let reason: OCPPDisconnectReason
            do throws(OCPPConnectionError) {
                let endpoint = try configuration.validatedEndpoint()
                logger.info("connecting to central system", metadata: [
                    "ocpp.url": "\(endpoint.urlString)",
                    "ocpp.securityProfile": "\(configuration.securityProfile.rawValue)",
                    "ocpp.password": "\(configuration.password == nil ? "not set" : "set")",
                ])
                let channel = try await WebSocketConnector.connect(
                    configuration: configuration, endpoint: endpoint, group: group, logger: logger)
                backoff.reset()
                attempt = 0
                reason = await serve(channel)
            } catch {
                reason = .connectFailed(error)
            }
            if Task.isCancelled { break }
            publish(.disconnected(reason))
            let delay = backoff.nextDelay(using: &random)
            logger.info("reconnecting after delay", metadata: ["ocpp.delay": "\(delay)"])
            do { try await Task.sleep(for: delay) } catch { break }
        }
        publish(.disconnected(.stopped))
        streams.finish()
    }

    /// Sends one OCPP-J message as a text frame; throws `.notConnected` at once when offline.
    public func send(_ text: String) async throws(OCPPConnectionError) {
        guard let writer else { throw .notConnected }
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text))
        do {
            try await writer.write(frame)
        } catch {
            throw .notConnected
        }
    }

    /// The central system set AuthorizationKey: used from the next connection on (see `close()`).
    public func updatePassword(_ password: String) {
        configuration.password = password
        logger.info("password updated", metadata: ["ocpp.password": "set"])
    }

    /// WebSocketPingInterval changed; takes effect on the running link too. Zero disables pings.
    public func updatePingInterval(_ interval: Duration) {
        configuration.pingInterval = interval
        watchdog?.update(pingInterval: interval, pingTimeout: configuration.pingTimeout)
    }

    /// Closes the current link with a close frame (before a reset, or to use a new password);
    /// `run()` connects again after the first backoff delay.
    public func close() async {
        guard let channel = activeChannel else { return }
        linkEnd = .closedByStation
        Self.closeGracefully(channel, code: .goingAway)
    }

    // MARK: - One connected link

    private func serve(_ channel: OCPPWebSocketChannel) async -> OCPPDisconnectReason {
        linkEnd = nil
        watchdog = LinkWatchdog(
            pingInterval: configuration.pingInterval, pingTimeout: configuration.pingTimeout,
            connectedAt: ContinuousClock.now)
        let nioChannel = channel.channel
        activeChannel = nioChannel
        defer {
            writer = nil
            activeChannel = nil
            watchdog = nil
        }
        return await withTaskCancellationHandler {
            do {
                try await channel.executeThenClose { inbound, outbound in
                    self.writer = outbound
                    self.publish(.connected)
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { await self.superviseLink(outbound, channel: nioChannel) }
                        await self.readFrames(inbound, outbound)
                        group.cancelAll()
                    }
                    // Offline from here on: sends fail fast while the socket finishes closing.
                    self.writer = nil
                }
            } catch {
                if linkEnd == nil { linkEnd = .linkLost("\(error)") }
            }
            return linkEnd ?? .linkLost("connection closed")
        } onCancel: {
            Self.closeGracefully(nioChannel, code: .goingAway)
        }
    }

    private func readFrames(_ inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, _ outbound: Writer) async {
        var fragments: ByteBuffer?
        do {
            for try await frame in inbound {
                watchdog?.frameReceived(at: ContinuousClock.now)
                logger.trace("frame received", metadata: ["ws.opcode": "\(frame.opcode)", "ws.bytes": "\(frame.length)"])
                switch frame.opcode {
                case .text where frame.fin:
                    deliver(frame.unmaskedData)
                case .text:
                    fragments = frame.unmaskedData
                case .continuation:
                    guard var buffer = fragments else { continue }
                    var data = frame.unmaskedData
                    buffer.writeBuffer(&data)
                    if frame.fin {
                        fragments = nil
                        deliver(buffer)
                    } else {
                        fragments = buffer
                    }
                case .ping:
                    try await outbound.write(
                        WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
                case .connectionClose:
                    var data = frame.unmaskedData
                    let code = data.readWebSocketErrorCode().map { UInt16(webSocketErrorCode: $0) }
                    let reason = data.readString(length: data.readableBytes) ?? ""
                    if linkEnd == nil { linkEnd = .closedByCentralSystem(code: code, reason: reason) }
                    var echo = ByteBuffer()
                    echo.writeInteger(code ?? 1000)
                    try? await outbound.write(
                        WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: echo))
                    return
                case .binary:
                    logger.warning("ignored a binary frame; OCPP-J uses text frames only")
                default:
                    break  // pong: only its arrival matters (noted above)
                }
            }
            if linkEnd == nil { linkEnd = .linkLost("the central system closed the TCP connection without a close frame") }
        } catch {
            if linkEnd == nil { linkEnd = .linkLost("\(error)") }
        }
    }

    private func deliver(_ buffer: ByteBuffer) {
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) else { return }
        streams.yieldFrame(text)
    }

    /// Sends pings when due and closes the link when nothing arrived for interval + timeout.
    private func superviseLink(_ outbound: Writer, channel: any Channel) async {
        var sequence: UInt64 = 0
        while !Task.isCancelled, let action = watchdog?.nextAction(now: ContinuousClock.now) {
            switch action {
            case .idle:
                // Wakes now and then so a ping interval set later takes effect on this link.
                try? await Task.sleep(for: .seconds(1))
            case .waitUntil(let instant):
                try? await Task.sleep(until: min(instant, ContinuousClock.now.advanced(by: .seconds(1))), clock: .continuous)
            case .sendPing:
                watchdog?.pingSent(at: ContinuousClock.now)
                sequence += 1
                var payload = ByteBuffer()
                payload.writeInteger(sequence)
                try? await outbound.write(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: payload))
            case .declareDead:
                logger.warning("central system link is dead: no frame within ping interval + timeout; closing it")
                if linkEnd == nil { linkEnd = .pingTimeout }
                channel.close(promise: nil)
                return
            }
        }
    }

    private func publish(_ state: OCPPConnectionState) {
        let previous = currentState
        currentState = state
        var event: OCPPTransportEvent?
        switch state {
        case .disconnected(let reason):
            logger.notice("central system link down", metadata: ["ocpp.reason": "\(reason)"])
            // `events` reports changes only: not every failed retry while offline.
            if previous == .connected { event = .disconnected(reason: reason.description) }
        case .connected:
            logger.notice("central system link up")
            event = .connected
        case .connecting(let attempt):
            logger.debug("connecting", metadata: ["ocpp.attempt": "\(attempt)"])
        }
        streams.yieldState(state, event: event)
    }

    private nonisolated static func closeGracefully(_ channel: any Channel, code: WebSocketErrorCode) {
        var data = ByteBuffer()
        data.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Lets the actor hold any seedable generator (tests inject one for reproducible jitter).
private struct AnyRandomSource: RandomNumberGenerator, Sendable {
    var base: any RandomNumberGenerator & Sendable
    mutating func next() -> UInt64 { base.next() }
}
