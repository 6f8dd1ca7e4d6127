import Foundation

/// An understood (or not understood) text from a driver who may get an answer.
public struct InboundCommand: Sendable, Equatable {
    public let sender: E164Number
    /// The OCPP idTag for this sender, by the site's `IdTagRule`.
    public let idTag: String
    public let parsed: ParsedSMS
}

/// The first steps for every incoming SMS, in order: who sent it (automated senders and
/// blocked numbers are dropped), rate limits, parsing, idTag. Pure apart from its own
/// counters; the site decides what to do with the command.
public struct SMSIntake: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// No reply at all.
        case ignored(SenderPolicy.IgnoreReason)
        /// Over a limit; `reply` is the notice to send, nil when the sender was told already.
        case rateLimited(sender: E164Number, reply: String?)
        case command(InboundCommand)
    }

    public let senderPolicy: SenderPolicy
    /// Replace when the site's compartments change; the rate-limit state is kept.
    public var parser: SMSCommandParser
    public let idTagRule: IdTagRule
    public let templates: SMSTemplates
    private var rateLimiter: SMSRateLimiter

    public init(
        senderPolicy: SenderPolicy,
        parser: SMSCommandParser,
        idTagRule: IdTagRule,
        rateLimits: RateLimitPolicy = RateLimitPolicy(),
        templates: SMSTemplates = .builtIn
    ) {
        self.senderPolicy = senderPolicy
        self.parser = parser
        self.idTagRule = idTagRule
        self.templates = templates
        self.rateLimiter = SMSRateLimiter(policy: rateLimits)
    }

    public mutating func receive(sender rawSender: String, text: String, at now: Date) -> Outcome {
        let sender: E164Number
        switch senderPolicy.decide(sender: rawSender) {
        case .ignore(let reason): return .ignored(reason)
        case .accept(let number): sender = number
        }
        switch rateLimiter.admit(sender, at: now) {
        case .allow:
            return .command(InboundCommand(sender: sender, idTag: idTagRule.idTag(for: sender), parsed: parser.parse(text)))
        case .senderLimited(let retryAfter, let notify), .siteLimited(let retryAfter, let notify):
            guard notify else { return .rateLimited(sender: sender, reply: nil) }
            let language = parser.parse(text).language
            return .rateLimited(sender: sender, reply: templates.render(.rateLimited(retryAfter: retryAfter), in: language))
        }
    }

    /// Convenience for a received PDU message.
    public mutating func receive(_ message: IncomingSMS, at now: Date) -> Outcome {
        receive(sender: message.sender.text, text: message.text, at: now)
    }
}

/// Any way SMS reach the site: the GSM modem, an HTTP SMS gateway, or a relay through the
/// central system. EdgeAgent sees only this.
public protocol SMSTransport: Sendable {
    /// Sends `text` (split into parts as needed) to `recipient`.
    func send(_ text: String, to recipient: E164Number) async throws
    /// Complete incoming messages (concatenated parts already joined).
    var incoming: AsyncStream<IncomingSMS> { get }
}
