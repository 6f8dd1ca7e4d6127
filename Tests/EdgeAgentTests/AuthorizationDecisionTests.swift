import Foundation
import OCPP
import Testing
@testable import EdgeAgent

@Suite("Authorization: the decision rules")
struct AuthorizationDecisionTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    var later: Date { now.addingTimeInterval(3600) }
    var earlier: Date { now.addingTimeInterval(-3600) }

    func decide(
        _ idTag: String = "CARD1", list: IdTagInfo? = nil, cache: IdTagInfo? = nil, online: Bool,
        _ policy: AuthorizationPolicy = AuthorizationPolicy()
    ) -> AuthorizationDecision {
        AuthorizationDecision.decide(AuthorizationInputs(
            idTag: idTag, listEntry: list, cacheEntry: cache, online: online, policy: policy, now: now))
    }

    func outcome(_ decision: AuthorizationDecision) -> AuthorizationOutcome? {
        if case .decided(let outcome, _) = decision { return outcome }
        return nil
    }

    func asksCentralSystem(_ decision: AuthorizationDecision) -> Bool {
        if case .askCentralSystem = decision { return true }
        return false
    }

    // MARK: Online

    @Test func onlineWithoutLocalPreAuthorizeAlwaysAsksTheCentralSystem() {
        #expect(asksCentralSystem(decide(list: IdTagInfo(status: .accepted), online: true)))
        #expect(asksCentralSystem(decide(cache: IdTagInfo(status: .accepted), online: true)))
        #expect(asksCentralSystem(decide(online: true)))
    }

    @Test func onlineWithLocalPreAuthorizeAcceptsAValidLocalEntryAtOnce() {
        let policy = AuthorizationPolicy(localPreAuthorize: true)
        let fromList = outcome(decide(list: IdTagInfo(status: .accepted, expiryDate: later, parentIdTag: "FLEET"), online: true, policy))
        #expect(fromList == AuthorizationOutcome(status: .accepted, parentIdTag: "FLEET", source: .localList))
        #expect(outcome(decide(cache: IdTagInfo(status: .accepted), online: true, policy))?.source == .cache)
    }

    @Test func onlineWithLocalPreAuthorizeAsksForInvalidExpiredOrUnknownIds() {
        let policy = AuthorizationPolicy(localPreAuthorize: true)
        #expect(asksCentralSystem(decide(list: IdTagInfo(status: .blocked), online: true, policy)))
        #expect(asksCentralSystem(decide(cache: IdTagInfo(status: .invalid), online: true, policy)))
        #expect(asksCentralSystem(decide(list: IdTagInfo(status: .accepted, expiryDate: earlier), online: true, policy)))
        #expect(asksCentralSystem(decide(online: true, policy)))
    }

    @Test func onlinePreAuthorizeIgnoresADisabledListAndCache() {
        let policy = AuthorizationPolicy(localAuthListEnabled: false, authorizationCacheEnabled: false, localPreAuthorize: true)
        #expect(asksCentralSystem(decide(list: IdTagInfo(status: .accepted), cache: IdTagInfo(status: .accepted), online: true, policy)))
    }

    // MARK: Offline with LocalAuthorizeOffline

    @Test func offlineAValidListOrCacheEntryIsAccepted() {
        #expect(outcome(decide(list: IdTagInfo(status: .accepted), online: false))
            == AuthorizationOutcome(status: .accepted, source: .localList))
        #expect(outcome(decide(cache: IdTagInfo(status: .accepted, expiryDate: later), online: false))
            == AuthorizationOutcome(status: .accepted, source: .cache))
    }

    @Test(arguments: [AuthorizationStatus.blocked, .invalid, .expired, .concurrentTx])
    func offlineANotAcceptedLocalEntryIsRefusedWithItsStatus(_ status: AuthorizationStatus) {
        let policy = AuthorizationPolicy(allowOfflineTxForUnknownId: true)
        #expect(outcome(decide(list: IdTagInfo(status: status), online: false, policy))
            == AuthorizationOutcome(status: status, source: .localList))
        #expect(outcome(decide(cache: IdTagInfo(status: status), online: false, policy))
            == AuthorizationOutcome(status: status, source: .cache))
    }

    @Test func anAcceptedEntryPastItsExpiryIsExpired() {
        let expired = IdTagInfo(status: .accepted, expiryDate: earlier)
        #expect(outcome(decide(list: expired, online: false)) == AuthorizationOutcome(status: .expired, source: .localList))
        #expect(outcome(decide(cache: expired, online: false)) == AuthorizationOutcome(status: .expired, source: .cache))
        // Expiring exactly now is expired.
        #expect(outcome(decide(cache: IdTagInfo(status: .accepted, expiryDate: now), online: false))?.status == .expired)
    }

    @Test func theListBeatsTheCacheForTheSameId() {
        #expect(outcome(decide(list: IdTagInfo(status: .blocked), cache: IdTagInfo(status: .accepted), online: false))
            == AuthorizationOutcome(status: .blocked, source: .localList))
        #expect(outcome(decide(list: IdTagInfo(status: .accepted), cache: IdTagInfo(status: .blocked), online: false))
            == AuthorizationOutcome(status: .accepted, source: .localList))
        let preAuthorize = AuthorizationPolicy(localPreAuthorize: true)
        #expect(asksCentralSystem(decide(list: IdTagInfo(status: .blocked), cache: IdTagInfo(status: .accepted), online: true, preAuthorize)))
    }

    @Test func aDisabledListFallsBackToTheCacheAndADisabledCacheIsNotConsulted() {
        let noList = AuthorizationPolicy(localAuthListEnabled: false)
        #expect(outcome(decide(list: IdTagInfo(status: .blocked), cache: IdTagInfo(status: .accepted), online: false, noList))
            == AuthorizationOutcome(status: .accepted, source: .cache))
        let noCache = AuthorizationPolicy(authorizationCacheEnabled: false)
        #expect(outcome(decide(cache: IdTagInfo(status: .accepted), online: false, noCache))
            == AuthorizationOutcome(status: .invalid, source: .offlinePolicy))
    }

    // MARK: Offline, unknown ids

    @Test func offlineUnknownIdFollowsAllowOfflineTxForUnknownId() {
        #expect(outcome(decide(online: false, AuthorizationPolicy(allowOfflineTxForUnknownId: true)))
            == AuthorizationOutcome(status: .accepted, source: .offlinePolicy))
        #expect(outcome(decide(online: false, AuthorizationPolicy(allowOfflineTxForUnknownId: false)))
            == AuthorizationOutcome(status: .invalid, source: .offlinePolicy))
    }

    @Test func withoutLocalAuthorizeOfflineLocalEntriesDoNotAcceptButStillRefuse() {
        let strict = AuthorizationPolicy(localAuthorizeOffline: false, allowOfflineTxForUnknownId: false)
        #expect(outcome(decide(list: IdTagInfo(status: .accepted), online: false, strict))
            == AuthorizationOutcome(status: .invalid, source: .offlinePolicy))
        let lenient = AuthorizationPolicy(localAuthorizeOffline: false, allowOfflineTxForUnknownId: true)
        #expect(outcome(decide(list: IdTagInfo(status: .accepted), online: false, lenient))
            == AuthorizationOutcome(status: .accepted, source: .offlinePolicy))
        #expect(outcome(decide(cache: IdTagInfo(status: .blocked), online: false, lenient))
            == AuthorizationOutcome(status: .blocked, source: .cache))
    }

    @Test(arguments: ["", "ABCDEFGHIJKLMNOPQRSTU"])
    func anIdTagThatIsNotAnIdTokenIsInvalidWithoutAsking(_ idTag: String) {
        let policy = AuthorizationPolicy(allowOfflineTxForUnknownId: true)
        #expect(outcome(decide(idTag, online: true, policy))?.status == .invalid)
        #expect(outcome(decide(idTag, online: false, policy))?.status == .invalid)
    }

    @Test func everyDecisionSaysWhy() {
        guard case .decided(_, let reason) = decide(online: false, AuthorizationPolicy(allowOfflineTxForUnknownId: true)) else {
            Issue.record("expected a decision")
            return
        }
        #expect(reason.contains("AllowOfflineTxForUnknownId"))
    }

    // MARK: Policy from the keys, and the rules after the start

    @Test func thePolicyReadsTheKeysAndTheirDefaults() {
        let registry = ConfigurationRegistry.standard(ChargePointCapabilities(numberOfConnectors: 2))
        #expect(AuthorizationPolicy(registry: registry, keys: ConfigurationKeyStore()) == AuthorizationPolicy())
        let keys = ConfigurationKeyStore(values: [
            "LocalPreAuthorize": "true", "AllowOfflineTxForUnknownId": "TRUE", "LocalAuthorizeOffline": "false",
            "AuthorizationCacheEnabled": "false", "LocalAuthListEnabled": "false", "StopTransactionOnInvalidId": "false",
        ])
        #expect(AuthorizationPolicy(registry: registry, keys: keys) == AuthorizationPolicy(
            localAuthListEnabled: false, authorizationCacheEnabled: false, localPreAuthorize: true, localAuthorizeOffline: false,
            allowOfflineTxForUnknownId: true, stopTransactionOnInvalidId: false))
    }

    @Test func aTransactionTheCentralSystemAnswersInvalidStopsOnlyWithStopTransactionOnInvalidId() {
        #expect(AuthorizationRules.verdict(forConfirmed: IdTagInfo(status: .invalid), policy: AuthorizationPolicy())
            == .stop(reason: .deAuthorized))
        #expect(AuthorizationRules.verdict(forConfirmed: IdTagInfo(status: .blocked), policy: AuthorizationPolicy())
            == .stop(reason: .deAuthorized))
        #expect(AuthorizationRules.verdict(forConfirmed: IdTagInfo(status: .accepted), policy: AuthorizationPolicy()) == .keepRunning)
        #expect(AuthorizationRules.verdict(
            forConfirmed: IdTagInfo(status: .invalid), policy: AuthorizationPolicy(stopTransactionOnInvalidId: false)) == .keepRunning)
    }

    @Test func aCardOfTheSameGroupMayEndTheSession() {
        let accepted = { (parent: String?) in AuthorizationOutcome(status: .accepted, parentIdTag: parent, source: .localList) }
        #expect(AuthorizationRules.mayEnd(sessionOf: "card1", ownerParentIdTag: nil, presented: "CARD1", presentedOutcome: nil))
        #expect(AuthorizationRules.mayEnd(sessionOf: "CARD1", ownerParentIdTag: "FLEET", presented: "CARD2", presentedOutcome: accepted("fleet")))
        #expect(!AuthorizationRules.mayEnd(sessionOf: "CARD1", ownerParentIdTag: "FLEET", presented: "CARD2", presentedOutcome: accepted("OTHER")))
        #expect(!AuthorizationRules.mayEnd(sessionOf: "CARD1", ownerParentIdTag: nil, presented: "CARD2", presentedOutcome: accepted(nil)))
        #expect(!AuthorizationRules.mayEnd(sessionOf: "CARD1", ownerParentIdTag: "FLEET", presented: "CARD2", presentedOutcome: nil))
        let blocked = AuthorizationOutcome(status: .blocked, parentIdTag: "FLEET", source: .cache)
        #expect(!AuthorizationRules.mayEnd(sessionOf: "CARD1", ownerParentIdTag: "FLEET", presented: "CARD2", presentedOutcome: blocked))
    }
}
