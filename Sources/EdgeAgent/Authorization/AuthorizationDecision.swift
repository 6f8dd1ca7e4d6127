import Foundation
import OCPP

/// The configuration keys that shape an authorization decision (OCPP 1.6 chapter 9), as values.
public struct AuthorizationPolicy: Sendable, Equatable {
    public var localAuthListEnabled: Bool
    public var authorizationCacheEnabled: Bool
    /// Online: an idTag valid in the list or cache starts without waiting for the central system.
    public var localPreAuthorize: Bool
    /// Offline: the list and cache decide.
    public var localAuthorizeOffline: Bool
    /// Offline: an idTag neither list nor cache knows is accepted.
    public var allowOfflineTxForUnknownId: Bool
    /// A transaction whose idTag the central system later answers not Accepted is stopped.
    public var stopTransactionOnInvalidId: Bool

    public init(
        localAuthListEnabled: Bool = true, authorizationCacheEnabled: Bool = true, localPreAuthorize: Bool = false,
        localAuthorizeOffline: Bool = true, allowOfflineTxForUnknownId: Bool = false, stopTransactionOnInvalidId: Bool = true
    ) {
        self.localAuthListEnabled = localAuthListEnabled
        self.authorizationCacheEnabled = authorizationCacheEnabled
        self.localPreAuthorize = localPreAuthorize
        self.localAuthorizeOffline = localAuthorizeOffline
        self.allowOfflineTxForUnknownId = allowOfflineTxForUnknownId
        self.stopTransactionOnInvalidId = stopTransactionOnInvalidId
    }

    /// The policy as the keys say (registry defaults for keys never set).
    public init(registry: ConfigurationRegistry, keys: ConfigurationKeyStore) {
        func flag(_ key: StandardConfigurationKey, _ fallback: Bool) -> Bool { registry.bool(key, in: keys) ?? fallback }
        self.init(
            localAuthListEnabled: flag(.localAuthListEnabled, true),
            authorizationCacheEnabled: flag(.authorizationCacheEnabled, true),
            localPreAuthorize: flag(.localPreAuthorize, false),
            localAuthorizeOffline: flag(.localAuthorizeOffline, true),
            allowOfflineTxForUnknownId: flag(.allowOfflineTxForUnknownId, false),
            stopTransactionOnInvalidId: flag(.stopTransactionOnInvalidId, true))
    }
}

/// Everything an authorization decision depends on, as values: the decision reads no clock and no store.
public struct AuthorizationInputs: Sendable, Equatable {
    public var idTag: String
    /// The idTag's entry in the local authorization list, if any.
    public var listEntry: IdTagInfo?
    /// The idTag's entry in the authorization cache, if any.
    public var cacheEntry: IdTagInfo?
    /// Connected to the central system and registered (BootNotification accepted).
    public var online: Bool
    public var policy: AuthorizationPolicy
    public var now: Date

    public init(idTag: String, listEntry: IdTagInfo?, cacheEntry: IdTagInfo?, online: Bool, policy: AuthorizationPolicy, now: Date) {
        self.idTag = idTag
        self.listEntry = listEntry
        self.cacheEntry = cacheEntry
        self.online = online
        self.policy = policy
        self.now = now
    }
}

/// The result of the local rules: a decision, or "ask the central system" (Authorize.req).
public enum AuthorizationDecision: Sendable, Equatable {
    case decided(AuthorizationOutcome, reason: String)
    case askCentralSystem(reason: String)

    /// The longest idTag OCPP 1.6 carries (IdToken is CiString20).
    public static let maximumIdTagLength = 20

    /// OCPP 1.6 section 3.5 (local authorization) and the keys of chapter 9:
    /// - the list has priority over the cache for the same idTag; a disabled list or cache is not consulted;
    /// - an Accepted entry whose expiryDate has passed counts as Expired;
    /// - online: with LocalPreAuthorize an Accepted local entry is accepted at once; everything else is
    ///   asked of the central system (also ids the list or cache marks Blocked/Expired/Invalid: the central
    ///   system may know better);
    /// - offline with LocalAuthorizeOffline: a local entry decides (accepted only when Accepted);
    /// - offline, an idTag unknown locally: AllowOfflineTxForUnknownId decides. Without LocalAuthorizeOffline
    ///   local entries do not accept anyone offline, but an id they mark not Accepted is still refused (a
    ///   known-bad card never becomes "unknown").
    public static func decide(_ inputs: AuthorizationInputs) -> AuthorizationDecision {
        let idTag = inputs.idTag
        guard !idTag.isEmpty, idTag.count <= maximumIdTagLength else {
            return .decided(
                AuthorizationOutcome(status: .invalid, source: .offlinePolicy),
                reason: "an idTag has 1 to \(maximumIdTagLength) characters; this one has \(idTag.count)")
        }
        let policy = inputs.policy
        let local: (info: IdTagInfo, source: AuthorizationSource)?
        if policy.localAuthListEnabled, let entry = inputs.listEntry {
            local = (entry, .localList)
        } else if policy.authorizationCacheEnabled, let entry = inputs.cacheEntry {
            local = (entry, .cache)
        } else {
            local = nil
        }
        let localOutcome = local.map { entry in
            AuthorizationOutcome(
                status: effectiveStatus(entry.info, at: inputs.now), parentIdTag: entry.info.parentIdTag, source: entry.source)
        }
        let place = local.map { $0.source == .localList ? "local list" : "authorization cache" }

        if inputs.online {
            if policy.localPreAuthorize, let outcome = localOutcome, outcome.isAccepted, let place {
                return .decided(outcome, reason: "Accepted in the \(place) and LocalPreAuthorize is on")
            }
            if let outcome = localOutcome, let place {
                return .askCentralSystem(reason: policy.localPreAuthorize
                    ? "\(outcome.status.rawValue) in the \(place): the central system decides"
                    : "LocalPreAuthorize is off: the central system decides")
            }
            return .askCentralSystem(reason: "not in the local list or cache: the central system decides")
        }

        if let outcome = localOutcome, let place {
            if policy.localAuthorizeOffline {
                return .decided(outcome, reason: "offline; \(outcome.status.rawValue) in the \(place) (LocalAuthorizeOffline is on)")
            }
            if !outcome.isAccepted {
                return .decided(outcome, reason: "offline; \(outcome.status.rawValue) in the \(place) is never accepted")
            }
        }
        let known = localOutcome == nil ? "unknown locally" : "LocalAuthorizeOffline is off"
        if policy.allowOfflineTxForUnknownId {
            return .decided(
                AuthorizationOutcome(status: .accepted, source: .offlinePolicy),
                reason: "offline; \(known) and AllowOfflineTxForUnknownId is on")
        }
        return .decided(
            AuthorizationOutcome(status: .invalid, source: .offlinePolicy),
            reason: "offline; \(known) and AllowOfflineTxForUnknownId is off")
    }

    /// The central system's answer as an outcome: its status as given (it owns the decision).
    public static func outcome(fromCentralSystem info: IdTagInfo) -> AuthorizationOutcome {
        AuthorizationOutcome(status: info.status, parentIdTag: info.parentIdTag, source: .centralSystem)
    }

    /// An entry's status now: an Accepted entry past its expiryDate is Expired.
    public static func effectiveStatus(_ info: IdTagInfo, at now: Date) -> AuthorizationStatus {
        if info.status == .accepted, let expiry = info.expiryDate, expiry <= now { return .expired }
        return info.status
    }
}
