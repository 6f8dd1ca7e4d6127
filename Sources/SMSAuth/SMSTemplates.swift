import Foundation

/// Every text SMSAuth can send, by purpose. Each has a fixed set of placeholders.
public enum SMSTemplateKey: String, Sendable, CaseIterable, Codable {
    // Driver messages.
    case confirmation, receipt, chargeComplete, status, statusIdle, help
    // Driver errors.
    case notUnderstood, unknownCompartment, missingCompartment, compartmentBusy, outOfService
    case authorizationRefused, noActiveSession, rateLimited, closeDoorFirst
    // Operator alerts.
    case alertDoorForced, alertLockJammed, alertUplinkDown, alertModemFailure

    /// Placeholders a template for this key may use.
    public var placeholders: Set<String> {
        switch self {
        case .confirmation: ["compartment", "price", "pin"]
        case .receipt: ["compartment", "duration", "energy", "amount", "reference"]
        case .chargeComplete: ["compartment", "energy", "duration"]
        case .status: ["compartment", "duration", "energy", "amount"]
        case .statusIdle, .help, .notUnderstood: ["example"]
        case .unknownCompartment: ["compartment", "example"]
        case .missingCompartment: ["example"]
        case .compartmentBusy, .outOfService, .authorizationRefused, .noActiveSession, .closeDoorFirst: ["compartment"]
        case .rateLimited: ["retry"]
        case .alertDoorForced, .alertLockJammed: ["site", "compartment"]
        case .alertUplinkDown: ["site", "duration"]
        case .alertModemFailure: ["site", "detail"]
        }
    }

    /// Placeholders a template must use: without the PIN a driver could not open the door.
    public var requiredPlaceholders: Set<String> {
        switch self {
        case .confirmation: ["compartment", "pin"]
        default: []
        }
    }
}

/// A message with its values, typed so a caller cannot forget one.
public enum SMSMessage: Sendable, Equatable {
    case confirmation(compartment: String, price: PriceQuote, pin: ReceiptPIN)
    /// Sent when charging ends and the door unlocks. The PIN is not repeated: only its
    /// digest is kept, so `reference` (e.g. the transaction id) identifies the receipt.
    case receipt(compartment: String, duration: TimeInterval, energyWh: Int, amount: Money, reference: String)
    case chargeComplete(compartment: String, energyWh: Int, duration: TimeInterval)
    case status(compartment: String, duration: TimeInterval, energyWh: Int, amount: Money)
    case statusIdle(example: String)
    case help(example: String)
    case notUnderstood(example: String)
    case unknownCompartment(compartment: String, example: String)
    case missingCompartment(example: String)
    case compartmentBusy(compartment: String)
    case outOfService(compartment: String)
    case authorizationRefused(compartment: String)
    case noActiveSession(compartment: String)
    /// A start for a compartment whose door is not closed on the driver's things (not Preparing).
    case closeDoorFirst(compartment: String)
    case rateLimited(retryAfter: TimeInterval)
    case alertDoorForced(site: String, compartment: String)
    case alertLockJammed(site: String, compartment: String)
    case alertUplinkDown(site: String, downFor: TimeInterval)
    case alertModemFailure(site: String, detail: String)

    public var key: SMSTemplateKey {
        switch self {
        case .confirmation: .confirmation
        case .receipt: .receipt
        case .chargeComplete: .chargeComplete
        case .status: .status
        case .statusIdle: .statusIdle
        case .help: .help
        case .notUnderstood: .notUnderstood
        case .unknownCompartment: .unknownCompartment
        case .missingCompartment: .missingCompartment
        case .compartmentBusy: .compartmentBusy
        case .outOfService: .outOfService
        case .authorizationRefused: .authorizationRefused
        case .noActiveSession: .noActiveSession
        case .closeDoorFirst: .closeDoorFirst
        case .rateLimited: .rateLimited
        case .alertDoorForced: .alertDoorForced
        case .alertLockJammed: .alertLockJammed
        case .alertUplinkDown: .alertUplinkDown
        case .alertModemFailure: .alertModemFailure
        }
    }

    /// Placeholder values, formatted for `language`.
    func values(_ language: SMSLanguage) -> [String: String] {
        switch self {
        case .confirmation(let compartment, let price, let pin):
            ["compartment": compartment, "price": SMSFormat.price(price, language), "pin": pin.digits]
        case .receipt(let compartment, let duration, let energyWh, let amount, let reference):
            ["compartment": compartment, "duration": SMSFormat.duration(seconds: duration, language),
             "energy": SMSFormat.energy(wattHours: energyWh, language), "amount": SMSFormat.money(amount, language),
             "reference": reference]
        case .chargeComplete(let compartment, let energyWh, let duration):
            ["compartment": compartment, "energy": SMSFormat.energy(wattHours: energyWh, language),
             "duration": SMSFormat.duration(seconds: duration, language)]
        case .status(let compartment, let duration, let energyWh, let amount):
            ["compartment": compartment, "duration": SMSFormat.duration(seconds: duration, language),
             "energy": SMSFormat.energy(wattHours: energyWh, language), "amount": SMSFormat.money(amount, language)]
        case .statusIdle(let example), .help(let example), .notUnderstood(let example), .missingCompartment(let example):
            ["example": example]
        case .unknownCompartment(let compartment, let example):
            ["compartment": compartment, "example": example]
        case .compartmentBusy(let compartment), .outOfService(let compartment),
             .authorizationRefused(let compartment), .noActiveSession(let compartment), .closeDoorFirst(let compartment):
            ["compartment": compartment]
        case .rateLimited(let retryAfter):
            // At least a minute: "0 min" would invite an immediate retry.
            ["retry": SMSFormat.duration(seconds: max(60, retryAfter.rounded(.up)), language)]
        case .alertDoorForced(let site, let compartment), .alertLockJammed(let site, let compartment):
            ["site": site, "compartment": compartment]
        case .alertUplinkDown(let site, let downFor):
            ["site": site, "duration": SMSFormat.duration(seconds: downFor, language)]
        case .alertModemFailure(let site, let detail):
            ["site": site, "detail": detail]
        }
    }
}

/// The template texts for both languages: built-in defaults, optionally overridden per
/// site. Overrides are checked when loaded, so rendering cannot fail later.
public struct SMSTemplates: Sendable, Equatable {
    private var texts: [SMSLanguage: [SMSTemplateKey: String]]

    public static let builtIn = SMSTemplates(texts: DefaultSMSTemplates.texts)

    private init(texts: [SMSLanguage: [SMSTemplateKey: String]]) {
        self.texts = texts
    }

    /// These templates with some texts replaced (e.g. from the site configuration).
    public func overriding(_ overrides: [SMSLanguage: [SMSTemplateKey: String]]) throws(SMSTemplateError) -> SMSTemplates {
        var copy = self
        for (language, templates) in overrides {
            for (key, text) in templates {
                try Self.validate(text, key: key, language: language)
                copy.texts[language, default: [:]][key] = text
            }
        }
        return copy
    }

    public func template(_ key: SMSTemplateKey, _ language: SMSLanguage) -> String {
        // Built-in defaults cover every key in both languages (checked by tests).
        texts[language]?[key] ?? DefaultSMSTemplates.texts[language]?[key] ?? ""
    }

    /// The text to send. Pure; values are inserted once, never re-scanned for placeholders.
    public func render(_ message: SMSMessage, in language: SMSLanguage) -> String {
        let values = message.values(language)
        var output = ""
        var name: String?
        for character in template(message.key, language) {
            if var current = name {
                if character == "}" {
                    output += values[current] ?? ""
                    name = nil
                } else {
                    current.append(character)
                    name = current
                }
            } else if character == "{" {
                name = ""
            } else {
                output.append(character)
            }
        }
        return output
    }

    /// Placeholders used in `text`, or an error naming the problem.
    static func validate(_ text: String, key: SMSTemplateKey, language: SMSLanguage) throws(SMSTemplateError) {
        var used: Set<String> = []
        var name: String?
        for character in text {
            if var current = name {
                if character == "}" {
                    guard key.placeholders.contains(current) else {
                        throw .unknownPlaceholder(key: key, language: language, placeholder: current)
                    }
                    used.insert(current)
                    name = nil
                } else if character == "{" {
                    throw .unbalancedBraces(key: key, language: language)
                } else {
                    current.append(character)
                    name = current
                }
            } else if character == "{" {
                name = ""
            } else if character == "}" {
                throw .unbalancedBraces(key: key, language: language)
            }
        }
        guard name == nil else { throw .unbalancedBraces(key: key, language: language) }
        let missing = key.requiredPlaceholders.subtracting(used)
        guard missing.isEmpty else {
            throw .missingPlaceholder(key: key, language: language, placeholder: missing.sorted()[0])
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .empty(key: key, language: language) }
    }
}

public enum SMSTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownPlaceholder(key: SMSTemplateKey, language: SMSLanguage, placeholder: String)
    case missingPlaceholder(key: SMSTemplateKey, language: SMSLanguage, placeholder: String)
    case unbalancedBraces(key: SMSTemplateKey, language: SMSLanguage)
    case empty(key: SMSTemplateKey, language: SMSLanguage)

    public var description: String {
        switch self {
        case .unknownPlaceholder(let key, let language, let placeholder):
            "SMS template '\(key.rawValue)' (\(language.rawValue)) uses {\(placeholder)}; allowed: \(key.placeholders.sorted().map { "{\($0)}" }.joined(separator: ", "))"
        case .missingPlaceholder(let key, let language, let placeholder):
            "SMS template '\(key.rawValue)' (\(language.rawValue)) must contain {\(placeholder)}; drivers need it to open the door"
        case .unbalancedBraces(let key, let language):
            "SMS template '\(key.rawValue)' (\(language.rawValue)) has an unmatched { or }; write placeholders as {name}"
        case .empty(let key, let language):
            "SMS template '\(key.rawValue)' (\(language.rawValue)) is empty; remove the override to use the built-in text"
        }
    }
}
