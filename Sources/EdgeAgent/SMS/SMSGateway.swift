import Foundation
import Logging
import Metrics
import SMSAuth

/// A text that reached the site, from any transport.
public struct InboundText: Sendable, Equatable {
    /// The sender as the transport reported it (E.164, national, or an alphanumeric name).
    public var from: String
    public var text: String
    /// The transport's name (`modem`, `http-gateway`, `central-system`, ...), for the reply.
    public var via: String
}

/// All of a site's SMS transports behind one door: every inbound text comes out of `incoming`, and
/// outgoing texts are sent one after the other (order matters: a confirmation before its receipt),
/// through the transport the driver used when it can, else through the others in configured order.
public actor SMSGateway {
    public struct TransportStatus: Sendable, Equatable, Codable {
        public var name: String
        public var sent: Int
        public var failed: Int
        public var lastError: String?
    }

    struct Outgoing: Sendable {
        var text: String
        var to: E164Number
        var preferred: String?
    }

    public nonisolated let incoming: AsyncStream<InboundText>
    private let incomingContinuation: AsyncStream<InboundText>.Continuation
    private let outbox: AsyncStream<Outgoing>
    private let outboxContinuation: AsyncStream<Outgoing>.Continuation
    /// One recent text as the status shows it: the number masked, no text (texts hold receipt PINs).
    public struct RecentMessage: Sendable, Equatable, Codable {
        public enum Direction: String, Sendable, Codable { case inbound, outbound }
        public var direction: Direction
        public var number: String
        public var transport: String
        public var characters: Int
        /// Outbound: whether any transport took it.
        public var delivered: Bool?
        public var at: Date
    }

    /// "+4917012345678" -> "+49*********78": enough to tell messages apart, not to text the driver.
    public static func maskedNumber(_ number: String) -> String {
        guard number.count > 6 else { return String(repeating: "*", count: number.count) }
        return String(number.prefix(3)) + String(repeating: "*", count: number.count - 5) + String(number.suffix(2))
    }

    /// How many recent texts the status keeps.
    static let recentLimit = 50
    private var recentMessages: [RecentMessage] = []
    private var transports: [(name: String, transport: any SMSTransport)] = []
    private var statuses: [String: TransportStatus] = [:]
    private var tasks: [Task<Void, Never>] = []
    private let logger: Logger

    public init(logger: Logger = Logger(label: "edge-agent.sms")) {
        self.logger = logger
        (incoming, incomingContinuation) = AsyncStream.makeStream(of: InboundText.self)
        (outbox, outboxContinuation) = AsyncStream.makeStream(of: Outgoing.self)
    }

    /// Adds a transport and follows its inbound texts.
    public func add(name: String, transport: any SMSTransport) {
        transports.append((name, transport))
        statuses[name] = TransportStatus(name: name, sent: 0, failed: 0)
        tasks.append(Task { [weak self] in
            for await message in transport.incoming {
                await self?.inject(from: message.sender.text, text: message.text, via: name)
            }
        })
    }

    /// Starts sending what is queued.
    public func start() {
        let outbox = outbox
        tasks.append(Task { [weak self] in
            for await message in outbox { await self?.deliver(message) }
        })
    }

    public func stop() {
        outboxContinuation.finish()
        incomingContinuation.finish()
        for task in tasks { task.cancel() }
        tasks = []
    }

    /// A text from a transport without a stream of its own (the webhook, the central system's relay).
    public func inject(from: String, text: String, via: String) {
        Counter(label: "edge_agent_sms_received_total", dimensions: [("transport", via)]).increment()
        remember(RecentMessage(
            direction: .inbound, number: Self.maskedNumber(from), transport: via, characters: text.count, at: Date()))
        incomingContinuation.yield(InboundText(from: from, text: text, via: via))
    }

    /// Queues a text; returns at once.
    public nonisolated func send(_ text: String, to recipient: E164Number, preferring transport: String? = nil) {
        outboxContinuation.yield(Outgoing(text: text, to: recipient, preferred: transport))
    }

    public func status() -> [TransportStatus] {
        transports.compactMap { statuses[$0.name] }
    }

    public var transportNames: [String] { transports.map(\.name) }

    /// The latest texts in and out, newest first.
    public func recent() -> [RecentMessage] { recentMessages.reversed() }

    private func remember(_ message: RecentMessage) {
        recentMessages.append(message)
        if recentMessages.count > Self.recentLimit { recentMessages.removeFirst(recentMessages.count - Self.recentLimit) }
    }

    private func rememberOutbound(_ message: Outgoing, via transport: String, delivered: Bool) {
        remember(RecentMessage(
            direction: .outbound, number: Self.maskedNumber(message.to.description), transport: transport,
            characters: message.text.count, delivered: delivered, at: Date()))
    }

    private func deliver(_ message: Outgoing) async {
        let ordered = transports.filter { $0.name == message.preferred } + transports.filter { $0.name != message.preferred }
        for (name, transport) in ordered {
            do {
                try await transport.send(message.text, to: message.to)
                statuses[name]?.sent += 1
                Counter(label: "edge_agent_sms_sent_total", dimensions: [("transport", name)]).increment()
                logger.info("SMS sent", metadata: ["transport": "\(name)", "characters": "\(message.text.count)"])
                rememberOutbound(message, via: name, delivered: true)
                return
            } catch {
                statuses[name]?.failed += 1
                statuses[name]?.lastError = "\(error)"
                Counter(label: "edge_agent_sms_send_failures_total", dimensions: [("transport", name)]).increment()
                logger.warning("SMS not sent through this transport", metadata: ["transport": "\(name)", "error": "\(error)"])
            }
        }
        logger.error("SMS could not be sent through any transport", metadata: ["transports": "\(ordered.count)"])
        rememberOutbound(message, via: ordered.last?.name ?? "none", delivered: false)
    }
}
