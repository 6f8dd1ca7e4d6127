import Foundation
import OCPP

/// The size limits of the local authorization list (the read-only keys SendLocalListMaxLength and
/// LocalAuthListMaxLength).
public struct LocalListLimits: Sendable, Equatable {
    /// Entries one SendLocalList may carry.
    public var sendLocalListMaxLength: Int
    /// Entries the list may hold after an update.
    public var localAuthListMaxLength: Int

    public init(sendLocalListMaxLength: Int, localAuthListMaxLength: Int) {
        self.sendLocalListMaxLength = sendLocalListMaxLength
        self.localAuthListMaxLength = localAuthListMaxLength
    }

    public init(registry: ConfigurationRegistry, keys: ConfigurationKeyStore) {
        self.init(
            sendLocalListMaxLength: registry.integer(.sendLocalListMaxLength, in: keys) ?? 0,
            localAuthListMaxLength: registry.integer(.localAuthListMaxLength, in: keys) ?? 0)
    }
}

/// How a SendLocalList ended: the status the central system gets, why, and the list afterwards.
public struct LocalListUpdateResult: Sendable, Equatable {
    public var status: UpdateStatus
    /// Why, for the log and the audit record.
    public var reason: String
    /// The list's version and size after the request (unchanged unless Accepted).
    public var version: Int
    public var size: Int

    public init(status: UpdateStatus, reason: String, version: Int, size: Int) {
        self.status = status
        self.reason = reason
        self.version = version
        self.size = size
    }
}

/// The checks a SendLocalList passes before the store is touched (OCPP 1.6 section 5.15, UpdateStatus).
public enum LocalListUpdateRules {
    /// nil when the request may be applied; otherwise the refusal (Failed or VersionMismatch) and why.
    /// The list size after a differential update is checked by the store, inside the transaction.
    public static func refusal(of request: SendLocalListRequest, currentVersion: Int, limits: LocalListLimits)
        -> (status: UpdateStatus, reason: String)?
    {
        let entries = request.localAuthorizationList ?? []
        if entries.count > limits.sendLocalListMaxLength {
            return (.failed, "\(entries.count) entries in one SendLocalList; SendLocalListMaxLength is \(limits.sendLocalListMaxLength)")
        }
        if request.listVersion < 0 {
            return (.failed, "listVersion \(request.listVersion) is negative")
        }
        switch request.updateType {
        case .full:
            if entries.count > limits.localAuthListMaxLength {
                return (.failed, "a full list of \(entries.count) entries; LocalAuthListMaxLength is \(limits.localAuthListMaxLength)")
            }
            if let entry = entries.first(where: { $0.idTagInfo == nil }) {
                return (.failed, "entry \(entry.idTag) of a full update has no idTagInfo")
            }
        case .differential:
            // The version of a differential update is the list's version after it: it must move forward.
            if request.listVersion <= currentVersion {
                return (.versionMismatch, "differential update to version \(request.listVersion); the list is at version \(currentVersion)")
            }
        }
        var seen = Set<String>()
        for entry in entries where !seen.insert(entry.idTag.lowercased()).inserted {
            return (.failed, "idTag \(entry.idTag) appears twice in one update")
        }
        return nil
    }
}
