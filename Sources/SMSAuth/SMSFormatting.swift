import Foundation

/// An amount in minor units (cents), so sums never pick up binary rounding.
public struct Money: Sendable, Equatable, Hashable, Codable {
    public let minorUnits: Int
    /// ISO 4217 code, e.g. "EUR".
    public let currency: String
    public let fractionDigits: Int

    public init(minorUnits: Int, currency: String = "EUR", fractionDigits: Int = 2) {
        self.minorUnits = minorUnits
        self.currency = currency
        self.fractionDigits = fractionDigits
    }
}

/// The price told to a driver before charging. Missing parts are not charged.
public struct PriceQuote: Sendable, Equatable, Codable {
    public var perKWh: Money?
    public var perHour: Money?
    public var sessionFee: Money?
    /// The price in words as the site's tariff describes it, per language; when set it is sent
    /// instead of the parts above (a tariff may have more parts than this quote can hold).
    public var described: [SMSLanguage: String]?

    public init(perKWh: Money? = nil, perHour: Money? = nil, sessionFee: Money? = nil) {
        self.perKWh = perKWh
        self.perHour = perHour
        self.sessionFee = sessionFee
    }

    /// A price given in words, one text per language.
    public init(described: [SMSLanguage: String]) {
        self.described = described
    }
}

/// Language-specific number formats. German: "1,50 EUR", "1,25 kWh", "1 Std. 05 Min.";
/// English: "EUR 1.50", "1.25 kWh", "1 h 05 min". Hand-written rather than locale-based,
/// so a board without locale data renders the same text as a laptop.
public enum SMSFormat {
    public static func money(_ money: Money, _ language: SMSLanguage) -> String {
        let number = decimal(money.minorUnits, fractionDigits: money.fractionDigits, language)
        switch language {
        case .de: return "\(number) \(money.currency)"
        case .en: return "\(money.currency) \(number)"
        }
    }

    /// Energy given in watt-hours, shown as kWh with two decimals.
    public static func energy(wattHours: Int, _ language: SMSLanguage) -> String {
        // Round to 10 Wh, the second decimal of kWh.
        let hundredths = (wattHours + (wattHours >= 0 ? 5 : -5)) / 10
        return decimal(hundredths, fractionDigits: 2, language) + " kWh"
    }

    /// Whole minutes, rounded down.
    public static func duration(seconds: TimeInterval, _ language: SMSLanguage) -> String {
        let totalMinutes = max(0, Int(seconds / 60))
        let hours = totalMinutes / 60
        let minutes = totalMinutes % 60
        let paddedMinutes = minutes < 10 ? "0\(minutes)" : "\(minutes)"
        switch language {
        case .de: return hours > 0 ? "\(hours) Std. \(paddedMinutes) Min." : "\(minutes) Min."
        case .en: return hours > 0 ? "\(hours) h \(paddedMinutes) min" : "\(minutes) min"
        }
    }

    public static func price(_ quote: PriceQuote, _ language: SMSLanguage) -> String {
        if let text = quote.described?[language] { return text }
        var parts: [String] = []
        if let perKWh = quote.perKWh { parts.append(unitPrice(perKWh, "kWh", language)) }
        if let perHour = quote.perHour { parts.append(unitPrice(perHour, language == .de ? "Std." : "h", language)) }
        if let fee = quote.sessionFee {
            parts.append(money(fee, language) + (language == .de ? " pro Ladevorgang" : " per session"))
        }
        if parts.isEmpty { return language == .de ? "kostenlos" : "free" }
        return parts.joined(separator: " + ")
    }

    private static func unitPrice(_ amount: Money, _ unit: String, _ language: SMSLanguage) -> String {
        money(amount, language) + "/" + unit
    }

    /// `value` scaled by 10^-fractionDigits with the language's decimal separator.
    static func decimal(_ value: Int, fractionDigits: Int, _ language: SMSLanguage) -> String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        guard fractionDigits > 0 else { return sign + String(magnitude) }
        var scale: UInt = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        let fraction = String(magnitude % scale)
        let padded = String(repeating: "0", count: fractionDigits - fraction.count) + fraction
        let separator = language == .de ? "," : "."
        return sign + String(magnitude / scale) + separator + padded
    }
}
