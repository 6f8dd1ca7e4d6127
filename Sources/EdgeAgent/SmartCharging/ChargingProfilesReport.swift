import Foundation
import Hummingbird
import OCPP

/// What `GET /v1/charging-profiles` shows: the profiles installed, the transactions they may apply to, and the
/// limits in force now as load balancing receives them.
public struct ChargingProfilesReport: Sendable, Codable, Equatable, ResponseEncodable {
    public struct Limits: Sendable, Codable, Equatable {
        public var maxStackLevel: Int
        /// "A" and/or "W" (ChargingScheduleAllowedChargingRateUnit).
        public var allowedUnits: [String]
        public var maxPeriods: Int
        public var maxProfilesInstalled: Int
    }

    public struct Profile: Sendable, Codable, Equatable {
        public var connectorId: Int
        public var installedAt: Date
        public var profile: ChargingProfile
    }

    public struct Transaction: Sendable, Codable, Equatable {
        public var connectorId: Int
        /// The central system's id; nil until its StartTransaction is confirmed.
        public var transactionId: Int?
        public var startedAt: Date
    }

    public struct LimitInForce: Sendable, Codable, Equatable {
        /// 0: the whole charge point (ChargePointMaxProfile).
        public var connectorId: Int
        /// The load-balancing consumer it limits; nil: all of them together.
        public var consumer: String?
        public var limit: Double
        public var unit: String
        public var numberPhases: Int?
        public var chargingProfileId: Int
        public var purpose: String
        public var stackLevel: Int
    }

    /// False without a central system: nothing can set profiles.
    public var enabled: Bool
    public var limits: Limits?
    public var profiles: [Profile]
    public var transactions: [Transaction]
    public var limitsInForce: [LimitInForce]
    public var computedAt: Date?
    /// When the limits in force change next (a schedule period boundary, validFrom or validTo), if within a day.
    public var nextChangeAt: Date?
    /// idTags of RemoteStartTransactions whose TxProfile waits for its transaction.
    public var pendingRemoteStartIdTags: [String]

    static let disabled = ChargingProfilesReport(
        enabled: false, limits: nil, profiles: [], transactions: [], limitsInForce: [], computedAt: nil, nextChangeAt: nil,
        pendingRemoteStartIdTags: [])
}

extension SmartCharging {
    public func report() -> ChargingProfilesReport {
        ChargingProfilesReport(
            enabled: true,
            limits: .init(
                maxStackLevel: capabilities.maxStackLevel, allowedUnits: capabilities.allowedUnits.map(\.rawValue).sorted(),
                maxPeriods: capabilities.maxPeriods, maxProfilesInstalled: capabilities.maxProfilesInstalled),
            profiles: profiles.profiles.map { .init(connectorId: $0.connectorId, installedAt: $0.installedAt, profile: $0.profile) },
            transactions: transactions.values.sorted { $0.connectorId < $1.connectorId }.map {
                .init(connectorId: $0.connectorId, transactionId: $0.centralTransactionId, startedAt: $0.startedAt)
            },
            limitsInForce: limitsInForce.map { limit in
                .init(
                    connectorId: limit.connectorId, consumer: Self.centralLimit(limit).consumer, limit: limit.limit,
                    unit: limit.unit.rawValue, numberPhases: limit.numberPhases, chargingProfileId: limit.profileId,
                    purpose: limit.purpose.rawValue, stackLevel: limit.stackLevel)
            },
            computedAt: computedAt, nextChangeAt: nextChangeAt, pendingRemoteStartIdTags: pendingRemoteStart.keys.sorted())
    }
}

extension SiteController {
    /// Smart charging's state for the local API (disabled without a central system).
    func chargingProfilesReport() async -> ChargingProfilesReport {
        guard let smartCharging = await sessionView.uplink?.smartChargingService() else { return .disabled }
        return await smartCharging.report()
    }
}

/// `GET /v1/charging-profiles` (read scope).
extension LocalAPI {
    static func addChargingProfileRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        v1.get("charging-profiles") { _, _ -> ChargingProfilesReport in
            await site.chargingProfilesReport()
        }
    }
}
