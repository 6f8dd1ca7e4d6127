import Foundation
import Testing
@testable import OCPP

/// Shared builders for the smart-charging suites.
enum SmartChargingSamples {
    static func date(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    static func profile(
        id: Int, level: Int = 0, purpose: ChargingProfilePurposeType = .txDefaultProfile,
        kind: ChargingProfileKindType = .absolute, recurrency: RecurrencyKindType? = nil, transactionId: Int? = nil,
        start: String? = nil, duration: Int? = nil, unit: ChargingRateUnitType = .amperes,
        periods: [(Int, Double)] = [(0, 16)], phases: Int? = nil, minRate: Double? = nil,
        validFrom: String? = nil, validTo: String? = nil
    ) -> ChargingProfile {
        ChargingProfile(
            chargingProfileId: id, transactionId: transactionId, stackLevel: level, chargingProfilePurpose: purpose,
            chargingProfileKind: kind, recurrencyKind: recurrency, validFrom: validFrom.map(date), validTo: validTo.map(date),
            chargingSchedule: ChargingSchedule(
                duration: duration, startSchedule: start.map(date), chargingRateUnit: unit,
                chargingSchedulePeriod: periods.map { ChargingSchedulePeriod(startPeriod: $0.0, limit: $0.1, numberPhases: phases) },
                minChargingRate: minRate))
    }
}

@Suite("Smart charging: profile validation, replacement and clearing")
struct SmartChargingProfileTests {
    typealias S = SmartChargingSamples
    let now = S.date("2026-03-02T10:00:00Z")

    func context(
        capabilities: SmartChargingCapabilities = SmartChargingCapabilities(),
        transactions: [Int: ConnectorTransaction] = [:]
    ) -> ChargingProfileContext {
        ChargingProfileContext(capabilities: capabilities, connectorIds: [1, 2], transactions: transactions, now: now)
    }

    func rejection(_ profile: ChargingProfile, connectorId: Int, context: ChargingProfileContext? = nil,
                   installed: InstalledChargingProfiles = InstalledChargingProfiles()) -> ChargingProfileRejection? {
        switch installed.installing(profile, connectorId: connectorId, context: context ?? self.context()) {
        case .success: nil
        case .failure(let rejection): rejection
        }
    }

    @Test("profiles within the charge point's limits are accepted")
    func accepted() {
        #expect(rejection(S.profile(id: 1, purpose: .chargePointMaxProfile), connectorId: 0) == nil)
        #expect(rejection(S.profile(id: 2, level: 10), connectorId: 0) == nil)
        #expect(rejection(S.profile(id: 3), connectorId: 2) == nil)
        let running = context(transactions: [1: ConnectorTransaction(transactionId: 77, startedAt: now)])
        #expect(rejection(S.profile(id: 4, purpose: .txProfile, transactionId: 77), connectorId: 1, context: running) == nil)
        #expect(rejection(S.profile(id: 5, purpose: .txProfile), connectorId: 1, context: running) == nil)
    }

    @Test("purpose and connector rules: ChargePointMax on 0 only, TxProfile only with its running transaction")
    func purposeRules() {
        #expect(rejection(S.profile(id: 1, purpose: .chargePointMaxProfile), connectorId: 1) == .chargePointMaxNotOnConnectorZero(1))
        #expect(rejection(S.profile(id: 1, purpose: .txProfile), connectorId: 0) == .txProfileOnConnectorZero)
        #expect(rejection(S.profile(id: 1, purpose: .txProfile), connectorId: 1) == .noTransaction(connectorId: 1))
        let running = context(transactions: [1: ConnectorTransaction(transactionId: 77, startedAt: now)])
        #expect(rejection(S.profile(id: 1, purpose: .txProfile, transactionId: 78), connectorId: 1, context: running)
            == .transactionMismatch(requested: 78, running: 77))
        #expect(rejection(S.profile(id: 1, purpose: .txProfile), connectorId: 2, context: running) == .noTransaction(connectorId: 2))
        #expect(rejection(S.profile(id: 1), connectorId: 9) == .unknownConnector(9))
    }

    @Test("configuration limits: stack level, unit, periods, installed count; NotSupported without the feature")
    func configurationLimits() {
        #expect(rejection(S.profile(id: 1, level: 11), connectorId: 0) == .stackLevelOutOfRange(11, max: 10))
        #expect(rejection(S.profile(id: 1, level: -1), connectorId: 0) == .stackLevelOutOfRange(-1, max: 10))
        #expect(rejection(S.profile(id: 1, unit: .watts, periods: [(0, 11000)]), connectorId: 0)
            == .unitNotAllowed(.watts, allowed: [.amperes]))
        let power = context(capabilities: SmartChargingCapabilities(allowedUnits: [.amperes, .watts]))
        #expect(rejection(S.profile(id: 1, unit: .watts, periods: [(0, 11000)]), connectorId: 0, context: power) == nil)
        let manyPeriods = (0..<25).map { ($0 * 60, 10.0) }
        #expect(rejection(S.profile(id: 1, periods: manyPeriods), connectorId: 0) == .tooManyPeriods(25, max: 24))
        let unsupported = context(capabilities: SmartChargingCapabilities(supported: false))
        let notSupported = rejection(S.profile(id: 1), connectorId: 0, context: unsupported)
        #expect(notSupported == .smartChargingNotSupported)
        #expect(notSupported?.status == .notSupported)
        #expect(rejection(S.profile(id: 1, level: 11), connectorId: 0)?.status == .rejected)

        let two = context(capabilities: SmartChargingCapabilities(maxProfilesInstalled: 2))
        var installed = InstalledChargingProfiles()
        installed.install(S.profile(id: 1, level: 0), connectorId: 0, at: now)
        installed.install(S.profile(id: 2, level: 1), connectorId: 0, at: now)
        #expect(rejection(S.profile(id: 3, level: 2), connectorId: 0, context: two, installed: installed) == .tooManyProfiles(max: 2))
        // Replacing one keeps the count: accepted.
        #expect(rejection(S.profile(id: 3, level: 1), connectorId: 0, context: two, installed: installed) == nil)
    }

    @Test("malformed schedules are rejected with what was wrong")
    func malformedSchedules() {
        #expect(rejection(S.profile(id: 1, periods: []), connectorId: 0) == .noPeriods)
        #expect(rejection(S.profile(id: 1, periods: [(0, 10), (0, 12)]), connectorId: 0) == .periodsNotAscending)
        #expect(rejection(S.profile(id: 1, periods: [(60, 10), (30, 12)]), connectorId: 0) == .periodsNotAscending)
        #expect(rejection(S.profile(id: 1, periods: [(0, -1)]), connectorId: 0) == .negativeLimit(-1))
        #expect(rejection(S.profile(id: 1, phases: 4), connectorId: 0) == .invalidNumberPhases(4))
        #expect(rejection(S.profile(id: 1, duration: -5), connectorId: 0) == .negativeDuration(-5))
        #expect(rejection(S.profile(id: 1, kind: .recurring, start: "2026-03-01T00:00:00Z"), connectorId: 0) == .recurringWithoutKind)
        #expect(rejection(S.profile(id: 1, validFrom: "2026-03-03T00:00:00Z", validTo: "2026-03-03T00:00:00Z"), connectorId: 0)
            == .validityEmpty)
        #expect(rejection(S.profile(id: 1, validTo: "2026-03-02T09:00:00Z"), connectorId: 0) == .expired(S.date("2026-03-02T09:00:00Z")))
        #expect(ChargingProfileRejection.unitNotAllowed(.watts, allowed: [.amperes]).description.contains("ChargingScheduleAllowedChargingRateUnit"))
    }

    @Test("the same id replaces, the same stackLevel and purpose on the same connector replaces, others add up")
    func replacement() {
        var installed = InstalledChargingProfiles()
        installed.install(S.profile(id: 1, level: 0), connectorId: 0, at: now)
        installed.install(S.profile(id: 2, level: 1), connectorId: 0, at: now)
        installed.install(S.profile(id: 3, level: 1), connectorId: 1, at: now)
        installed.install(S.profile(id: 4, level: 1, purpose: .chargePointMaxProfile), connectorId: 0, at: now)
        #expect(installed.count == 4)
        // Same id, now on another connector and level.
        let sameId = installed.install(S.profile(id: 1, level: 5), connectorId: 2, at: now)
        #expect(sameId.replacedIds == [1])
        // Same level and purpose on connector 0: replaces profile 2, not 3 (connector 1) nor 4 (other purpose).
        let sameSlot = installed.install(S.profile(id: 9, level: 1), connectorId: 0, at: now)
        #expect(sameSlot.replacedIds == [2])
        #expect(Set(installed.profiles.map(\.id)) == [1, 3, 4, 9])
        #expect(installed.profiles.first { $0.id == 1 }?.connectorId == 2)
    }

    @Test("ClearChargingProfile: by id (other fields ignored), by connector, purpose and stack level, or all")
    func clearing() {
        var installed = InstalledChargingProfiles()
        installed.install(S.profile(id: 1, purpose: .chargePointMaxProfile), connectorId: 0, at: now)
        installed.install(S.profile(id: 2, level: 0), connectorId: 0, at: now)
        installed.install(S.profile(id: 3, level: 1), connectorId: 1, at: now)
        installed.install(S.profile(id: 4, level: 2), connectorId: 1, at: now)

        var copy = installed
        #expect(copy.clear(ClearChargingProfileRequest(id: 42)).isEmpty)
        #expect(copy.clear(ClearChargingProfileRequest(id: 3, connectorId: 0)).map(\.id) == [3])
        #expect(copy.clear(ClearChargingProfileRequest(chargingProfilePurpose: .txProfile)).isEmpty)
        #expect(copy.clear(ClearChargingProfileRequest(connectorId: 1, stackLevel: 1)).isEmpty)
        #expect(copy.clear(ClearChargingProfileRequest(connectorId: 1, stackLevel: 2)).map(\.id) == [4])
        #expect(copy.clear(ClearChargingProfileRequest(chargingProfilePurpose: .txDefaultProfile)).map(\.id) == [2])
        #expect(copy.profiles.map(\.id) == [1])

        copy = installed
        #expect(copy.clear(ClearChargingProfileRequest()).count == 4)
        #expect(copy.count == 0)
    }

    @Test("a transaction's end removes the TxProfiles of its connector only")
    func transactionEnd() {
        var installed = InstalledChargingProfiles()
        installed.install(S.profile(id: 1, purpose: .txProfile), connectorId: 1, at: now)
        installed.install(S.profile(id: 2, purpose: .txProfile), connectorId: 2, at: now)
        installed.install(S.profile(id: 3), connectorId: 1, at: now)
        #expect(installed.transactionEnded(connectorId: 1).map(\.id) == [1])
        #expect(Set(installed.profiles.map(\.id)) == [2, 3])
    }

    @Test("capabilities come from the configuration keys in force")
    func capabilitiesFromKeys() {
        let registry = ConfigurationRegistry.standard(ChargePointCapabilities(
            numberOfConnectors: 2, chargeProfileMaxStackLevel: 5, chargingScheduleMaxPeriods: 12,
            maxChargingProfilesInstalled: 8, allowedChargingRateUnits: ["Current", "Power"]))
        let capabilities = SmartChargingCapabilities(registry: registry, keys: ConfigurationKeyStore())
        #expect(capabilities == SmartChargingCapabilities(
            supported: true, maxStackLevel: 5, allowedUnits: [.amperes, .watts], maxPeriods: 12, maxProfilesInstalled: 8))
        let withoutSmartCharging = ConfigurationRegistry.standard(ChargePointCapabilities(
            numberOfConnectors: 2, supportedFeatureProfiles: [.core]))
        #expect(SmartChargingCapabilities(registry: withoutSmartCharging, keys: ConfigurationKeyStore()).supported == false)
        #expect(SmartChargingCapabilities(registry: .standard(ChargePointCapabilities(numberOfConnectors: 1)), keys: ConfigurationKeyStore())
            .allowedUnits == [.amperes])
    }

    @Test("a profile survives a JSON round trip as stored")
    func codableRoundTrip() throws {
        let installed = InstalledChargingProfile(
            connectorId: 1, profile: S.profile(id: 7, kind: .recurring, recurrency: .weekly, start: "2026-03-02T00:00:00Z",
                                               duration: 3600, periods: [(0, 6.5), (600, 10)], phases: 1, minRate: 2),
            installedAt: now)
        let data = try JSONEncoder().encode(installed)
        #expect(try JSONDecoder().decode(InstalledChargingProfile.self, from: data) == installed)
    }
}
