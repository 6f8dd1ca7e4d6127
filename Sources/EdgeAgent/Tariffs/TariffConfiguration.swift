import Foundation
import Yams

/// The site file's `tariffs:` block (docs/configuration.md):
///
/// ```yaml
/// tariffs:
///   standard:
///     currency: EUR
///     startFee: 0.50
///     perKWh: 0.30
///     perPeriod: 1.00
///     periodHours: 1          # or periodMinutes: 30
///     freeForGroups: [STAFF]  # parentIdTag groups that charge for free
///     maxOccupancyHours: 12   # or maxOccupancyMinutes
///     maxCost: 20.00
///     compartments: [A1, A2]  # a compartment group; a compartment's own `tariff:` wins
///     chargers: [wallbox-left]  # chargers by name; a charger's own `tariff:` wins
/// ```
extension SiteDocumentDecoder {
    static let tariffKeys = [
        "currency", "startFee", "perKWh", "perPeriod", "periodMinutes", "periodHours", "freeForGroups",
        "maxOccupancyMinutes", "maxOccupancyHours", "maxCost", "compartments", "chargers",
    ]

    func decodeTariffs(_ top: ConfigurationYAMLMapping) -> [Tariff] {
        (top.namedEntries("tariffs") ?? []).compactMap { name, path, node in
            guard let item = ConfigurationYAMLMapping(node, path: path, log: log, known: Self.tariffKeys) else { return nil }
            var tariff = Tariff(name: name, currency: item.requiredString("currency", hint: "EUR  # ISO 4217 code") ?? "EUR")
            tariff.startFee = decimal(item, "startFee") ?? 0
            tariff.pricePerKWh = decimal(item, "perKWh") ?? 0
            tariff.pricePerPeriod = decimal(item, "perPeriod") ?? 0
            tariff.maxCost = decimal(item, "maxCost")
            if let seconds = duration(item, minutes: "periodMinutes", hours: "periodHours") {
                tariff.periodSeconds = seconds
            } else if tariff.pricePerPeriod != 0, !log.hasProblem(atOrUnder: path) {
                log.report(item.childPath("perPeriod"), "a price per period needs the period's length; add `periodMinutes: 30` or `periodHours: 1`")
            }
            tariff.maxOccupancySeconds = duration(item, minutes: "maxOccupancyMinutes", hours: "maxOccupancyHours").map(Double.init)
            tariff.freeForGroups = strings(item, "freeForGroups")
            tariff.compartments = strings(item, "compartments")
            tariff.chargers = strings(item, "chargers")
            return tariff
        }
    }

    /// A money amount as written (`0.30`), read exactly (no binary floating point).
    func decimal(_ item: ConfigurationYAMLMapping, _ key: String) -> Decimal? {
        guard let node = item.node(key) else { return nil }
        guard let text = ConfigurationYAMLScalar.plainString(node),
              let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), !value.isNaN,
              text.allSatisfy({ "0123456789.-+eE".contains($0) })
        else {
            log.report(item.childPath(key), "expected an amount such as 0.30 (a point before the cents), found \(ConfigurationYAMLScalar.describe(node))")
            return nil
        }
        return value
    }

    /// Seconds from `<minutes>` or `<hours>` (one of them); a zero or negative length is reported here.
    private func duration(_ item: ConfigurationYAMLMapping, minutes: String, hours: String) -> Int? {
        if item.has(minutes), item.has(hours) {
            log.report(item.childPath(hours), "give either `\(minutes)` or `\(hours)`, not both")
            return nil
        }
        let key = item.has(minutes) ? minutes : hours
        guard let value = item.double(key) else { return nil }
        let seconds = (value * (key == minutes ? 60 : 3600)).rounded()
        guard seconds >= 1, seconds <= 366 * 86_400 else {
            log.report(item.childPath(key), "\(key) \(value) is out of range; a length must be more than 0 and at most a year")
            return nil
        }
        return Int(seconds)
    }

    private func strings(_ item: ConfigurationYAMLMapping, _ key: String) -> [String] {
        (item.sequence(key) ?? []).compactMap { path, node in
            guard case let .scalar(scalar) = node, !scalar.string.isEmpty else {
                log.report(path, "expected a name, found \(ConfigurationYAMLScalar.describe(node))")
                return nil
            }
            return scalar.string
        }
    }
}

extension SiteValidator {
    /// Largest price per unit (start, kWh, period) and largest cost limit that are not a typo.
    static let maximumPrice: Decimal = 1000
    static let maximumCost: Decimal = 100_000

    /// Prices in range, every tariff name a compartment or charger gives exists, every group member exists and
    /// is in one group only.
    func validateTariffs(_ site: SiteConfiguration) {
        func report(_ path: String, _ message: String) {
            guard !log.hasProblem(atOrUnder: path) else { return }
            log.report(path, message)
        }
        var groupOf: [String: String] = [:]
        for tariff in site.tariffs {
            let path = "tariffs.\(tariff.name)"
            if tariff.currency.count != 3 || !tariff.currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                report("\(path).currency", "'\(tariff.currency)' is not a currency code; use the three capital letters of ISO 4217, e.g. EUR or CHF")
            }
            for (key, price) in [("startFee", tariff.startFee), ("perKWh", tariff.pricePerKWh), ("perPeriod", tariff.pricePerPeriod)] {
                if price < 0 {
                    report("\(path).\(key)", "price \(price) is negative; prices are 0 or more (use freeForGroups for cards that pay nothing)")
                } else if price > Self.maximumPrice {
                    report("\(path).\(key)", "price \(price) \(tariff.currency) is above \(Self.maximumPrice); is the decimal point in the right place?")
                }
            }
            if let cost = tariff.maxCost, cost <= 0 || cost > Self.maximumCost {
                report("\(path).maxCost", "cost limit \(cost) is out of range; it must be more than 0 and at most \(Self.maximumCost)")
            }
            for name in tariff.compartments {
                guard let compartment = site.compartment(named: name) else {
                    report("\(path).compartments", "compartment '\(name)' does not exist; known compartments: \(site.compartments.map(\.name).joined(separator: ", "))")
                    continue
                }
                if let first = groupOf[compartment.name], first != tariff.name {
                    report("\(path).compartments", "compartment '\(compartment.name)' is already in the group of tariff '\(first)'; a compartment has one tariff")
                }
                groupOf[compartment.name] = tariff.name
            }
            for name in tariff.chargers {
                guard let charger = site.chargers.first(where: { $0.name == name }) else {
                    report("\(path).chargers", "charger '\(name)' does not exist; known chargers: \(site.chargers.map(\.name).joined(separator: ", "))")
                    continue
                }
                if let first = groupOf["charger:" + charger.name], first != tariff.name {
                    report("\(path).chargers", "charger '\(charger.name)' is already listed by tariff '\(first)'; a charger has one tariff")
                }
                groupOf["charger:" + charger.name] = tariff.name
            }
        }
        if let cost = site.sessions.maxCost, cost <= 0 || cost > Self.maximumCost {
            report("sessions.maxCost", "cost limit \(cost) is out of range; it must be more than 0 and at most \(Self.maximumCost)")
        }
        if site.sessions.maxCost != nil, site.tariffs.isEmpty {
            report("sessions.maxCost", "a cost limit needs a tariff to compute the cost; add `tariffs:` and name one on each compartment")
        }
        let names = site.tariffs.map(\.name)
        let known = names.isEmpty ? "no tariffs are defined; add one under `tariffs:`" : "known tariffs: \(names.joined(separator: ", "))"
        let uses = site.compartments.enumerated().map { ("compartments[\($0.offset)].tariff", $0.element.tariff) }
            + site.chargers.enumerated().map { ("chargers[\($0.offset)].tariff", $0.element.tariff) }
        for case let (path, name?) in uses where !names.contains(name) {
            let suggestion = ConfigurationKeySuggestion.closest(to: name, among: names).map { "did you mean '\($0)'? " } ?? ""
            report(path, "tariff '\(name)' does not exist; \(suggestion)\(known)")
        }
    }
}

extension SiteConfiguration {
    /// The tariff of a compartment or charger by connector id: its own `tariff:`, else the tariff whose
    /// compartment group lists it; nil when nothing is charged there.
    public func tariff(forConnector connectorId: Int) -> Tariff? {
        if let compartment = compartments.first(where: { $0.connectorId == connectorId }) {
            if let name = compartment.tariff { return tariffs.first { $0.name == name } }
            let wanted = Self.normalizedName(compartment.name)
            return tariffs.first { $0.compartments.contains { Self.normalizedName($0) == wanted } }
        }
        if let charger = chargers.first(where: { $0.connectorId == connectorId }) {
            if let name = charger.tariff { return tariffs.first { $0.name == name } }
            return tariffs.first { $0.chargers.contains(charger.name) }
        }
        return nil
    }
}

extension SiteController {
    /// The tariff of a compartment or charger (nil: nothing is charged there); for SMS confirmations and receipts.
    public nonisolated func tariff(forConnector connectorId: Int) -> Tariff? {
        configuration.tariff(forConnector: connectorId)
    }
}
