import Foundation

/// Authorization status of an idTag as the central system (or a local list) reports it.
public struct IdTagInfo: Codable, Sendable, Equatable {
    public var status: AuthorizationStatus
    public var expiryDate: Date?
    public var parentIdTag: String?

    public init(status: AuthorizationStatus, expiryDate: Date? = nil, parentIdTag: String? = nil) {
        self.status = status
        self.expiryDate = expiryDate
        self.parentIdTag = parentIdTag
    }

    static let schema: PayloadSchema = .object([
        .optional("expiryDate", .dateTime),
        .optional("parentIdTag", .ciString(20)),
        .required("status", .enumeration(AuthorizationStatus.self)),
    ])
}

/// One measured value. `value` is a string on the wire (it may be signed data).
public struct SampledValue: Codable, Sendable, Equatable {
    public var value: String
    public var context: ReadingContext?
    public var format: ValueFormat?
    public var measurand: Measurand?
    public var phase: Phase?
    public var location: Location?
    public var unit: UnitOfMeasure?

    public init(
        value: String, context: ReadingContext? = nil, format: ValueFormat? = nil, measurand: Measurand? = nil,
        phase: Phase? = nil, location: Location? = nil, unit: UnitOfMeasure? = nil
    ) {
        self.value = value
        self.context = context
        self.format = format
        self.measurand = measurand
        self.phase = phase
        self.location = location
        self.unit = unit
    }

    /// StopTransaction's transactionData does not allow the unit "Hertz"; MeterValues does.
    static func schema(allowingHertz: Bool) -> PayloadSchema {
        let units = UnitOfMeasure.allCases.filter { allowingHertz || $0 != .hertz }.map(\.rawValue)
        return .object([
            .required("value", .anyString),
            .optional("context", .enumeration(ReadingContext.self)),
            .optional("format", .enumeration(ValueFormat.self)),
            .optional("measurand", .enumeration(Measurand.self)),
            .optional("phase", .enumeration(Phase.self)),
            .optional("location", .enumeration(Location.self)),
            .optional("unit", .enumeration(units)),
        ])
    }
}

/// Sampled values taken at one point in time.
public struct MeterValue: Codable, Sendable, Equatable {
    public var timestamp: Date
    public var sampledValue: [SampledValue]

    public init(timestamp: Date, sampledValue: [SampledValue]) {
        self.timestamp = timestamp
        self.sampledValue = sampledValue
    }

    static func schema(allowingHertz: Bool) -> PayloadSchema {
        .object([
            .required("timestamp", .dateTime),
            .required("sampledValue", .array(SampledValue.schema(allowingHertz: allowingHertz), minItems: 1)),
        ])
    }
}

public struct ChargingSchedulePeriod: Codable, Sendable, Equatable {
    /// Seconds from the start of the schedule.
    public var startPeriod: Int
    /// In the schedule's chargingRateUnit; sent with one decimal.
    public var limit: Double
    public var numberPhases: Int?

    public init(startPeriod: Int, limit: Double, numberPhases: Int? = nil) {
        self.startPeriod = startPeriod
        self.limit = limit
        self.numberPhases = numberPhases
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(startPeriod, forKey: .startPeriod)
        try container.encode(OCPPDecimal.tenths(limit), forKey: .limit)
        try container.encodeIfPresent(numberPhases, forKey: .numberPhases)
    }

    static let schema: PayloadSchema = .object([
        .required("startPeriod", .integer),
        .required("limit", .decimal(tenths: true)),
        .optional("numberPhases", .integer),
    ])
}

public struct ChargingSchedule: Codable, Sendable, Equatable {
    /// Seconds.
    public var duration: Int?
    public var startSchedule: Date?
    public var chargingRateUnit: ChargingRateUnitType
    public var chargingSchedulePeriod: [ChargingSchedulePeriod]
    public var minChargingRate: Double?

    public init(
        duration: Int? = nil, startSchedule: Date? = nil, chargingRateUnit: ChargingRateUnitType,
        chargingSchedulePeriod: [ChargingSchedulePeriod], minChargingRate: Double? = nil
    ) {
        self.duration = duration
        self.startSchedule = startSchedule
        self.chargingRateUnit = chargingRateUnit
        self.chargingSchedulePeriod = chargingSchedulePeriod
        self.minChargingRate = minChargingRate
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(duration, forKey: .duration)
        try container.encodeIfPresent(startSchedule, forKey: .startSchedule)
        try container.encode(chargingRateUnit, forKey: .chargingRateUnit)
        try container.encode(chargingSchedulePeriod, forKey: .chargingSchedulePeriod)
        try container.encodeIfPresent(minChargingRate.map(OCPPDecimal.tenths), forKey: .minChargingRate)
    }

    static let schema: PayloadSchema = .object([
        .optional("duration", .integer),
        .optional("startSchedule", .dateTime),
        .required("chargingRateUnit", .enumeration(ChargingRateUnitType.self)),
        .required("chargingSchedulePeriod", .array(ChargingSchedulePeriod.schema)),
        .optional("minChargingRate", .decimal(tenths: true)),
    ])
}

public struct ChargingProfile: Codable, Sendable, Equatable {
    public var chargingProfileId: Int
    public var transactionId: Int?
    public var stackLevel: Int
    public var chargingProfilePurpose: ChargingProfilePurposeType
    public var chargingProfileKind: ChargingProfileKindType
    public var recurrencyKind: RecurrencyKindType?
    public var validFrom: Date?
    public var validTo: Date?
    public var chargingSchedule: ChargingSchedule

    public init(
        chargingProfileId: Int, transactionId: Int? = nil, stackLevel: Int,
        chargingProfilePurpose: ChargingProfilePurposeType, chargingProfileKind: ChargingProfileKindType,
        recurrencyKind: RecurrencyKindType? = nil, validFrom: Date? = nil, validTo: Date? = nil,
        chargingSchedule: ChargingSchedule
    ) {
        self.chargingProfileId = chargingProfileId
        self.transactionId = transactionId
        self.stackLevel = stackLevel
        self.chargingProfilePurpose = chargingProfilePurpose
        self.chargingProfileKind = chargingProfileKind
        self.recurrencyKind = recurrencyKind
        self.validFrom = validFrom
        self.validTo = validTo
        self.chargingSchedule = chargingSchedule
    }

    static let schema: PayloadSchema = .object([
        .required("chargingProfileId", .integer),
        .optional("transactionId", .integer),
        .required("stackLevel", .integer),
        .required("chargingProfilePurpose", .enumeration(ChargingProfilePurposeType.self)),
        .required("chargingProfileKind", .enumeration(ChargingProfileKindType.self)),
        .optional("recurrencyKind", .enumeration(RecurrencyKindType.self)),
        .optional("validFrom", .dateTime),
        .optional("validTo", .dateTime),
        .required("chargingSchedule", ChargingSchedule.schema),
    ])
}

/// One entry of a local authorization list (SendLocalList). Without idTagInfo in a
/// differential update, the idTag is removed from the list.
public struct AuthorizationData: Codable, Sendable, Equatable {
    public var idTag: String
    public var idTagInfo: IdTagInfo?

    public init(idTag: String, idTagInfo: IdTagInfo? = nil) {
        self.idTag = idTag
        self.idTagInfo = idTagInfo
    }

    static let schema: PayloadSchema = .object([
        .required("idTag", .ciString(20)),
        .optional("idTagInfo", IdTagInfo.schema),
    ])
}

/// One configuration key in a GetConfiguration confirmation.
public struct KeyValue: Codable, Sendable, Equatable {
    public var key: String
    public var readonly: Bool
    public var value: String?

    public init(key: String, readonly: Bool, value: String? = nil) {
        self.key = key
        self.readonly = readonly
        self.value = value
    }

    static let schema: PayloadSchema = .object([
        .required("key", .ciString(50)),
        .required("readonly", .boolean),
        .optional("value", .ciString(500)),
    ])
}
