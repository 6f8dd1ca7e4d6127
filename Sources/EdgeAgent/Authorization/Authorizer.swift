import Foundation
import Logging
import OCPP

/// What the authorizer needs from the link to the central system (the OCPP uplink implements it).
public protocol CentralSystemAuthorizing: Sendable {
    /// The policy keys as they are now, and whether the link is up and registered.
    func authorizationContext() async -> AuthorizationContext
    /// Sends Authorize.req and returns the central system's idTagInfo (already recorded in the cache);
    /// nil when offline, unanswered in time, or answered with an error.
    func authorize(idTag: String) async -> IdTagInfo?
}

public struct AuthorizationContext: Sendable, Equatable {
    public var policy: AuthorizationPolicy
    public var online: Bool

    public init(policy: AuthorizationPolicy, online: Bool) {
        self.policy = policy
        self.online = online
    }
}

/// An outcome with the reason behind it, for the operator ("would this card be accepted now, and why").
public struct AuthorizationExplanation: Sendable, Equatable {
    public var idTag: String
    public var outcome: AuthorizationOutcome
    public var reason: String
    /// Whether the central system was asked (Authorize.req sent).
    public var askedCentralSystem: Bool
}

/// The daemon's `IdTagAuthorizing`: local list and cache from the store, the OCPP 1.6 decision rules,
/// and Authorize.req through the uplink when the rules say the central system decides.
///
/// Without a central system attached (no `centralSystem` in the site file) the charge point is
/// permanently offline: the list and cache (filled earlier, they persist) and `offlinePolicy` decide.
public actor Authorizer: IdTagAuthorizing {
    /// Cache entries kept before the least recently used goes.
    public static let defaultCacheCapacity = 10_000

    let store: SiteStore
    let offlinePolicy: AuthorizationPolicy
    let cacheCapacity: Int
    let clock: @Sendable () -> Date
    let logger: Logger
    private var centralSystem: (any CentralSystemAuthorizing)?

    public init(
        store: SiteStore, offlinePolicy: AuthorizationPolicy, cacheCapacity: Int = defaultCacheCapacity,
        logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.offlinePolicy = offlinePolicy
        self.cacheCapacity = cacheCapacity
        self.logger = logger
        self.clock = clock
    }

    /// Connects the authorizer to the uplink (created after the site controller that holds the authorizer).
    public func attach(centralSystem: any CentralSystemAuthorizing) {
        self.centralSystem = centralSystem
    }

    /// The policy keys in force now (e.g. StopTransactionOnInvalidId for `AuthorizationRules.verdict`).
    public func currentPolicy() async -> AuthorizationPolicy {
        await centralSystem?.authorizationContext().policy ?? offlinePolicy
    }

    public func authorize(idTag: String) async -> AuthorizationOutcome {
        await explain(idTag: idTag).outcome
    }

    /// The decision with its reason. Asks the central system when the rules say so; when that gives
    /// no answer the offline rules decide.
    public func explain(idTag: String) async -> AuthorizationExplanation {
        let context = await centralSystem?.authorizationContext() ?? AuthorizationContext(policy: offlinePolicy, online: false)
        let entries = lookUp(idTag)
        let inputs = AuthorizationInputs(
            idTag: idTag, listEntry: entries.list, cacheEntry: entries.cache, online: context.online, policy: context.policy,
            now: clock())
        switch AuthorizationDecision.decide(inputs) {
        case .decided(let outcome, let reason):
            return finish(idTag, outcome, reason, asked: false)
        case .askCentralSystem(let why):
            if let info = await centralSystem?.authorize(idTag: idTag) {
                let outcome = AuthorizationDecision.outcome(fromCentralSystem: info)
                if let listed = entries.list, context.policy.localAuthListEnabled, listed.status != info.status {
                    // OCPP 1.6 3.5.3 (local list conflict): the central system's answer wins; the list stays its to change.
                    logger.notice("the central system's answer differs from the local list", metadata: [
                        "idTag": "\(idTag)", "list": "\(listed.status.rawValue)", "centralSystem": "\(info.status.rawValue)",
                    ])
                }
                return finish(idTag, outcome, "\(why); it answered \(info.status.rawValue)", asked: true)
            }
            // No usable answer: the offline rules decide, with what the store knows now.
            var offline = inputs
            offline.online = false
            guard case .decided(let outcome, let reason) = AuthorizationDecision.decide(offline) else {
                return finish(idTag, AuthorizationOutcome(status: .invalid, source: .offlinePolicy), "no decision", asked: true)
            }
            return finish(idTag, outcome, "the central system gave no answer; \(reason)", asked: true)
        }
    }

    /// Records an idTagInfo the central system returned (e.g. in a StartTransaction or StopTransaction
    /// confirmation) in the cache, when AuthorizationCacheEnabled. The uplink already does this for every
    /// confirmation it receives; this is for callers that learn an idTagInfo elsewhere.
    public func record(idTagInfo: IdTagInfo, for idTag: String) async {
        let context = await centralSystem?.authorizationContext() ?? AuthorizationContext(policy: offlinePolicy, online: false)
        guard context.policy.authorizationCacheEnabled else { return }
        do {
            try store.recordInAuthorizationCache(idTagInfo, for: idTag, capacity: cacheCapacity)
        } catch {
            logger.error("could not update the authorization cache", metadata: ["idTag": "\(idTag)", "error": "\(error)"])
        }
    }

    private func lookUp(_ idTag: String) -> (list: IdTagInfo?, cache: IdTagInfo?) {
        guard !idTag.isEmpty, idTag.count <= AuthorizationDecision.maximumIdTagLength else { return (nil, nil) }
        do {
            return try store.authorizationEntries(for: idTag)
        } catch {
            // An unreadable store must not accept anyone it would not accept with an empty list and cache.
            logger.error("local list and cache unreadable; deciding without them", metadata: ["error": "\(error)"])
            return (nil, nil)
        }
    }

    private func finish(_ idTag: String, _ outcome: AuthorizationOutcome, _ reason: String, asked: Bool) -> AuthorizationExplanation {
        if outcome.source == .cache {
            do { try store.markAuthorizationCacheEntryUsed(idTag) } catch {
                logger.warning("could not mark a cache entry used", metadata: ["error": "\(error)"])
            }
        }
        logger.info("idTag authorization", metadata: [
            "idTag": "\(idTag)", "status": "\(outcome.status.rawValue)", "source": "\(outcome.source.rawValue)", "reason": "\(reason)",
        ])
        return AuthorizationExplanation(idTag: idTag, outcome: outcome, reason: reason, askedCentralSystem: asked)
    }
}
