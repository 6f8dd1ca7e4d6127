import Foundation

/// What a session costs at a compartment or charger (site file `tariffs:`, docs/configuration.md). The
/// controller computes the amount for receipts, exports and the cost limit; the central system remains the
/// billing authority. Pure: every amount is a function of the session's facts.
public struct Tariff: Sendable, Equatable, Codable {
    /// The name the site file gives it (`tariffs.<name>`).
    public var name: String
    /// ISO 4217 code, e.g. `EUR`. Amounts have two decimal places (cents).
    public var currency: String
    /// Charged once per session.
    public var startFee: Decimal
    public var pricePerKWh: Decimal
    /// Charged for every started period of occupancy (from the door closing on the driver's things to the end).
    public var pricePerPeriod: Decimal
    /// The period's length in seconds (the file writes minutes or hours); at least 1.
    public var periodSeconds: Int
    /// Sessions whose owner's card belongs to one of these parentIdTag groups (e.g. staff cards) cost nothing.
    public var freeForGroups: [String]
    /// Charging stops (the door stays locked for the owner) after this long; nil: only `sessions:` limits.
    public var maxOccupancySeconds: Double?
    /// Charging stops (the door stays locked for the owner) once the running amount reaches this; nil: only
    /// `sessions.maxCost`.
    public var maxCost: Decimal?
    /// The compartment group this tariff applies to (names), unless a compartment names its own `tariff`.
    public var compartments: [String]
    /// The chargers (names) this tariff applies to, unless a charger names its own `tariff`.
    public var chargers: [String] = []

    public init(
        name: String, currency: String, startFee: Decimal = 0, pricePerKWh: Decimal = 0, pricePerPeriod: Decimal = 0,
        periodSeconds: Int = 3600, freeForGroups: [String] = [], maxOccupancySeconds: Double? = nil,
        maxCost: Decimal? = nil, compartments: [String] = []
    ) {
        self.name = name
        self.currency = currency
        self.startFee = startFee
        self.pricePerKWh = pricePerKWh
        self.pricePerPeriod = pricePerPeriod
        self.periodSeconds = periodSeconds
        self.freeForGroups = freeForGroups
        self.maxOccupancySeconds = maxOccupancySeconds
        self.maxCost = maxCost
        self.compartments = compartments
    }
}

/// What a session's amount depends on.
public struct TariffSessionFacts: Sendable, Equatable {
    /// Seconds the compartment was held (counted in whole seconds).
    public var occupiedSeconds: Double
    /// Energy charged (billed in whole Wh).
    public var energyWh: Double
    /// The owner's group (OCPP parentIdTag), for `freeForGroups`.
    public var parentIdTag: String?

    public init(occupiedSeconds: Double, energyWh: Double, parentIdTag: String?) {
        self.occupiedSeconds = occupiedSeconds
        self.energyWh = energyWh
        self.parentIdTag = parentIdTag
    }
}

/// The languages price descriptions and amounts are written in (SMS confirmations and receipts).
public enum TariffLanguage: String, Sendable, CaseIterable {
    case german = "de"
    case english = "en"
}

extension Tariff {
    /// True when a card of `group` charges for nothing here (group names compare ignoring case).
    public func isFree(forGroup group: String?) -> Bool {
        guard let group else { return false }
        return freeForGroups.contains { $0.caseInsensitiveCompare(group) == .orderedSame }
    }

    /// Periods begun in `occupiedSeconds` (whole seconds): 1 s is one period, exactly one period is one.
    public func startedPeriods(occupiedSeconds: Double) -> Int {
        guard periodSeconds > 0, occupiedSeconds.isFinite, occupiedSeconds >= 1 else { return 0 }
        let whole = Int(occupiedSeconds.rounded(.down))
        return (whole + periodSeconds - 1) / periodSeconds
    }

    /// The session's amount: start fee + started periods + energy, rounded half up to cents; 0 for a free group.
    public func amount(for facts: TariffSessionFacts) -> Decimal {
        guard !isFree(forGroup: facts.parentIdTag) else { return 0 }
        let wattHours = facts.energyWh.isFinite ? max(0, Int(facts.energyWh.rounded())) : 0
        let energy = Decimal(wattHours) * pricePerKWh / 1000
        let time = Decimal(startedPeriods(occupiedSeconds: facts.occupiedSeconds)) * pricePerPeriod
        return Self.roundedToCents(startFee + time + energy)
    }

    /// `0,50 EUR Start + 0,30 EUR/kWh + 1,00 EUR je angefangene Stunde` (German) or
    /// `0.50 EUR start + 0.30 EUR/kWh + 1.00 EUR per started hour` (English); "kostenlos" / "free of charge"
    /// when nothing is charged.
    public func priceDescription(_ language: TariffLanguage) -> String {
        var parts: [String] = []
        if startFee > 0 {
            parts.append("\(Self.format(startFee, currency: currency, language)) \(language == .german ? "Start" : "start")")
        }
        if pricePerKWh > 0 { parts.append("\(Self.format(pricePerKWh, currency: currency, language))/kWh") }
        if pricePerPeriod > 0 {
            let price = Self.format(pricePerPeriod, currency: currency, language)
            parts.append(language == .german ? "\(price) je angefangene \(periodName(language))" : "\(price) per started \(periodName(language))")
        }
        guard !parts.isEmpty else { return language == .german ? "kostenlos" : "free of charge" }
        return parts.joined(separator: " + ")
    }

    /// `Stunde`, `15 Min.`, `2 Std.` / `hour`, `15 min`, `2 h`, `day`.
    private func periodName(_ language: TariffLanguage) -> String {
        let german = language == .german
        switch periodSeconds {
        case 86_400: return german ? "24 Std." : "day"
        case 3600: return german ? "Stunde" : "hour"
        case 60: return german ? "Minute" : "minute"
        case let seconds where seconds % 3600 == 0: return german ? "\(seconds / 3600) Std." : "\(seconds / 3600) h"
        case let seconds where seconds % 60 == 0: return german ? "\(seconds / 60) Min." : "\(seconds / 60) min"
        case let seconds: return german ? "\(seconds) Sek." : "\(seconds) s"
        }
    }

    /// `1,37 EUR` (German) or `1.37 EUR` (English): two decimals, no grouping.
    public static func format(_ amount: Decimal, currency: String, _ language: TariffLanguage) -> String {
        let cents = NSDecimalNumber(decimal: roundedToCents(amount) * 100).int64Value
        let sign = cents < 0 ? "-" : ""
        let units = abs(cents) / 100
        let rest = abs(cents) % 100
        let separator = language == .german ? "," : "."
        return "\(sign)\(units)\(separator)\(rest < 10 ? "0" : "")\(rest) \(currency)"
    }

    /// Rounds half away from zero to two decimal places.
    public static func roundedToCents(_ value: Decimal) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, 2, .plain)
        return result
    }
}
