import Foundation

/// A charging profile as installed on one connector (0: the whole charge point).
public struct InstalledChargingProfile: Sendable, Equatable, Codable {
    public var connectorId: Int
    public var profile: ChargingProfile
    /// When it was accepted: the anchor of a Recurring schedule that names no startSchedule.
    public var installedAt: Date

    public init(connectorId: Int, profile: ChargingProfile, installedAt: Date) {
        self.connectorId = connectorId
        self.profile = profile
        self.installedAt = installedAt
    }

    public var id: Int { profile.chargingProfileId }
    public var purpose: ChargingProfilePurposeType { profile.chargingProfilePurpose }
    public var stackLevel: Int { profile.stackLevel }
}

/// The transaction running on a connector, as smart charging needs it.
public struct ConnectorTransaction: Sendable, Equatable, Codable {
    /// The central system's transactionId; nil until its StartTransaction is confirmed.
    public var transactionId: Int?
    /// The start of Relative schedules.
    public var startedAt: Date

    public init(transactionId: Int?, startedAt: Date) {
        self.transactionId = transactionId
        self.startedAt = startedAt
    }
}

/// What installing a profile changes: the profiles it replaces (OCPP 1.6: the same chargingProfileId, or the same
/// stackLevel and purpose on the same connector).
public struct ChargingProfileInstallation: Sendable, Equatable {
    public var installed: InstalledChargingProfile
    public var replacedIds: [Int]
}

/// Every charging profile installed on the charge point. A pure value: install, clear and the end of a
/// transaction return what changed; EdgeAgent persists it.
public struct InstalledChargingProfiles: Sendable, Equatable, Codable {
    public private(set) var profiles: [InstalledChargingProfile]

    public init(_ profiles: [InstalledChargingProfile] = []) {
        self.profiles = profiles.sorted(by: Self.order)
    }

    static func order(_ a: InstalledChargingProfile, _ b: InstalledChargingProfile) -> Bool {
        (a.connectorId, a.purpose.rank, a.stackLevel, a.id) < (b.connectorId, b.purpose.rank, b.stackLevel, b.id)
    }

    /// The profiles that installing `profile` on `connectorId` would replace.
    public func replaced(by profile: ChargingProfile, connectorId: Int) -> [Int] {
        profiles.filter { existing in
            existing.id == profile.chargingProfileId
                || (existing.connectorId == connectorId && existing.stackLevel == profile.stackLevel
                    && existing.purpose == profile.chargingProfilePurpose)
        }.map(\.id)
    }

    /// Installs `profile` (already validated), replacing what it replaces.
    @discardableResult
    public mutating func install(_ profile: ChargingProfile, connectorId: Int, at now: Date) -> ChargingProfileInstallation {
        let replacedIds = replaced(by: profile, connectorId: connectorId)
        let installed = InstalledChargingProfile(connectorId: connectorId, profile: profile, installedAt: now)
        profiles.removeAll { replacedIds.contains($0.id) }
        profiles.append(installed)
        profiles.sort(by: Self.order)
        return ChargingProfileInstallation(installed: installed, replacedIds: replacedIds)
    }

    /// The profiles a ClearChargingProfile matches: by id when it names one (the other fields are then ignored),
    /// else every profile matching all the criteria it names (none named: every profile).
    public func matching(_ request: ClearChargingProfileRequest) -> [InstalledChargingProfile] {
        if let id = request.id { return profiles.filter { $0.id == id } }
        return profiles.filter { installed in
            (request.connectorId.map { $0 == installed.connectorId } ?? true)
                && (request.chargingProfilePurpose.map { $0 == installed.purpose } ?? true)
                && (request.stackLevel.map { $0 == installed.stackLevel } ?? true)
        }
    }

    /// Removes what `request` matches and returns the removed profiles (empty: answer Unknown).
    @discardableResult
    public mutating func clear(_ request: ClearChargingProfileRequest) -> [InstalledChargingProfile] {
        let removed = matching(request)
        let ids = Set(removed.map(\.id))
        profiles.removeAll { ids.contains($0.id) }
        return removed
    }

    /// The TxProfiles of a transaction that ended on `connectorId` (they apply to that transaction only).
    @discardableResult
    public mutating func transactionEnded(connectorId: Int) -> [InstalledChargingProfile] {
        let removed = profiles.filter { $0.connectorId == connectorId && $0.purpose == .txProfile }
        profiles.removeAll { $0.connectorId == connectorId && $0.purpose == .txProfile }
        return removed
    }

    public var count: Int { profiles.count }
}

extension ChargingProfilePurposeType {
    /// Listing order: the charge point's cap first, then defaults, then transaction profiles.
    var rank: Int {
        switch self {
        case .chargePointMaxProfile: 0
        case .txDefaultProfile: 1
        case .txProfile: 2
        }
    }
}
