import Foundation
import OCPP

/// Where an authorization decision came from, for the session record and the audit trail.
public enum AuthorizationSource: String, Sendable, Codable, Equatable {
    case localList
    case cache
    case centralSystem
    /// Offline and unknown, allowed by AllowOfflineTxForUnknownId.
    case offlinePolicy
}

/// The answer to "may this idTag start (or end) a session?".
public struct AuthorizationOutcome: Sendable, Equatable {
    /// The OCPP status the decision rests on (Accepted, Blocked, Expired, Invalid, ConcurrentTx).
    public var status: AuthorizationStatus
    /// The idTag's group: a card of the same group may end the session.
    public var parentIdTag: String?
    public var source: AuthorizationSource

    public init(status: AuthorizationStatus, parentIdTag: String? = nil, source: AuthorizationSource) {
        self.status = status
        self.parentIdTag = parentIdTag
        self.source = source
    }

    public var isAccepted: Bool { status == .accepted }
}

/// The seam between the session code (which asks) and authorization (local list, cache, central system,
/// offline rules). One implementation ships in the daemon; tests may bring their own doubles.
public protocol IdTagAuthorizing: Sendable {
    func authorize(idTag: String) async -> AuthorizationOutcome
}
