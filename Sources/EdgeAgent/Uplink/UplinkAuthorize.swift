import Foundation
import Logging
import OCPP

// Authorization on the uplink: Authorize.req for the authorizer, the cache fed from every idTagInfo
// the central system returns, and the answers to SendLocalList, GetLocalListVersion and ClearCache.
extension OCPPUplink: CentralSystemAuthorizing {
    public func authorizationContext() -> AuthorizationContext {
        AuthorizationContext(policy: AuthorizationPolicy(registry: registry, keys: keys), online: registration == .accepted)
    }

    /// Sends Authorize.req and waits for the answer (queued behind our outstanding call, bounded by the
    /// response timeout). nil when not registered, on a CALLERROR or invalid answer, on timeout, or when
    /// the link drops first.
    public func authorize(idTag: String) async -> IdTagInfo? {
        guard registration == .accepted else { return nil }
        let call: OutgoingCall
        do {
            call = try OutgoingCall(AuthorizeRequest(idTag: idTag))
        } catch {
            logger.info("Authorize not sent: the idTag breaks the schema", metadata: ["problem": "\(error)"])
            return nil
        }
        await submit(call, at: .now)
        // The call may wait behind queued transaction messages, and the response timeout only starts
        // once it is sent: bound the whole wait, so a driver is never kept waiting on a backlog or a
        // stopped uplink. A late answer still updates the cache.
        let limit = settings.responseTimeout
        Task { [weak self] in
            try? await Task.sleep(for: limit)
            await self?.giveUpWaiting(for: call.id)
        }
        // The answer is handled on this actor's event loop, which cannot run before this suspends.
        return await withCheckedContinuation { continuation in
            authorizeWaiters[call.id] = continuation
        }
    }

    private func giveUpWaiting(for id: String) {
        guard let waiter = authorizeWaiters.removeValue(forKey: id) else { return }
        logger.info("Authorize not answered in time; the offline rules decide", metadata: ["id": "\(id)"])
        waiter.resume(returning: nil)
    }

    /// Our Authorize finished: cache its idTagInfo and hand it to the waiting authorizer.
    func authorizeCompleted(_ call: OutgoingCall, _ result: Result<any OCPPPayload, CallFailure>) {
        var info: IdTagInfo?
        switch result {
        case .success(let payload):
            info = (payload as? AuthorizeConfirmation)?.idTagInfo
        case .failure(let failure):
            logger.info("Authorize got no usable answer; the offline rules decide", metadata: ["failure": "\(failure)"])
        }
        if let info, let idTag = Self.idTag(of: call) { cacheIdTagInfo(info, for: idTag) }
        authorizeWaiters.removeValue(forKey: call.id)?.resume(returning: info)
    }

    /// Every idTagInfo the central system returns updates the cache (OCPP 1.6 3.5.2), when enabled.
    func cacheIdTagInfo(_ info: IdTagInfo?, for idTag: String?) {
        guard let info, let idTag, registry.bool(.authorizationCacheEnabled, in: keys) ?? true else { return }
        do {
            try store.recordInAuthorizationCache(info, for: idTag, capacity: Authorizer.defaultCacheCapacity)
        } catch {
            logger.error("could not update the authorization cache", metadata: ["idTag": "\(idTag)", "error": "\(error)"])
        }
    }

    private static func idTag(of call: OutgoingCall) -> String? {
        guard case .array(let elements)? = try? JSONValue.parse(call.frame), elements.count > 3,
              case .object(let payload) = elements[3], case .string(let idTag)? = payload["idTag"]
        else { return nil }
        return idTag
    }

    // MARK: Calls from the central system

    /// SendLocalList: refused as NotSupported while LocalAuthListEnabled is off; otherwise applied all or
    /// nothing and committed before the answer goes out.
    func sendLocalList(_ request: SendLocalListRequest) -> SendLocalListConfirmation {
        guard registry.bool(.localAuthListEnabled, in: keys) ?? true else {
            logger.info("SendLocalList refused: LocalAuthListEnabled is false")
            return SendLocalListConfirmation(status: .notSupported)
        }
        let result: LocalListUpdateResult
        do {
            result = try store.applyLocalListUpdate(request, limits: LocalListLimits(registry: registry, keys: keys))
        } catch {
            logger.error("SendLocalList not stored; answering Failed", metadata: ["error": "\(error)"])
            return SendLocalListConfirmation(status: .failed)
        }
        logger.log(level: result.status == .accepted ? .notice : .warning, "SendLocalList", metadata: [
            "status": "\(result.status.rawValue)", "reason": "\(result.reason)", "listVersion": "\(result.version)",
            "entries": "\(result.size)",
        ])
        if result.status == .accepted {
            do {
                try store.appendAudit(AuditRecord(
                    recordedAt: wallClock(), actor: "central-system", action: "local-list", target: "version \(result.version)",
                    reason: result.reason))
            } catch {
                logger.error("local list applied but its audit record was not stored", metadata: ["error": "\(error)"])
            }
        }
        return SendLocalListConfirmation(status: result.status)
    }

    /// GetLocalListVersion: the stored version (0: no list yet).
    func localListVersion() -> GetLocalListVersionConfirmation {
        do {
            return GetLocalListVersionConfirmation(listVersion: try store.localAuthorizationListVersion())
        } catch {
            logger.error("local list version unreadable", metadata: ["error": "\(error)"])
            return GetLocalListVersionConfirmation(listVersion: 0)
        }
    }

    /// ClearCache: Rejected while AuthorizationCacheEnabled is off (there is no cache to clear).
    func clearCache() -> ClearCacheConfirmation {
        guard registry.bool(.authorizationCacheEnabled, in: keys) ?? true else { return ClearCacheConfirmation(status: .rejected) }
        do {
            try store.clearAuthorizationCache()
        } catch {
            logger.error("authorization cache not cleared", metadata: ["error": "\(error)"])
            return ClearCacheConfirmation(status: .rejected)
        }
        logger.notice("authorization cache cleared by the central system")
        return ClearCacheConfirmation(status: .accepted)
    }
}
