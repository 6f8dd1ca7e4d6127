import Foundation
import SMSAuth

/// What the site controller knows about SMS: the intake (sender rules, rate limits, parser, idTag
/// rule), the open SMS sessions with their PIN digests, keypad lockouts and operator alerts. Lives
/// inside the controller (the one owner of site state); SiteController+SMS.swift changes it.
struct SMSSiteView: Sendable {
    var runtime: SMSRuntime?
    var intake: SMSIntake?
    var templates: SMSTemplates = .builtIn
    var settings = SMSSettings()
    var pinIssuer: ReceiptPINIssuer?
    /// Open SMS sessions by session id (their PIN is valid).
    var links: [String: SMSSessionLink] = [:]
    /// PINs in clear between authorization and the confirmation SMS; never stored.
    var pendingPINs: [String: ReceiptPIN] = [:]
    /// The last state each SMS session was seen in, to send each message once.
    var seenStates: [String: SessionState] = [:]
    /// Compartments an SMS start is being authorized for.
    var authorizing: Set<String> = []
    /// The transport a session's driver last wrote through, for the messages that follow.
    var replyVia: [String: String] = [:]
    var lockouts = KeypadLockouts()
    /// Alert key -> when it was last sent.
    var alertsSent: [String: Date] = [:]
    var alertNumbers: [E164Number] = []
    var uplinkDownSince: Date?
    var tasks: [Task<Void, Never>] = []

    /// Digests of the open sessions' PINs, for uniqueness.
    var openDigests: [ReceiptPINDigest] { links.values.compactMap { ReceiptPINDigest(encoded: $0.pinDigest) } }
}
