import Foundation
import OCPP

/// What happens to a running transaction when the central system's idTagInfo for it arrives
/// (StartTransaction.conf; a transaction started offline or locally pre-authorized learns it late).
public enum TransactionVerdict: Sendable, Equatable {
    case keepRunning
    /// StopTransactionOnInvalidId: stop with reason DeAuthorized; the compartment goes back to its owner.
    case stop(reason: Reason)
}

/// The rules around a session's idTag after the start decision, as pure functions.
public enum AuthorizationRules {
    /// OCPP 1.6 section 3.5/5.x: when the central system answers a StartTransaction with anything but
    /// Accepted, the transaction is stopped if StopTransactionOnInvalidId is on (reason DeAuthorized);
    /// otherwise it continues (the central system knows and may stop it remotely).
    public static func verdict(forConfirmed info: IdTagInfo, policy: AuthorizationPolicy) -> TransactionVerdict {
        guard info.status != .accepted, policy.stopTransactionOnInvalidId else { return .keepRunning }
        return .stop(reason: .deAuthorized)
    }

    /// May the card `presented` end a session started by `owner`? The same idTag always may (case
    /// insensitive, idTags are CiStrings); another card may when both belong to the same group
    /// (parentIdTag, as the list, cache or central system gave it), and its own authorization
    /// (`presentedOutcome`) is Accepted.
    public static func mayEnd(
        sessionOf owner: String, ownerParentIdTag: String?, presented: String, presentedOutcome: AuthorizationOutcome?
    ) -> Bool {
        if sameIdTag(owner, presented) { return true }
        guard let group = ownerParentIdTag, let outcome = presentedOutcome, outcome.isAccepted,
              let presentedGroup = outcome.parentIdTag
        else { return false }
        return sameIdTag(group, presentedGroup)
    }

    /// idTags compare case-insensitively (CiString20).
    public static func sameIdTag(_ first: String, _ second: String) -> Bool {
        first.caseInsensitiveCompare(second) == .orderedSame
    }
}
