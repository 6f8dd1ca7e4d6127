import Foundation
import Testing
@testable import EdgeAgent

@Suite("Tariffs")
struct TariffTests {
    static let standard = Tariff(
        name: "standard", currency: "EUR", startFee: Decimal(string: "0.50")!, pricePerKWh: Decimal(string: "0.30")!,
        pricePerPeriod: 1, periodSeconds: 3600, freeForGroups: ["STAFF"])

    func facts(seconds: Double, wh: Double, group: String? = nil) -> TariffSessionFacts {
        TariffSessionFacts(occupiedSeconds: seconds, energyWh: wh, parentIdTag: group)
    }

    @Test func everyStartedPeriodIsChargedInFull() {
        let tariff = Self.standard
        #expect(tariff.startedPeriods(occupiedSeconds: 0) == 0)
        #expect(tariff.startedPeriods(occupiedSeconds: 1) == 1)
        #expect(tariff.startedPeriods(occupiedSeconds: 3599.9) == 1)
        #expect(tariff.startedPeriods(occupiedSeconds: 3600) == 1)
        #expect(tariff.startedPeriods(occupiedSeconds: 3601) == 2)
        #expect(tariff.startedPeriods(occupiedSeconds: 7200.5) == 2)
        // 0.50 start + 2 started hours + 0 kWh
        #expect(tariff.amount(for: facts(seconds: 3601, wh: 0)) == Decimal(string: "2.50")!)
    }

    @Test func energyIsBilledInWholeWattHoursAndTheTotalRoundsHalfUpToCents() {
        let energyOnly = Tariff(name: "kwh", currency: "EUR", pricePerKWh: Decimal(string: "0.30")!)
        #expect(energyOnly.amount(for: facts(seconds: 10, wh: 1234)) == Decimal(string: "0.37")!)  // 0.3702
        #expect(energyOnly.amount(for: facts(seconds: 10, wh: 1250)) == Decimal(string: "0.38")!)  // 0.375 up
        #expect(energyOnly.amount(for: facts(seconds: 10, wh: 1249.6)) == Decimal(string: "0.38")!)  // 1250 Wh
        #expect(energyOnly.amount(for: facts(seconds: 10, wh: 16)) == 0)  // 0.0048
        #expect(energyOnly.amount(for: facts(seconds: 10, wh: 17)) == Decimal(string: "0.01")!)  // 0.0051
        #expect(energyOnly.amount(for: facts(seconds: 10, wh: -5)) == 0)
    }

    @Test func theWholeSessionAddsStartFeePeriodsAndEnergy() {
        // 0.50 + 3 started hours (2 h 10 min) + 4.321 kWh * 0.30 = 0.50 + 3.00 + 1.2963 = 4.7963 -> 4.80
        #expect(Self.standard.amount(for: facts(seconds: 7800, wh: 4321)) == Decimal(string: "4.80")!)
    }

    @Test func cardsOfAFreeGroupPayNothing() {
        #expect(Self.standard.amount(for: facts(seconds: 7800, wh: 4321, group: "staff")) == 0)
        #expect(Self.standard.amount(for: facts(seconds: 7800, wh: 4321, group: "FAMILY")) > 0)
        #expect(Self.standard.isFree(forGroup: "STAFF") && !Self.standard.isFree(forGroup: nil))
    }

    @Test func thePriceIsDescribedInGermanAndEnglish() {
        #expect(Self.standard.priceDescription(.german) == "0,50 EUR Start + 0,30 EUR/kWh + 1,00 EUR je angefangene Stunde")
        #expect(Self.standard.priceDescription(.english) == "0.50 EUR start + 0.30 EUR/kWh + 1.00 EUR per started hour")
        let quarter = Tariff(name: "q", currency: "CHF", pricePerPeriod: Decimal(string: "0.2")!, periodSeconds: 900)
        #expect(quarter.priceDescription(.german) == "0,20 CHF je angefangene 15 Min.")
        #expect(quarter.priceDescription(.english) == "0.20 CHF per started 15 min")
        #expect(Tariff(name: "free", currency: "EUR").priceDescription(.german) == "kostenlos")
        #expect(Tariff(name: "free", currency: "EUR").priceDescription(.english) == "free of charge")
        #expect(Tariff.format(Decimal(string: "12.5")!, currency: "EUR", .german) == "12,50 EUR")
        #expect(Tariff.format(Decimal(string: "0.054")!, currency: "EUR", .english) == "0.05 EUR")
    }
}

@Suite("Tariffs in the site file")
struct TariffConfigurationTests {
    func load(_ block: String, compartmentTariff: String? = nil) throws(ConfigurationError) -> SiteConfiguration {
        var yaml = EmbeddedSimulatorSite.siteYAML
        if let compartmentTariff {
            // The first compartment (A1) names a tariff of its own.
            yaml = yaml.replacingOccurrences(
                of: "  - name: A1\n", with: "  - name: A1\n    tariff: \(compartmentTariff)\n")
        }
        return try SiteConfigurationLoader.load(
            // The simulated site's own `tariffs:` (its last block) gives way to the test's.
            yaml: yaml.components(separatedBy: "\ntariffs:")[0] + "\n" + block,
            source: "test", baseFolder: nil, overrides: .none, knownProfiles: ConfigurationFixtures.knownProfiles)
    }

    func problems(_ block: String, compartmentTariff: String? = nil) -> [String] {
        do {
            _ = try load(block, compartmentTariff: compartmentTariff)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func tariffsAreReadExactlyAndFoundByConnector() throws {
        let site = try load("""
            tariffs:
              standard:
                currency: EUR
                startFee: 0.50
                perKWh: 0.30
                perPeriod: 1.00
                periodHours: 1
                freeForGroups: [STAFF]
                compartments: [A2, a 3]
              premium:
                currency: EUR
                perKWh: 0.45
                periodMinutes: 30
                maxOccupancyHours: 12
                maxCost: 20
            """, compartmentTariff: "premium")
        let standard = try #require(site.tariff(forConnector: 2))
        #expect(standard.name == "standard" && standard.startFee == Decimal(string: "0.5")! && standard.periodSeconds == 3600)
        #expect(standard.pricePerKWh == Decimal(string: "0.3")! && standard.freeForGroups == ["STAFF"])
        #expect(site.tariff(forConnector: 3)?.name == "standard")
        let premium = try #require(site.tariff(forConnector: 1))
        #expect(premium.periodSeconds == 1800 && premium.maxOccupancySeconds == 43_200 && premium.maxCost == 20)
        #expect(site.tariff(forConnector: 4) == nil)
    }

    @Test func anUnknownTariffNameIsAProblemWithTheKnownOnes() {
        let found = problems("tariffs:\n  standard: {currency: EUR, perKWh: 0.3}\n", compartmentTariff: "standart")
        #expect(found.contains { $0.contains("compartments[0].tariff") && $0.contains("'standart' does not exist")
            && $0.contains("did you mean 'standard'") })
        #expect(problems("tariffs:\n  s: {currency: EUR, compartments: [Z9]}\n").contains { $0.contains("'Z9' does not exist") })
    }

    @Test func negativePricesZeroPeriodsAndBadCurrenciesAreProblems() {
        #expect(problems("tariffs:\n  s: {currency: EUR, perKWh: -0.3}\n").contains {
            $0.hasPrefix("tariffs.s.perKWh") && $0.contains("negative") })
        #expect(problems("tariffs:\n  s: {currency: EUR, perPeriod: 1, periodMinutes: 0}\n").contains {
            $0.hasPrefix("tariffs.s.periodMinutes") && $0.contains("more than 0") })
        #expect(problems("tariffs:\n  s: {currency: EUR, perPeriod: 1}\n").contains {
            $0.hasPrefix("tariffs.s.perPeriod") && $0.contains("periodMinutes") })
        #expect(problems("tariffs:\n  s: {currency: euro}\n").contains { $0.hasPrefix("tariffs.s.currency") })
        #expect(problems("tariffs:\n  s: {currency: EUR, startFee: 5000}\n").contains { $0.contains("decimal point") })
        #expect(problems("tariffs:\n  s: {currency: EUR, perKWh: '0,30'}\n").contains { $0.hasPrefix("tariffs.s.perKWh") })
        #expect(problems("tariffs:\n  s: {currency: EUR, maxCost: 0}\n").contains { $0.hasPrefix("tariffs.s.maxCost") })
        #expect(problems("tariffs:\n  s: {perKWh: 0.3}\n").contains { $0.hasPrefix("tariffs.s.currency") })
    }

    @Test func aCompartmentIsInOneGroupOnly() {
        let found = problems("tariffs:\n  a: {currency: EUR, compartments: [A1]}\n  b: {currency: EUR, compartments: [a1]}\n")
        #expect(found.contains { $0.contains("already in the group of tariff 'a'") })
    }
}
